/**
 * PRELOGIN (MS-TDS 2.2.6.5): an option table of (token, offset BE, length BE) ended by 0xFF, then the
 * option data. The stand-in answers as Azure SQL Database does for a client that offers TLS: encryption
 * on, federated authentication required.
 */

const VERSION = 0x00;
const ENCRYPTION = 0x01;
const INSTOPT = 0x02;
const THREADID = 0x03;
const MARS = 0x04;
const FEDAUTHREQUIRED = 0x06;
const TERMINATOR = 0xff;

/** ENCRYPTION values. */
export const Encryption = { OFF: 0x00, ON: 0x01, NOT_SUP: 0x02, REQ: 0x03 } as const;

/** What the client's PRELOGIN said (only the options the stand-in acts on). */
export interface ClientPrelogin {
  encryption: number | undefined;
  fedAuthRequired: boolean;
}

/** Reads the options of a client PRELOGIN; a malformed table is an Error. */
export function parsePrelogin(payload: Buffer): ClientPrelogin {
  const result: ClientPrelogin = { encryption: undefined, fedAuthRequired: false };
  let at = 0;
  while (at < payload.length && payload[at] !== TERMINATOR) {
    if (at + 5 > payload.length) throw new Error('malformed PRELOGIN option table');
    const token = payload[at]!;
    const offset = payload.readUInt16BE(at + 1);
    const length = payload.readUInt16BE(at + 3);
    if (offset + length > payload.length) throw new Error('PRELOGIN option points past the payload');
    if (token === ENCRYPTION && length === 1) result.encryption = payload[offset];
    if (token === FEDAUTHREQUIRED && length === 1) result.fedAuthRequired = payload[offset] === 1;
    at += 5;
  }
  if (payload[at] !== TERMINATOR) throw new Error('PRELOGIN option table has no terminator');
  return result;
}

/**
 * The server's PRELOGIN answer. Version 12.0.2000.0 is what Azure SQL Database reports as its
 * `SERVERPROPERTY('ProductVersion')` major line; FEDAUTHREQUIRED = 1 makes the client echo it in LOGIN7.
 */
export function preloginResponse(encryption: number): Buffer {
  const options: [number, Buffer][] = [
    [VERSION, Buffer.from([0x0c, 0x00, 0x07, 0xd0, 0x00, 0x00])],
    [ENCRYPTION, Buffer.from([encryption])],
    [INSTOPT, Buffer.from([0x00])],
    [THREADID, Buffer.alloc(0)],
    [MARS, Buffer.from([0x00])],
    [FEDAUTHREQUIRED, Buffer.from([0x01])],
  ];
  const tableLength = options.length * 5 + 1;
  const table = Buffer.alloc(tableLength);
  let offset = tableLength;
  options.forEach(([token, data], i) => {
    table[i * 5] = token;
    table.writeUInt16BE(offset, i * 5 + 1);
    table.writeUInt16BE(data.length, i * 5 + 3);
    offset += data.length;
  });
  table[tableLength - 1] = TERMINATOR;
  return Buffer.concat([table, ...options.map(([, data]) => data)]);
}
