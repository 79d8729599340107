/**
 * The server side of the TLS handshake that TDS 7.x carries inside PRELOGIN messages: every client
 * message feeds a Node TLS server running over an in-memory pair, and every server flight goes back as
 * exactly one PRELOGIN message (tedious reads one message per flight; a flight split in two stalls
 * it). After the final flight (ChangeCipherSpec + Finished) the socket carries raw TLS records.
 */
import type { Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import { type createSecureContext, TLSSocket } from 'node:tls';
import { encodeMessage, type MessageReader, PacketType } from './packets.ts';

const PRELOGIN_PACKET_SIZE = 4096;
const RECORD_CHANGE_CIPHER_SPEC = 20;
const RECORD_ALERT = 21;
const RECORD_HANDSHAKE = 22;
const SERVER_HELLO_DONE = 14;
/**
 * Output that the record rules below do not recognise as a whole flight (not TLS 1.2) is sent once
 * nothing more follows for this long.
 */
const FALLBACK_QUIET_MS = 200;

/** Whether `data` (server output so far) is a whole flight, and whether it is the final one. */
export function flightState(data: Buffer): { complete: boolean; final: boolean } {
  let at = 0;
  let afterCcs = false;
  let complete = false;
  let plainHandshake = Buffer.alloc(0);
  while (at + 5 <= data.length) {
    const type = data[at]!;
    const length = data.readUInt16BE(at + 3);
    if (at + 5 + length > data.length) return { complete: false, final: false };
    const body = data.subarray(at + 5, at + 5 + length);
    if (type === RECORD_ALERT) complete = true;
    else if (type === RECORD_CHANGE_CIPHER_SPEC) afterCcs = true;
    else if (type === RECORD_HANDSHAKE && afterCcs)
      complete = true; // the encrypted Finished
    else if (type === RECORD_HANDSHAKE) {
      plainHandshake = Buffer.concat([plainHandshake, body]);
      if (hasServerHelloDone(plainHandshake)) complete = true;
    }
    at += 5 + length;
  }
  return { complete: complete && at === data.length, final: complete && afterCcs };
}

/** Walks handshake messages (type 1 byte, length 3 bytes), which may span records. */
function hasServerHelloDone(stream: Buffer): boolean {
  let at = 0;
  while (at + 4 <= stream.length) {
    const length = stream.readUIntBE(at + 1, 3);
    if (at + 4 + length > stream.length) return false;
    if (stream[at] === SERVER_HELLO_DONE) return true;
    at += 4 + length;
  }
  return false;
}

/** Runs the handshake over `raw` (whose PRELOGIN messages `plain` reads); resolves with the cleartext side. */
export function tunnelTls(
  raw: Socket,
  plain: MessageReader,
  secureContext: ReturnType<typeof createSecureContext>,
): Promise<TLSSocket> {
  const [ours, theirs] = duplexPair();
  const tls = new TLSSocket(theirs, { isServer: true, secureContext });
  raw.on('close', () => tls.destroy());
  // Late bytes from a socket that is going away must not become an unhandled stream error.
  ours.on('error', () => raw.destroy());
  return new Promise((resolve, reject) => {
    let wrapped = true;
    let secured = false;
    let finalSent = false;
    let pending = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    const switchToRaw = () => {
      if (!wrapped || !secured || !finalSent) return;
      wrapped = false;
      const leftover = plain.detach();
      raw.on('data', (chunk: Buffer) => ours.write(chunk));
      if (leftover.length > 0) ours.write(leftover);
      resolve(tls);
    };
    const flush = () => {
      clearTimeout(timer);
      if (pending.length === 0) return;
      finalSent ||= flightState(pending).final || secured;
      raw.write(encodeMessage(PacketType.PRELOGIN, pending, PRELOGIN_PACKET_SIZE));
      pending = Buffer.alloc(0);
      switchToRaw();
    };
    ours.on('data', (chunk: Buffer) => {
      if (!wrapped) {
        raw.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      if (flightState(pending).complete) flush();
      else {
        clearTimeout(timer);
        timer = setTimeout(flush, FALLBACK_QUIET_MS);
      }
    });
    tls.once('secure', () => {
      secured = true;
      switchToRaw();
    });
    tls.on('error', reject);
    (async () => {
      while (!secured) {
        const message = await plain.next();
        if (secured) break;
        if (message.type !== PacketType.PRELOGIN) throw new Error('expected a TLS handshake in PRELOGIN');
        ours.write(message.payload);
      }
    })().catch((error) => {
      if (wrapped) reject(error);
    });
  });
}
