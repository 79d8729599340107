/** Lets a TLS server start on a socket whose first bytes were already read (both database fronts need it). */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** `raw` as a stream that first yields `head`. */
export function streamWithHead(raw: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      raw.resume();
    },
    write(chunk, _encoding, callback) {
      raw.write(chunk, callback);
    },
    final(callback) {
      raw.end(callback);
    },
    destroy(error, callback) {
      raw.destroy();
      callback(error);
    },
  });
  if (head.length > 0) stream.push(head);
  raw.on('data', (chunk) => {
    if (!stream.push(chunk)) raw.pause();
  });
  raw.on('end', () => stream.push(null));
  raw.on('error', (error) => stream.destroy(error));
  return stream;
}
