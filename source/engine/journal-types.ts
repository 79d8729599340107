/**
 * What a run's journal holds (`~/.sc-doctor/runs/<run-id>.json`): the run, its steps and their
 * states, and what `undo --list` shows of it. journal.ts reads and writes it; journal-document.ts
 * checks a file against this shape before anything is undone from it.
 */
import type { LeftBehind, NotDone } from './events.ts';
import type { InFlightWrite, UndoRecord } from './step.ts';

/** Where a run stands. `running` or `rolling-back` in a journal whose process is gone: it was killed. */
export type RunStatus =
  | 'running'
  | 'rolling-back'
  | 'succeeded'
  /** Every step ran, some work went to a script (finish it with `setup --resume`): not done. */
  | 'handed-off'
  | 'rolled-back'
  | 'rollback-incomplete'
  | 'cancelled'
  /** Reversed later by `sc-doctor undo`. */
  | 'undone';

export type JournalStepState =
  | 'pending'
  | 'not-run'
  /** Written before `apply`; with a `record` when the step checkpointed one before its write. */
  | 'started'
  | 'applied'
  | 'already-done'
  | 'handed-off'
  | 'failed'
  | 'cancelled'
  /** Written before `undo`. */
  | 'undoing'
  | 'undone'
  | 'already-gone'
  | 'changed-since'
  | 'undo-failed';

export interface JournalStep {
  id: string;
  title: string;
  resource: string;
  after: string[];
  preview: string[];
  consent: string | null;
  state: JournalStepState;
  /** What `undo` needs; null when the step changed nothing here. */
  record: UndoRecord | null;
  /** 1, 2, 3... in the order steps finished applying: undo runs in reverse. */
  appliedOrder: number | null;
  scriptPath: string | null;
  /** Why it failed or could not be undone (redacted), or what the hand-off script does. */
  message: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** A write of this step (or of its undo) Azure was still running when last seen; null once it ended. */
  inFlight: InFlightWrite | null;
}

export interface RunDocument {
  version: 1;
  runId: string;
  /** The resource the run is locked on (the server's ARM id). */
  target: string;
  /** Which database's steps ran (`postgres`, `mysql`): `undo` needs that kind's undoers. */
  database?: string;
  /** The run whose hand-off this run finishes (`setup --resume`); that run's journal is left as it was. */
  resumes?: string;
  /** The process that ran it, to tell a live run from a killed one (start and host: a pid is reused). */
  pid: number;
  processStart?: string | null;
  host?: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  steps: JournalStep[];
  notDone: NotDone[];
  left: LeftBehind[];
}

/** A journal file that cannot be read: listed with its path and what to do, never undone. */
export interface UnreadableRun {
  runId: string;
  path: string;
  problem: string;
  fix: string;
}

/** One line of `sc-doctor undo --list`. */
export interface RunSummary {
  runId: string;
  target: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  /** Steps whose change is still in place as far as the journal knows. */
  changesInPlace: number;
  unfinished: boolean;
}

/** `loadRun` of an id that has no journal. */
export class UnknownRunError extends Error {
  constructor(readonly runId: string) {
    super(`there is no run ${runId}. Run sc-doctor undo --list to see the runs.`);
    this.name = 'UnknownRunError';
  }
}
