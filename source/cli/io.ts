/** Where the CLI reads and writes: the real process, or a test's buffers. */
import { isatty } from 'node:tty';
import { exitNow } from '../run/exit.ts';

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

let pipesWatched = false;

/**
 * A closed pipe is not an error worth a stack trace. With stdout gone nobody reads the results, so
 * the run ends at once (execa stops the az processes on exit); with stderr gone only the progress
 * lines are lost, so the run goes on.
 */
export function endQuietlyOnBrokenPipes(
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  exit: () => void,
): void {
  const broken = (error: NodeJS.ErrnoException) =>
    error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!broken(error)) throw error;
    exit();
  });
  stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!broken(error)) throw error;
  });
}

/** The real process. `isatty` avoids creating the `process.stdin` stream just to ask. */
export function processIo(): CliIo {
  if (!pipesWatched) {
    pipesWatched = true;
    endQuietlyOnBrokenPipes(process.stdout, process.stderr, () =>
      exitNow({ cancelled: false, brokenPipe: true }),
    );
  }
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
