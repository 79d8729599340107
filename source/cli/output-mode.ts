/** The output mode of a command run, from its `--json`/`--plain` flags and the process it runs in. */
import { type OutputMode, resolveMode } from '../core/mode.ts';
import type { CliIo } from './io.ts';

/**
 * Resolves the mode and, for the interactive screen, carries `NO_COLOR` over to `FORCE_COLOR=0`:
 * chalk (used by Ink) ignores NO_COLOR, and it must be set before Ink is imported.
 */
export function outputModeFor(flags: { json: boolean; plain: boolean }, io: CliIo): OutputMode {
  const mode = resolveMode({
    json: flags.json,
    plain: flags.plain,
    env: io.env,
    stdinIsTTY: io.stdinIsTTY,
    stdoutIsTTY: io.stdoutIsTTY,
  });
  if (mode === 'interactive' && io.env.NO_COLOR && !io.env.FORCE_COLOR) io.env.FORCE_COLOR = '0';
  return mode;
}
