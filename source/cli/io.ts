/** Where the CLI reads and writes: the real process, or a test's buffers. */
import { isatty } from 'node:tty';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** Folder commands read the project from and write files under (default: the process's). */
  cwd?: string;
  /** Ctrl-C and SIGTERM cancel the run through this; tests leave it out. */
  onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

/** The real process. `isatty` avoids creating the `process.stdin` stream just to ask. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    onSignal: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
