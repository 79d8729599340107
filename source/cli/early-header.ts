/**
 * The interactive screen's first line, drawn before Ink loads. Ink, React and the screens take most of
 * the time before the first frame; the header (`sc-doctor 0.1.0 · doctor`, bold as the screen draws
 * it) needs none of them, so it is written at once and the screen's own first frame replaces it in
 * place. Written without a line break: the cursor stays on that line, so nothing is left behind
 * whichever comes next (the screen, or an error the run ends with).
 */
import type { RunLifecycle } from '../run/lifecycle.ts';

export interface EarlyHeader {
  /** Clears the line for the screen's first frame, which draws the header again in its place. */
  handOver(): void;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Writes `text` as the screen's first line now; clears it when the run ends before the screen took
 * over (a usage error then prints on a clean line).
 */
export function showEarlyHeader(
  stdout: NodeJS.WritableStream,
  text: string,
  options: { bold: boolean; lifecycle: RunLifecycle },
): EarlyHeader {
  let shown = true;
  const clear = () => {
    if (!shown) return;
    shown = false;
    stdout.write(CLEAR_LINE);
  };
  stdout.write(options.bold ? `\x1b[1m${text}\x1b[22m` : text);
  options.lifecycle.onCleanup(clear);
  return { handOver: clear };
}
