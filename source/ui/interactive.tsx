/**
 * The interactive front-end (only loaded in interactive mode): renders the live doctor screen with
 * Ink and resolves with the exit code once the user quits.
 */
import { render } from 'ink';
import type { FrontEnd, FrontEndInput } from '../run/front-end.ts';
import { App } from './App.tsx';

export interface InteractiveStreams {
  /** Defaults to `process.stdin`. */
  stdin?: NodeJS.ReadStream;
}

/** `q` resolves with the doctor's exit code (0, or 1 with a failure); Ctrl-C aborts `input.cancel` and resolves 130. */
export const runInteractive: FrontEnd = (input) => runInteractiveWith(input, {});

/** `runInteractive` with injectable streams, for tests that drive keys without a terminal. */
export async function runInteractiveWith(input: FrontEndInput, streams: InteractiveStreams): Promise<number> {
  const stdout = input.stdout as NodeJS.WriteStream;
  let after: string | null = null;
  const onExit = (_code: number, text: string | null) => {
    after = text;
  };
  const instance = render(<App input={input} onExit={onExit} />, {
    stdout,
    // The CLI already chose this mode from argv, env and TTYs. Ink's own CI detection (is-in-ci)
    // must not overrule it: with `CI=` set but empty it would draw nothing until exit.
    interactive: stdout.isTTY === true,
    stderr: input.stderr as NodeJS.WriteStream,
    stdin: streams.stdin ?? process.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // The App's single exit() call passes the exit code through.
  const code = await instance.waitUntilExit();
  // The connection code goes to the scrollback once, as the generator wrote it (not laid out by Ink).
  if (after !== null) await new Promise<void>((resolve) => stdout.write(after as string, () => resolve()));
  return typeof code === 'number' ? code : 1;
}
