/**
 * The few pieces of the MySQL client/server protocol the AAD proxy needs. Layouts follow the MySQL
 * protocol documentation (dev.mysql.com/doc/dev/mysql-server/latest/, "page_protocol_basic_packets",
 * "page_protocol_connection_phase_packets_*", "page_protocol_basic_err_packet").
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';

/** Capability flags (page_protocol_basic_capabilities / "Capabilities Flags"). */
export const Cap = {
  LONG_PASSWORD: 1, // MariaDB servers clear it to say "MariaDB"; MySQL servers and clients set it.
  CONNECT_WITH_DB: 1 << 3,
  COMPRESS: 1 << 5,
  PROTOCOL_41: 1 << 9,
  SSL: 1 << 11,
  SECURE_CONNECTION: 1 << 15,
  PLUGIN_AUTH: 1 << 19,
  CONNECT_ATTRS: 1 << 20,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  /** Bits 0..24 mean the same to MySQL and MariaDB; higher ones differ, so the proxy never offers them. */
  SHARED_MASK: (1 << 25) - 1,
} as const;

/** A wire packet: 3-byte little-endian payload length, 1-byte sequence id, payload. */
export interface Packet {
  seq: number;
  payload: Buffer;
}

export const MAX_PAYLOAD = 0xffffff;

export function encodePacket(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = seq & 0xff;
  return Buffer.concat([header, payload]);
}

/** Splits a byte stream into packets; whatever is incomplete stays buffered. */
export class PacketSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const packets: Packet[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUIntLE(0, 3);
      if (this.buffer.length < 4 + length) break;
      packets.push({ seq: this.buffer[3]!, payload: this.buffer.subarray(4, 4 + length) });
      this.buffer = this.buffer.subarray(4 + length);
    }
    return packets;
  }

  /** Bytes received but not yet part of a whole packet. */
  rest(): Buffer {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }
}

/**
 * Reads whole packets from a socket with await, for the connection phase. `release()` stops reading
 * and hands back buffered bytes, so the socket can be wrapped in TLS or switched to relaying.
 */
export class PacketReader {
  private readonly splitter = new PacketSplitter();
  private readonly ready: Packet[] = [];
  private waiter: { resolve: (p: Packet) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.ready.push(...this.splitter.push(chunk));
    this.wake();
  };
  private readonly onEnd = () => this.fail(new Error('connection closed'));
  private readonly onError = (error: Error) => this.fail(error);

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  next(timeoutMs = 15_000): Promise<Packet> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a packet')), timeoutMs);
      this.waiter = {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.wake();
    });
  }

  /** Stops listening; returns unread whole packets re-encoded plus any partial bytes. */
  release(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    const unread = this.ready.splice(0).map((p) => encodePacket(p.seq, p.payload));
    return Buffer.concat([...unread, this.splitter.rest()]);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    if (!this.waiter) return;
    const packet = this.ready.shift();
    if (packet) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(packet);
    } else if (this.failure) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(this.failure);
    }
  }
}

/** Protocol::HandshakeV10 (page_protocol_connection_phase_packets_protocol_handshake_v10). */
export interface HandshakeV10 {
  serverVersion: string;
  connectionId: number;
  /** 20 bytes of scramble (parts 1 and 2 without the trailing NUL). */
  nonce: Buffer;
  capabilities: number;
  charset: number;
  status: number;
  authPlugin: string;
}

export function parseHandshakeV10(payload: Buffer): HandshakeV10 {
  if (payload[0] === 0xff) throw new Error(`server refused the connection: ${parseErr(payload).message}`);
  if (payload[0] !== 10) throw new Error(`unexpected protocol version ${payload[0]}`);
  let at = 1;
  const versionEnd = payload.indexOf(0, at);
  const serverVersion = payload.toString('latin1', at, versionEnd);
  at = versionEnd + 1;
  const connectionId = payload.readUInt32LE(at);
  at += 4;
  const part1 = payload.subarray(at, at + 8);
  at += 9; // part 1 and a filler byte
  const capsLow = payload.readUInt16LE(at);
  const charset = payload[at + 2]!;
  const status = payload.readUInt16LE(at + 3);
  const capsHigh = payload.readUInt16LE(at + 5);
  const dataLength = payload[at + 7]!;
  at += 8 + 10; // the above, then 10 reserved bytes (MariaDB keeps extended capabilities in the last 4)
  const part2Length = Math.max(13, dataLength - 8);
  const part2 = payload.subarray(at, at + part2Length - 1); // drop the trailing NUL
  at += part2Length;
  const pluginEnd = payload.indexOf(0, at);
  const authPlugin = payload.toString('latin1', at, pluginEnd === -1 ? payload.length : pluginEnd);
  return {
    serverVersion,
    connectionId,
    nonce: Buffer.concat([part1, part2]),
    capabilities: (capsHigh << 16) | capsLow,
    charset,
    status,
    authPlugin,
  };
}

export function encodeHandshakeV10(h: HandshakeV10): Buffer {
  // thread id, scramble part 1, filler, caps low, charset, status, caps high, scramble length, 10 reserved
  const fixed = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
  let at = fixed.writeUInt32LE(h.connectionId >>> 0, 0);
  at += h.nonce.copy(fixed, at, 0, 8);
  at = fixed.writeUInt8(0, at);
  at = fixed.writeUInt16LE(h.capabilities & 0xffff, at);
  at = fixed.writeUInt8(h.charset, at);
  at = fixed.writeUInt16LE(h.status, at);
  at = fixed.writeUInt16LE((h.capabilities >>> 16) & 0xffff, at);
  fixed.writeUInt8(h.nonce.length + 1, at);
  // The reserved bytes stay zero: no MariaDB extended capabilities, as a MySQL server sends.
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from(`${h.serverVersion}\0`, 'latin1'),
    fixed,
    h.nonce.subarray(8),
    Buffer.from([0]),
    Buffer.from(`${h.authPlugin}\0`, 'latin1'),
  ]);
}

/** Protocol::HandshakeResponse41 (page_protocol_connection_phase_packets_protocol_handshake_response). */
export interface HandshakeResponse {
  capabilities: number;
  maxPacketSize: number;
  charset: number;
  user: string;
  authResponse: Buffer;
  database?: string;
  authPlugin?: string;
}

/** Protocol::SSLRequest is the first 32 bytes of a HandshakeResponse41 with CLIENT_SSL set. */
export function isSslRequest(payload: Buffer): boolean {
  return payload.length === 32 && (payload.readUInt32LE(0) & Cap.SSL) !== 0;
}

export function parseHandshakeResponse(payload: Buffer): HandshakeResponse {
  const capabilities = payload.readUInt32LE(0);
  const maxPacketSize = payload.readUInt32LE(4);
  const charset = payload[8]!;
  let at = 32;
  const userEnd = payload.indexOf(0, at);
  const user = payload.toString('utf8', at, userEnd);
  at = userEnd + 1;
  let authResponse: Buffer;
  if (capabilities & Cap.PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    const [length, size] = readLenencInt(payload, at);
    authResponse = payload.subarray(at + size, at + size + length);
    at += size + length;
  } else {
    const length = payload[at]!;
    authResponse = payload.subarray(at + 1, at + 1 + length);
    at += 1 + length;
  }
  const response: HandshakeResponse = { capabilities, maxPacketSize, charset, user, authResponse };
  if (capabilities & Cap.CONNECT_WITH_DB && at < payload.length) {
    const end = payload.indexOf(0, at);
    response.database = payload.toString('utf8', at, end === -1 ? payload.length : end);
    at = end === -1 ? payload.length : end + 1;
  }
  if (capabilities & Cap.PLUGIN_AUTH && at < payload.length) {
    const end = payload.indexOf(0, at);
    response.authPlugin = payload.toString('latin1', at, end === -1 ? payload.length : end);
  }
  // Connection attributes (CLIENT_CONNECT_ATTRS) follow; the proxy does not pass them on.
  return response;
}

export function encodeHandshakeResponse(r: HandshakeResponse): Buffer {
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(r.capabilities >>> 0, 0);
  fixed.writeUInt32LE(r.maxPacketSize >>> 0, 4);
  fixed[8] = r.charset;
  const parts = [
    fixed,
    Buffer.from(`${r.user}\0`, 'utf8'),
    Buffer.from([r.authResponse.length]),
    r.authResponse,
  ];
  if (r.capabilities & Cap.CONNECT_WITH_DB) parts.push(Buffer.from(`${r.database ?? ''}\0`, 'utf8'));
  if (r.capabilities & Cap.PLUGIN_AUTH) parts.push(Buffer.from(`${r.authPlugin ?? ''}\0`, 'latin1'));
  return Buffer.concat(parts);
}

/** Protocol::AuthSwitchRequest (page_protocol_connection_phase_packets_protocol_auth_switch_request). */
export function encodeAuthSwitch(plugin: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${plugin}\0`, 'latin1'), data, Buffer.from([0])]);
}

export function parseAuthSwitch(payload: Buffer): { plugin: string; data: Buffer } {
  const end = payload.indexOf(0, 1);
  const data = payload.subarray(end + 1);
  return {
    plugin: payload.toString('latin1', 1, end),
    data: data.at(-1) === 0 ? data.subarray(0, -1) : data,
  };
}

/** ERR_Packet with the SQL state marker (CLIENT_PROTOCOL_41). */
export function encodeErr(code: number, sqlState: string, message: string): Buffer {
  const head = Buffer.alloc(3);
  head[0] = 0xff;
  head.writeUInt16LE(code, 1);
  return Buffer.concat([head, Buffer.from(`#${sqlState}`, 'latin1'), Buffer.from(message, 'utf8')]);
}

export function parseErr(payload: Buffer): { code: number; sqlState: string; message: string } {
  const code = payload.readUInt16LE(1);
  const hasState = payload[3] === 0x23;
  return {
    code,
    sqlState: hasState ? payload.toString('latin1', 4, 9) : 'HY000',
    message: payload.toString('utf8', hasState ? 9 : 3),
  };
}

/** mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))). */
export function nativePasswordScramble(password: string, nonce: Buffer): Buffer {
  const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const stage2 = sha1(stage1);
  const mask = sha1(Buffer.concat([nonce.subarray(0, 20), stage2]));
  return Buffer.from(stage1.map((byte, i) => byte ^ mask[i]!));
}

/** The stored form of a mysql_native_password (`IDENTIFIED BY PASSWORD '*...'`), so SQL never carries the secret. */
export function nativePasswordHash(password: string): string {
  const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();
  return `*${sha1(sha1(Buffer.from(password, 'utf8')))
    .toString('hex')
    .toUpperCase()}`;
}

function readLenencInt(buffer: Buffer, at: number): [value: number, size: number] {
  const first = buffer[at]!;
  if (first < 0xfb) return [first, 1];
  if (first === 0xfc) return [buffer.readUInt16LE(at + 1), 3];
  if (first === 0xfd) return [buffer.readUIntLE(at + 1, 3), 4];
  return [Number(buffer.readBigUInt64LE(at + 1)), 9];
}
