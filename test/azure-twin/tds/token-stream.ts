/**
 * Builds the server's token stream (MS-TDS 2.2.7): DONE, ERROR/INFO, ENVCHANGE, LOGINACK,
 * FEATUREEXTACK, COLMETADATA and ROW. TDS 7.4 layouts only (8-byte DONE row counts, 4-byte line
 * numbers); every string is UCS-2 with a character-count prefix.
 */

const TOKEN = {
  COLMETADATA: 0x81,
  ERROR: 0xaa,
  INFO: 0xab,
  LOGINACK: 0xad,
  FEATUREEXTACK: 0xae,
  ROW: 0xd1,
  ENVCHANGE: 0xe3,
  DONE: 0xfd,
  DONEPROC: 0xfe,
  DONEINPROC: 0xff,
  RETURNSTATUS: 0x79,
} as const;

/** The token that ends one statement inside a procedure call. */
export const DONEINPROC = TOKEN.DONEINPROC;

/** DONE status bits. */
export const DoneStatus = { FINAL: 0x0000, MORE: 0x0001, ERROR: 0x0002, COUNT: 0x0010 } as const;

/** SQL_Latin1_General_CP1_CI_AS as the 5 collation bytes (LCID 0x0409, sort id 52). */
export const DEFAULT_COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

/** Column types the stand-in returns. */
export type ColumnType = 'nvarchar' | 'int' | 'bit' | 'uniqueidentifier' | 'varbinary';

export interface Column {
  name: string;
  type: ColumnType;
}

export type Cell = string | number | boolean | Buffer | null;

/** A diagnostic as ERROR and INFO tokens carry it. */
export interface Diagnostic {
  number: number;
  state: number;
  severity: number;
  message: string;
}

function usVarchar(text: string): Buffer {
  const body = Buffer.from(text, 'utf16le');
  const length = Buffer.alloc(2);
  length.writeUInt16LE(text.length);
  return Buffer.concat([length, body]);
}

function bVarchar(text: string): Buffer {
  // B_VARCHAR holds at most 255 UTF-16 code units.
  const clipped = text.slice(0, 255);
  return Buffer.concat([Buffer.from([clipped.length]), Buffer.from(clipped, 'utf16le')]);
}

function withLength16(token: number, body: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = token;
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** A GUID string as SQL Server stores a uniqueidentifier (the first three groups little-endian). */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${guid}`);
  const raw = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(raw.subarray(0, 4)).reverse(),
    Buffer.from(raw.subarray(4, 6)).reverse(),
    Buffer.from(raw.subarray(6, 8)).reverse(),
    raw.subarray(8),
  ]);
}

/** uniqueidentifier bytes back to the GUID text SQL Server shows (upper case). */
export function guidText(bytes: Buffer): string {
  const hex = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8, 16),
  ]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toUpperCase();
}

/** Accumulates tokens for one response message. */
export class TokenStream {
  private readonly parts: Buffer[] = [];

  /** `statementDone`: the token `done()` writes by default (DONEINPROC inside an RPC call). */
  constructor(private readonly statementDone: number = TOKEN.DONE) {}

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** DONE ends a statement of a batch; inside a procedure call the statement ends with DONEINPROC. */
  done(status: number, rowCount = 0, token: number = this.statementDone): this {
    const body = Buffer.alloc(13);
    body[0] = token;
    body.writeUInt16LE(status, 1);
    body.writeUInt16LE(0xc1, 3);
    body.writeBigUInt64LE(BigInt(rowCount), 5);
    this.parts.push(body);
    return this;
  }

  /** RETURNSTATUS then DONEPROC: the end of an RPC call. */
  procedureEnd(status: number): this {
    const returnStatus = Buffer.alloc(5);
    returnStatus[0] = TOKEN.RETURNSTATUS;
    this.parts.push(returnStatus);
    return this.done(status, 0, TOKEN.DONEPROC);
  }

  error(diagnostic: Diagnostic, serverName: string): this {
    return this.diagnostic(TOKEN.ERROR, diagnostic, serverName);
  }

  info(diagnostic: Diagnostic, serverName: string): this {
    return this.diagnostic(TOKEN.INFO, diagnostic, serverName);
  }

  private diagnostic(token: number, d: Diagnostic, serverName: string): this {
    const head = Buffer.alloc(6);
    head.writeInt32LE(d.number, 0);
    head[4] = d.state;
    head[5] = d.severity;
    const line = Buffer.alloc(4);
    line.writeInt32LE(1);
    this.parts.push(
      withLength16(
        token,
        Buffer.concat([head, usVarchar(d.message), bVarchar(serverName), bVarchar(''), line]),
      ),
    );
    return this;
  }

  /** ENVCHANGE with B_VARCHAR values (database 1, language 2, packet size 4). */
  envChange(type: 1 | 2 | 4, newValue: string, oldValue: string): this {
    this.parts.push(
      withLength16(
        TOKEN.ENVCHANGE,
        Buffer.concat([Buffer.from([type]), bVarchar(newValue), bVarchar(oldValue)]),
      ),
    );
    return this;
  }

  /** ENVCHANGE 7: the SQL collation of the database. */
  collation(bytes: Buffer): this {
    this.parts.push(
      withLength16(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([7, bytes.length]), bytes, Buffer.from([0])])),
    );
    return this;
  }

  /** LOGINACK: interface SQL_TSQL, TDS 7.4 (big-endian on the wire), program name and version. */
  loginAck(): this {
    const body = Buffer.concat([
      Buffer.from([0x01, 0x74, 0x00, 0x00, 0x04]),
      bVarchar('Microsoft SQL Server'),
      Buffer.from([0x0c, 0x00, 0x07, 0xd0]),
    ]);
    this.parts.push(withLength16(TOKEN.LOGINACK, body));
    return this;
  }

  /** FEATUREEXTACK acknowledging FEDAUTH (no data for the security-token library) and UTF-8 support. */
  featureExtAck(): this {
    this.parts.push(Buffer.from([TOKEN.FEATUREEXTACK, 0x02, 0, 0, 0, 0, 0x0a, 1, 0, 0, 0, 0x01, 0xff]));
    return this;
  }

  columns(columns: Column[]): this {
    const count = Buffer.alloc(3);
    count[0] = TOKEN.COLMETADATA;
    count.writeUInt16LE(columns.length, 1);
    this.parts.push(count);
    for (const column of columns) {
      // UserType 0, flags: nullable.
      this.parts.push(Buffer.from([0, 0, 0, 0, 0x01, 0x00]), typeInfo(column.type), bVarchar(column.name));
    }
    return this;
  }

  row(columns: Column[], cells: Cell[]): this {
    this.parts.push(Buffer.from([TOKEN.ROW]));
    columns.forEach((column, i) => {
      this.parts.push(cellValue(column.type, cells[i] ?? null));
    });
    return this;
  }
}

/** nvarchar(4000) carries any sysname and stays clear of the PLP (max) encoding. */
const NVARCHAR_MAX_BYTES = 8000;
const VARBINARY_MAX_BYTES = 85;

function typeInfo(type: ColumnType): Buffer {
  switch (type) {
    case 'nvarchar': {
      const b = Buffer.alloc(3);
      b[0] = 0xe7;
      b.writeUInt16LE(NVARCHAR_MAX_BYTES, 1);
      return Buffer.concat([b, DEFAULT_COLLATION]);
    }
    case 'int':
      return Buffer.from([0x26, 0x04]);
    case 'bit':
      return Buffer.from([0x68, 0x01]);
    case 'uniqueidentifier':
      return Buffer.from([0x24, 0x10]);
    case 'varbinary': {
      const b = Buffer.alloc(3);
      b[0] = 0xa5;
      b.writeUInt16LE(VARBINARY_MAX_BYTES, 1);
      return b;
    }
  }
}

function cellValue(type: ColumnType, value: Cell): Buffer {
  const nullOf: Record<ColumnType, Buffer> = {
    nvarchar: Buffer.from([0xff, 0xff]),
    varbinary: Buffer.from([0xff, 0xff]),
    int: Buffer.from([0]),
    bit: Buffer.from([0]),
    uniqueidentifier: Buffer.from([0]),
  };
  if (value === null) return nullOf[type];
  switch (type) {
    case 'nvarchar': {
      const body = Buffer.from(String(value), 'utf16le').subarray(0, NVARCHAR_MAX_BYTES);
      const length = Buffer.alloc(2);
      length.writeUInt16LE(body.length);
      return Buffer.concat([length, body]);
    }
    case 'int': {
      const b = Buffer.alloc(5);
      b[0] = 4;
      b.writeInt32LE(Number(value), 1);
      return b;
    }
    case 'bit':
      return Buffer.from([1, value ? 1 : 0]);
    case 'uniqueidentifier':
      return Buffer.concat([Buffer.from([16]), guidBytes(String(value))]);
    case 'varbinary': {
      const body = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
      const length = Buffer.alloc(2);
      length.writeUInt16LE(body.length);
      return Buffer.concat([length, body]);
    }
  }
}
