/**
 * TDS packet framing: every message travels as packets with an 8-byte header (type, status, length
 * big-endian, SPID, packet id, window); the last packet of a message carries EOM.
 */

/** Packet types the stand-in reads or writes. */
export const PacketType = {
  SQL_BATCH: 0x01,
  RPC_REQUEST: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER_LENGTH = 8;
const STATUS_EOM = 0x01;
/** The SPID the stand-in reports; clients ignore it. */
const SPID = 0x0034;

/** One reassembled message: the type of its first packet and the concatenated payloads. */
export interface TdsMessage {
  type: number;
  payload: Buffer;
}

/** Cuts `payload` into packets of at most `packetSize` bytes (header included), EOM on the last. */
export function encodeMessage(type: number, payload: Buffer, packetSize: number): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const packets: Buffer[] = [];
  let offset = 0;
  let packetId = 1;
  do {
    const chunk = payload.subarray(offset, offset + room);
    offset += chunk.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header[0] = type;
    header[1] = offset >= payload.length ? STATUS_EOM : 0;
    header.writeUInt16BE(HEADER_LENGTH + chunk.length, 2);
    header.writeUInt16BE(SPID, 4);
    header[6] = packetId++ % 256;
    packets.push(header, chunk);
  } while (offset < payload.length);
  return Buffer.concat(packets);
}

/**
 * Reads whole messages from a byte stream. Packets larger than `maxPacketSize` are a protocol error:
 * the client negotiated the size, so a bigger one means the stream is not TDS (or is out of step).
 */
export class MessageReader {
  private buffered: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private firstType: number | undefined;
  private ready: TdsMessage[] = [];
  private waiting: { resolve(m: TdsMessage): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.push(chunk);
  private readonly onEnd = () => this.fail(new Error('connection closed'));

  maxPacketSize = 32767;

  constructor(private readonly source: NodeJS.ReadableStream) {
    source.on('data', this.onData);
    source.on('end', this.onEnd);
    source.on('close', this.onEnd);
    source.on('error', (error: Error) => this.fail(error));
  }

  /** The next complete message. */
  next(): Promise<TdsMessage> {
    const message = this.ready.shift();
    if (message) return Promise.resolve(message);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Stops reading; returns bytes received after the last whole message (none in a well-behaved exchange). */
  detach(): Buffer {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('close', this.onEnd);
    return this.buffered;
  }

  private push(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= HEADER_LENGTH) {
      const length = this.buffered.readUInt16BE(2);
      if (length < HEADER_LENGTH || length > this.maxPacketSize) {
        this.fail(new Error(`malformed TDS packet (length ${length})`));
        return;
      }
      if (this.buffered.length < length) return;
      const type = this.buffered[0]!;
      const status = this.buffered[1]!;
      this.firstType ??= type;
      this.parts.push(this.buffered.subarray(HEADER_LENGTH, length));
      this.buffered = this.buffered.subarray(length);
      if (status & STATUS_EOM) {
        this.deliver({ type: this.firstType, payload: Buffer.concat(this.parts) });
        this.parts = [];
        this.firstType = undefined;
      }
    }
  }

  private deliver(message: TdsMessage): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve(message);
    else this.ready.push(message);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }
}
