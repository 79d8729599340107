/**
 * A pair's verdict from its checks. `fail`: a check found something wrong (and could look); `unknown`:
 * something needed could not be read at this permission level (a 403 behind a check that did not
 * pass), or a check could not finish: never a guess either way; `warn`: only warnings; `pass`.
 */
import type { CheckOutcome } from '../core/types.ts';
import type { Refusal } from './arm-reads.ts';

export type Verdict = 'fail' | 'unknown' | 'warn' | 'pass';

/** In the order reports group them: what to act on first. */
export const VERDICTS: readonly Verdict[] = ['fail', 'unknown', 'warn', 'pass'];

export const VERDICT_WORDS: Record<Verdict, string> = {
  fail: 'FAIL',
  unknown: 'unknown',
  warn: 'warn',
  pass: 'pass',
};

/** How a verdict is shown next to its word (never colour alone). */
export const VERDICT_GLYPHS: Record<Verdict, string> = { fail: '✖', unknown: '?', warn: '⚠', pass: '✔' };

export interface JudgedCheck {
  outcome: CheckOutcome;
  /** Reads Azure refused while this check ran. */
  refusals: Refusal[];
}

/** Whether a check's result stands, or is "not determinable" because a read it needed was refused. */
export function undeterminable(check: JudgedCheck): boolean {
  const { status } = check.outcome;
  if (status === 'error' || status === 'timeout') return true;
  return check.refusals.length > 0 && status !== 'pass' && status !== 'skip';
}

/** The pair's verdict and the checks that make it. */
export function verdictOf(checks: readonly JudgedCheck[]): { verdict: Verdict; causes: string[] } {
  const failing = checks.filter((check) => check.outcome.status === 'fail' && !undeterminable(check));
  if (failing.length > 0) return { verdict: 'fail', causes: failing.map((check) => check.outcome.id) };
  const unknown = checks.filter(undeterminable);
  if (unknown.length > 0) return { verdict: 'unknown', causes: unknown.map((check) => check.outcome.id) };
  const warnings = checks.filter((check) => check.outcome.status === 'warn');
  if (warnings.length > 0) return { verdict: 'warn', causes: warnings.map((check) => check.outcome.id) };
  return { verdict: 'pass', causes: [] };
}
