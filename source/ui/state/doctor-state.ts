/**
 * The doctor screen's state as a pure reducer: core events and key actions go in, a plain object
 * comes out. Nothing here renders, reads the clock or touches the terminal, so every transition is
 * unit-testable without Ink.
 */

import { ExitCode, exitCodeFor } from '../../core/exit-codes.ts';
import { summarize } from '../../core/run-checks.ts';
import type { CheckOutcome, DoctorSummary } from '../../core/types.ts';
import { UsageError } from '../../core/usage-error.ts';
import type { RunEvent } from '../../run/events.ts';

/** `waiting` = announced but not started (its `needs` are still running). */
export type RowPhase = 'waiting' | 'running' | 'done';

export interface RowState {
  id: string;
  title: string;
  phase: RowPhase;
  /** When the UI learnt the check started (UI clock, not the core's), for the elapsed counter. */
  startedAt: number | null;
  /** The core reported the check as slow (`check:slow`). */
  slow: boolean;
  /** Why it is slow, when the core said (`Azure is throttling: asking again in 30 s`). */
  waitDetail?: string;
  outcome: CheckOutcome | null;
  /** Full details shown (toggled with enter). */
  expanded: boolean;
}

export interface DoctorState {
  rows: RowState[];
  /** Index into `rows` of the highlighted row. */
  selected: number;
  /** The user moved the selection; until then it jumps to the first problem when the run ends. */
  moved: boolean;
  /** `doctor:end` arrived. */
  finished: boolean;
  summary: DoctorSummary | null;
  /** `run()` itself rejected: a bug, or (with `usageHints`) a usage or configuration error. */
  runError: string | null;
  /**
   * The run stopped on a usage or configuration error raised after start (an unsafe ~/.sc-doctor, a
   * server another run holds): its hints (the `Fix:` line). Shown with the message, exit 2, as plain
   * mode does; null for any other error.
   */
  usageHints: string[] | null;
  /** Set once the user quits; the lifecycle root exits with it after the final frame renders. */
  exitCode: number | null;
  /** Whether new rows start expanded (`--verbose`). */
  expandByDefault: boolean;
  /** The user left before every check finished: unfinished rows end as "cancelled", not spinning. */
  cancelled: boolean;
}

export type DoctorAction =
  | { type: 'event'; event: RunEvent; at: number }
  | { type: 'move'; delta: number }
  | { type: 'toggle-details' }
  | { type: 'run-failed'; message: string; usageHints?: string[] }
  | { type: 'quit'; strict: boolean }
  | { type: 'cancel' };

/** The action for a run that rejected: a usage error keeps its hints (the fix), anything else is a crash. */
export function runFailed(error: unknown): Extract<DoctorAction, { type: 'run-failed' }> {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof UsageError
    ? { type: 'run-failed', message, usageHints: [...error.hints] }
    : { type: 'run-failed', message };
}

export function initialDoctorState(options: { verbose?: boolean } = {}): DoctorState {
  return {
    rows: [],
    selected: 0,
    moved: false,
    finished: false,
    summary: null,
    runError: null,
    usageHints: null,
    exitCode: null,
    expandByDefault: options.verbose ?? false,
    cancelled: false,
  };
}

export function doctorReducer(state: DoctorState, action: DoctorAction): DoctorState {
  if (state.exitCode !== null) return state;
  switch (action.type) {
    case 'event':
      return applyEvent(state, action.event, action.at);
    case 'move':
      return moveSelection(state, action.delta);
    case 'toggle-details': {
      const row = state.rows[state.selected];
      if (!row) return state;
      return updateRow(state, row.id, { expanded: !row.expanded });
    }
    case 'run-failed':
      // A usage error ends the run at once with exit 2 (plain mode prints it and leaves too).
      return action.usageHints
        ? {
            ...state,
            runError: action.message,
            usageHints: action.usageHints,
            finished: true,
            exitCode: exitCodeFor({ cancelled: false, usage: true }),
          }
        : { ...state, runError: action.message, finished: true };
    case 'quit': {
      const exitCode = quitExitCode(state, action.strict);
      return { ...state, exitCode, cancelled: exitCode === ExitCode.Cancelled && hasUnfinished(state) };
    }
    case 'cancel':
      return { ...state, exitCode: exitCodeFor({ cancelled: true }), cancelled: hasUnfinished(state) };
  }
}

/**
 * Quitting before the doctor finished is a cancel (the results are incomplete); afterwards the exit
 * code is the doctor's own (warnings fail only with `--strict`).
 */
export function quitExitCode(state: DoctorState, strict: boolean): number {
  return exitCodeFor({
    cancelled: !state.finished && state.runError === null,
    crashed: state.runError !== null,
    doctor: state.summary ?? summarize(finishedOutcomes(state)),
    strict,
  });
}

/**
 * Per-status counts of finished rows, plus the rows still running and those waiting for a check
 * they need (a waiting row is not running yet), for the summary line.
 */
export function countRows(state: DoctorState): {
  summary: DoctorSummary;
  unfinished: number;
  running: number;
  waiting: number;
} {
  const running = state.rows.filter((row) => row.phase === 'running').length;
  const waiting = state.rows.filter((row) => row.phase === 'waiting').length;
  return { summary: summarize(finishedOutcomes(state)), unfinished: running + waiting, running, waiting };
}

function hasUnfinished(state: DoctorState): boolean {
  return state.rows.some((row) => row.phase !== 'done');
}

/** The outcome of a finished check by id, e.g. `signin` for the header. */
export function outcomeById(state: DoctorState, id: string): CheckOutcome | null {
  return state.rows.find((row) => row.id === id)?.outcome ?? null;
}

function finishedOutcomes(state: DoctorState): CheckOutcome[] {
  return state.rows.flatMap((row) => (row.outcome ? [row.outcome] : []));
}

function applyEvent(state: DoctorState, event: RunEvent, at: number): DoctorState {
  switch (event.type) {
    case 'doctor:start':
      return {
        ...state,
        selected: 0,
        finished: false,
        summary: null,
        rows: event.checks.map(({ id, title }) => newRow(state, id, title)),
      };
    case 'check:start':
      return upsertRow(state, event.id, event.title, { phase: 'running', startedAt: at, slow: false });
    case 'check:slow':
      return upsertRow(state, event.id, event.title, {
        slow: true,
        ...(event.detail ? { waitDetail: event.detail } : {}),
      });
    case 'check:end':
      return upsertRow(state, event.outcome.id, event.outcome.title, {
        phase: 'done',
        outcome: event.outcome,
      });
    case 'doctor:end': {
      // The runner already sent every check:end; folding the outcomes in again keeps the screen right
      // even if a listener was attached late.
      let next: DoctorState = { ...state, finished: true, summary: event.summary };
      for (const outcome of event.outcomes) {
        next = upsertRow(next, outcome.id, outcome.title, { phase: 'done', outcome });
      }
      return next.moved ? next : { ...next, selected: firstProblem(next) ?? next.selected };
    }
    default:
      // Setup's plan, step and rollback events belong to other screens.
      return state;
  }
}

const PROBLEMS = new Set(['fail', 'error', 'timeout']);

/** The first failed row, else the first warning: what the user most likely wants to read. */
function firstProblem(state: DoctorState): number | null {
  for (const wanted of [PROBLEMS, new Set(['warn'])]) {
    const index = state.rows.findIndex((row) => row.outcome && wanted.has(row.outcome.status));
    if (index >= 0) return index;
  }
  return null;
}

function newRow(state: DoctorState, id: string, title: string): RowState {
  return {
    id,
    title,
    phase: 'waiting',
    startedAt: null,
    slow: false,
    outcome: null,
    expanded: state.expandByDefault,
  };
}

/** Updates a row, or appends it when the core reports a check that `doctor:start` did not announce. */
function upsertRow(state: DoctorState, id: string, title: string, patch: Partial<RowState>): DoctorState {
  if (state.rows.some((row) => row.id === id)) return updateRow(state, id, patch);
  return { ...state, rows: [...state.rows, { ...newRow(state, id, title), ...patch }] };
}

function updateRow(state: DoctorState, id: string, patch: Partial<RowState>): DoctorState {
  return { ...state, rows: state.rows.map((row) => (row.id === id ? { ...row, ...patch } : row)) };
}

function moveSelection(state: DoctorState, delta: number): DoctorState {
  if (state.rows.length === 0) return state;
  const selected = Math.min(state.rows.length - 1, Math.max(0, state.selected + delta));
  return { ...state, selected, moved: true };
}
