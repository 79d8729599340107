/**
 * The doctor's data model: checks are data plus one async function, results are plain JSON.
 * Check ids are kebab-case and public API (they appear in `--json` output and the docs).
 */
import type { Services } from './services.ts';

/** Every status a check can end in. `error` = the check itself crashed; `timeout` = it ran too long. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error' | 'timeout';

/** What to do about a result that is not `pass`. Text is data so every front-end shows the same words. */
export interface Remediation {
  /** One sentence: the fix. */
  summary: string;
  /** Commands to run, in order, copy-pasteable: commands only, never a trailing `# comment`. */
  commands: string[];
  /**
   * Who a command is for (`Debian / Ubuntu`, `on the Windows host`), keyed by the command's exact
   * text. Front-ends show it on a line of its own above the command, so a pasted line runs only the
   * command and a wrapped label can never become one.
   */
  commandLabels?: Record<string, string>;
  docsUrl?: string;
  /** True when `sc-doctor setup` will fix this itself. */
  fixable: boolean;
}

/** What a check's `run` returns. */
export interface CheckResult {
  status: CheckStatus;
  /** One line shown next to the title, e.g. `2.67.0` or `AADSTS530003 · device must be managed`. */
  message: string;
  /** Further lines shown under the row when the result is not `pass` (or always with `--verbose`). */
  details?: string[];
  remediation?: Remediation;
  /** Facts other checks may read through `needs` (never secrets: no tokens). */
  data?: Record<string, unknown>;
  /**
   * True when nothing sc-doctor can do fixes this (AADSTS530003, missing RBAC, a server this machine
   * cannot reach and no hand-off): setup refuses to start while a blocking check fails.
   */
  blocking?: boolean;
}

/** A finished check as reported by the runner and every front-end. */
export interface CheckOutcome {
  id: string;
  title: string;
  status: CheckStatus;
  durationMs: number;
  message: string;
  details: string[];
  remediation: Remediation | null;
  data: Record<string, unknown>;
  /** See `CheckResult.blocking`; always false for pass, warn and skip. */
  blocking: boolean;
}

/** What a check is given; `O` are the options of the flow that runs it (the doctor's `DoctorOptions`). */
export interface CheckContext<O> {
  services: Services;
  options: O;
  signal: AbortSignal;
  /** Outcome of a check listed in `needs` or `wants` (undefined for any other id). */
  outcomeOf(id: string): CheckOutcome | undefined;
}

export type CheckPhase = 'base' | 'target';

export interface Check<O> {
  id: string;
  title: string;
  /** Ids of checks that must finish first. If one of them did not pass or warn, this check is skipped. */
  needs?: string[];
  /**
   * Ids of checks to wait for and read through `outcomeOf`, whatever their status: this check still
   * runs when one of them fails or is skipped (e.g. RBAC evaluates the server part without an app).
   */
  wants?: string[];
  /** Per-check timeout; the runner's default applies when absent. */
  timeoutMs?: number;
  /**
   * `base` (the default) checks the machine and the account; `target` checks a server or an app and
   * runs after the target is known (from flags, or chosen interactively once the base checks are done).
   * A target check may `need` base checks.
   */
  phase?: CheckPhase;
  run(ctx: CheckContext<O>): Promise<CheckResult>;
}

export interface DoctorSummary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  error: number;
  timeout: number;
}
