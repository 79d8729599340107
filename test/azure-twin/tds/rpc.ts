/**
 * RPC_REQUEST (MS-TDS 2.2.6.6) as tedious sends `execSql`: ALL_HEADERS, ProcIDSwitch 0xFFFF with
 * ProcID 10 (sp_executesql), option flags, then parameters `@statement`, `@params` and the values.
 * Only the parameter types apps pass for these queries are read; others are refused by name.
 */
import { SqlError } from './azure-errors.ts';
import { type Cell, guidText } from './token-stream.ts';

const SP_EXECUTESQL = 10;

export interface RpcCall {
  /** The procedure: `sp_executesql`, or the name / id the client called. */
  procedure: string;
  statement: string;
  /** User parameters by lower-case name, `@statement` and `@params` excluded. */
  parameters: Map<string, Cell>;
}

/** Parses an RPC request; structural damage is an Error, an unsupported type a SqlError. */
export function parseRpc(payload: Buffer): RpcCall {
  let at = payload.readUInt32LE(0);
  const nameLength = payload.readUInt16LE(at);
  at += 2;
  let procedure: string;
  if (nameLength === 0xffff) {
    const id = payload.readUInt16LE(at);
    at += 2;
    procedure = id === SP_EXECUTESQL ? 'sp_executesql' : `procedure id ${id}`;
  } else {
    procedure = payload.toString('utf16le', at, at + nameLength * 2);
    at += nameLength * 2;
  }
  at += 2; // option flags
  const values: { name: string; value: Cell }[] = [];
  while (at < payload.length && payload[at] !== 0x80 && payload[at] !== 0xff) {
    const nameChars = payload[at]!;
    const name = payload.toString('utf16le', at + 1, at + 1 + nameChars * 2);
    at += 1 + nameChars * 2 + 1; // name, status flags
    const read = readValue(payload, at);
    values.push({ name, value: read.value });
    at = read.next;
  }
  const [statement, , ...rest] = values;
  const parameters = new Map<string, Cell>(rest.map((p) => [p.name.toLowerCase(), p.value]));
  return { procedure, statement: typeof statement?.value === 'string' ? statement.value : '', parameters };
}

function readValue(b: Buffer, at: number): { value: Cell; next: number } {
  const type = b[at]!;
  at += 1;
  switch (type) {
    case 0xe7: // NVARCHAR
    case 0xef: // NCHAR
    case 0xa7: // VARCHAR
    case 0xaf: {
      // CHAR
      const maxLength = b.readUInt16LE(at);
      at += 2 + 5; // max length, collation
      const wide = type === 0xe7 || type === 0xef;
      const { bytes, next } = maxLength === 0xffff ? plp(b, at) : shortBytes(b, at);
      return { value: bytes ? bytes.toString(wide ? 'utf16le' : 'latin1') : null, next };
    }
    case 0xa5: // VARBINARY
    case 0xad: {
      // BINARY
      const maxLength = b.readUInt16LE(at);
      at += 2;
      const { bytes, next } = maxLength === 0xffff ? plp(b, at) : shortBytes(b, at);
      return { value: bytes, next };
    }
    case 0x26: // INTN
    case 0x68: // BITN
    case 0x24: {
      // UNIQUEIDENTIFIER
      at += 1; // declared length
      const length = b[at]!;
      at += 1;
      const data = b.subarray(at, at + length);
      at += length;
      if (length === 0) return { value: null, next: at };
      if (type === 0x68) return { value: data[0] === 1, next: at };
      if (type === 0x24) return { value: guidText(data), next: at };
      const value = length === 8 ? Number(data.readBigInt64LE()) : data.readIntLE(0, length);
      return { value, next: at };
    }
    default:
      throw new SqlError({
        number: 8016,
        state: 1,
        severity: 16,
        message: `The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream is incorrect. Parameter type 0x${type.toString(16).toUpperCase()} is not one the twin's SQL stand-in reads.`,
      });
  }
}

function shortBytes(b: Buffer, at: number): { bytes: Buffer | null; next: number } {
  const length = b.readUInt16LE(at);
  if (length === 0xffff) return { bytes: null, next: at + 2 };
  return { bytes: b.subarray(at + 2, at + 2 + length), next: at + 2 + length };
}

/** PLP: 8-byte total (all ones = NULL), chunks of 4-byte length + data, a zero-length terminator. */
function plp(b: Buffer, at: number): { bytes: Buffer | null; next: number } {
  if (b.readBigUInt64LE(at) === 0xffffffffffffffffn) return { bytes: null, next: at + 8 };
  at += 8;
  const chunks: Buffer[] = [];
  for (;;) {
    const length = b.readUInt32LE(at);
    at += 4;
    if (length === 0) break;
    chunks.push(b.subarray(at, at + length));
    at += length;
  }
  return { bytes: Buffer.concat(chunks), next: at };
}
