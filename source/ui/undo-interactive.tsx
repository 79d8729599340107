/** The interactive front-end of `sc-doctor undo` (only loaded in interactive mode). */
import { render } from 'ink';
import { UndoApp, type UndoScreenInput } from './UndoApp.tsx';

/** Renders the undo until it ends, and resolves with its exit code. */
export async function runUndoInteractive(
  input: UndoScreenInput,
  streams: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; stdin?: NodeJS.ReadStream },
): Promise<number> {
  const instance = render(<UndoApp input={input} />, {
    stdout: streams.stdout,
    stderr: streams.stderr,
    stdin: streams.stdin ?? process.stdin,
    interactive: streams.stdout.isTTY === true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const code = await instance.waitUntilExit();
  return typeof code === 'number' ? code : 1;
}
