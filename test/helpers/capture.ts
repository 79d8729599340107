/** A writable stream that keeps what is written, for tests of code that prints. */
import { Writable } from 'node:stream';

export class CaptureStream extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}
