/**
 * Just enough of the DNS wire format (RFC 1035) for a loopback DNS server: read a query's question,
 * write an answer of CNAME and A records with a response code. No name compression is written; a
 * query's own (uncompressed) question is all that is read.
 */

export const TYPE = { A: 1, CNAME: 5, AAAA: 28 } as const;
export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface DnsQuestion {
  id: number;
  /** The flags word of the query (opcode and RD are echoed). */
  flags: number;
  /** The name as asked, without a trailing dot (case kept). */
  name: string;
  type: number;
  qclass: number;
  /** The question section's bytes, echoed in the answer. */
  raw: Buffer;
}

/** The first question of a query, or undefined for a message that is not one. */
export function readQuestion(message: Buffer): DnsQuestion | undefined {
  if (message.length < 12 || message.readUInt16BE(4) < 1 || message.readUInt16BE(2) & 0x8000)
    return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = message[at];
    if (length === undefined || length > 63) return undefined;
    at += 1;
    if (length === 0) break;
    if (at + length > message.length) return undefined;
    labels.push(message.toString('latin1', at, at + length));
    at += length;
  }
  if (at + 4 > message.length) return undefined;
  return {
    id: message.readUInt16BE(0),
    flags: message.readUInt16BE(2),
    name: labels.join('.'),
    type: message.readUInt16BE(at),
    qclass: message.readUInt16BE(at + 2),
    raw: message.subarray(12, at + 4),
  };
}

function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .filter(Boolean)
    .map((label) => {
      const bytes = Buffer.from(label, 'latin1');
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export interface DnsRecord {
  name: string;
  type: typeof TYPE.A | typeof TYPE.CNAME;
  /** A: an IPv4 address; CNAME: the target name. */
  data: string;
  ttl?: number;
}

function encodeRecord(record: DnsRecord): Buffer {
  const rdata =
    record.type === TYPE.A ? Buffer.from(record.data.split('.').map(Number)) : encodeName(record.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(record.ttl ?? 30, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, rdata]);
}

/** The answer to `question`: authoritative, recursion available, `rcode`, these answer records. */
export function writeAnswer(question: DnsQuestion, rcode: number, answers: DnsRecord[] = []): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  // QR, the query's opcode and RD, AA, RA, and the response code.
  header.writeUInt16BE(0x8000 | (question.flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question.raw, ...answers.map(encodeRecord)]);
}
