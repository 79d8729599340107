/**
 * The output mode is decided once, by a pure function of argv flags, environment and TTYs.
 * Only `interactive` ever imports Ink.
 */
export type OutputMode = 'json' | 'plain' | 'interactive';

export interface ModeInput {
  json: boolean;
  plain: boolean;
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
}

/** `CI` counts unless it is empty, `0` or `false` (the convention of is-in-ci). */
export function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) {
    const value = env[name];
    if (value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false') return true;
  }
  return false;
}

/**
 * The mode for these flags and this process: a flag wins, then CI or a dumb terminal means plain, and
 * only stdin and stdout both on a TTY mean interactive.
 */
export function resolveMode(input: ModeInput): OutputMode {
  if (input.json) return 'json';
  if (input.plain) return 'plain';
  if (isCI(input.env) || input.env.TERM === 'dumb') return 'plain';
  if (!input.stdinIsTTY || !input.stdoutIsTTY) return 'plain';
  return 'interactive';
}

/**
 * Whether colour is on. `NO_COLOR` (any non-empty value) turns it off, `FORCE_COLOR` (other than
 * `0`/`false`) turns it on even without a TTY; JSON never has colour.
 */
export function colorEnabled(
  mode: OutputMode,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): boolean {
  if (mode === 'json') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}
