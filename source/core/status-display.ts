/**
 * How a status is shown: a glyph and a word, always together (colour is never the only signal).
 * Shared by the plain reporter and the Ink screen so both say the same thing.
 */
import type { CheckStatus } from './types.ts';

export interface StatusLook {
  glyph: string;
  /** ASCII stand-in for terminals without Unicode. */
  ascii: string;
  word: string;
  /** Ink/chalk colour name. */
  color: 'green' | 'yellow' | 'red' | 'gray' | 'magenta';
}

export const STATUS_LOOK: Record<CheckStatus, StatusLook> = {
  pass: { glyph: '✔', ascii: '+', word: 'pass', color: 'green' },
  warn: { glyph: '⚠', ascii: '!', word: 'warn', color: 'yellow' },
  fail: { glyph: '✖', ascii: 'x', word: 'FAIL', color: 'red' },
  skip: { glyph: '○', ascii: '-', word: 'skip', color: 'gray' },
  error: { glyph: '✖', ascii: 'x', word: 'ERROR', color: 'magenta' },
  timeout: { glyph: '◷', ascii: '~', word: 'TIMEOUT', color: 'red' },
};

/**
 * Summary line, e.g. `4 passed · 1 warning · 1 failed · 1 running · 2 waiting`. Zero counts are left
 * out. `waiting` rows have not started (they need a check still running).
 */
export function summaryText(summary: Record<CheckStatus, number>, running = 0, waiting = 0): string {
  const parts: string[] = [];
  const add = (n: number, one: string, many: string) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(summary.pass, 'passed', 'passed');
  add(summary.warn, 'warning', 'warnings');
  add(summary.fail, 'failed', 'failed');
  add(summary.error, 'error', 'errors');
  add(summary.timeout, 'timed out', 'timed out');
  add(summary.skip, 'skipped', 'skipped');
  add(running, 'running', 'running');
  add(waiting, 'waiting', 'waiting');
  return parts.length > 0 ? parts.join(' · ') : 'no checks';
}
