/** Tiny terminal helpers for the plain reporter: ANSI colour (only when enabled) and Unicode support. */
import type { StatusLook } from '../core/status-display.ts';

const CODES: Record<StatusLook['color'] | 'dim', [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  gray: [90, 39],
  magenta: [35, 39],
  dim: [2, 22],
};

/** Wraps `text` in a colour escape when `enabled`; returns it untouched otherwise. */
export function paint(text: string, color: keyof typeof CODES, enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = CODES[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * Whether the terminal shows glyphs like ✔ (the rule of the is-unicode-supported package): every
 * terminal but the Linux console outside Windows; on Windows only the known modern terminals.
 */
export function unicodeSupported(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): boolean {
  if (platform !== 'win32') return env.TERM !== 'linux';
  return (
    Boolean(env.WT_SESSION) ||
    Boolean(env.TERMINUS_SUBLIME) ||
    env.ConEmuTask === '{cmd::Cmder}' ||
    env.TERM_PROGRAM === 'Terminus-Sublime' ||
    env.TERM_PROGRAM === 'vscode' ||
    env.TERM === 'xterm-256color' ||
    env.TERM === 'alacritty' ||
    env.TERM === 'rxvt-unicode' ||
    env.TERM === 'rxvt-unicode-256color' ||
    env.TERMINAL_EMULATOR === 'JetBrains-JediTerm'
  );
}
