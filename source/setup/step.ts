/**
 * A setup step: one change to one resource, described before it is made, skipped when already made,
 * and undone only while it is still the change this run made. Steps are data plus async functions,
 * like the doctor's checks; the engine decides when each runs.
 *
 * Step ids are kebab-case and public API: they appear in the plan, the journal, `--json` output and
 * `sc-doctor undo`, and `undoFromJournal` finds a step's undo by its id.
 */
import type { JsonObject } from './plain-json.ts';

/** What `apply` returns so that `undo` can reverse it later, possibly in another process: plain JSON, no secrets. */
export type UndoRecord = JsonObject;

/** Passed to `preview`: the plan is built before anything is written. */
export interface PreviewContext {
  readonly signal: AbortSignal;
}

/** Passed to `undo`, both in the run that applied the step and from the journal after a crash. */
export interface UndoContext {
  readonly runId: string;
  /** Aborts when the step's time is up or the user stops waiting (second Ctrl-C). */
  readonly signal: AbortSignal;
  /** A short live detail shown beside the step, e.g. `waiting for Azure: InProgress`. */
  progress(detail: string): void;
}

/** How a finished dependency ended in this run. */
export type DependencyOutcome = 'applied' | 'already-done' | 'handed-off';

/** Passed to `isDone` and `apply`. */
export interface StepContext extends UndoContext {
  /** How a step listed in `after` ended (undefined for any other id). */
  outcomeOf(stepId: string): DependencyOutcome | undefined;
  /**
   * Writes `record` to the journal before the step sends its write (read the state, checkpoint, then
   * write). A run killed mid-write can then still be undone from the journal: `undo` finds the change,
   * or answers `already-gone` when it never happened. Optional, but every step whose write is a long
   * operation should use it.
   */
  checkpoint(record: UndoRecord): Promise<void>;
}

/**
 * What `undo` found and did. `changed-since` leaves the thing in place because it is no longer what this
 * run made (someone replaced the admin, edited the rule): removing it would destroy their change.
 */
export type UndoResult =
  | { status: 'undone' }
  | { status: 'already-gone'; reason: string }
  | { status: 'changed-since'; reason: string };

/**
 * Returned by `apply` (through `handOff()`) when the step's work was written to a script for someone
 * who can run it (inside the server's network, or the database's owner), instead of being done here;
 * or, without a script, when the step waits on such a hand-off (a check of what the script makes).
 * Either way the step is not done, and the run ends handed off.
 */
export class HandOff {
  constructor(
    /** The script to run, e.g. a psql file of the database statements; null when the step only waits. */
    readonly scriptPath: string | null,
    /** What the script does, one line. */
    readonly summary: string,
    /** Undo record for anything the step did change here (the script file itself is left). */
    readonly record: UndoRecord | null = null,
  ) {}
}

/** Ends a step as handed off: its statements are in `scriptPath` for someone who can run them. */
export function handOff(
  scriptPath: string | null,
  summary: string,
  record: UndoRecord | null = null,
): HandOff {
  return new HandOff(scriptPath, summary, record);
}

export interface Step<R extends UndoRecord = UndoRecord> {
  /** Kebab-case, unique in a plan, public API. */
  id: string;
  /** Shown in the plan and progress, e.g. `Entra authentication on pg-orders`. */
  title: string;
  /**
   * What the step writes: an ARM id or another stable key. Writes to one resource run one at a time
   * (Azure answers 409 while a server is Updating); different resources are written concurrently.
   * Compared case-insensitively, as ARM ids are.
   */
  resource: string;
  /** Ids of steps that must have finished first. */
  after?: readonly string[];
  /**
   * Why this change needs the user's yes before the run starts: it replaces or removes something, or
   * may restart a server. Absent when the change is purely additive.
   */
  consent?: string;
  /** This step's limit for `isDone` + `apply`, and separately for `undo`; the engine's default otherwise. */
  timeoutMs?: number;
  /** The lines the plan shows: what will change, and what stays as it is. Reads only. */
  preview(ctx: PreviewContext): Promise<string[]> | string[];
  /**
   * When the plan can already tell that the change is in place (from what the doctor read), the
   * words that say so on the plan's row, e.g. `already on`; undefined otherwise. Reads only and is
   * cheap; `isDone` still decides when the step runs.
   */
  alreadyDone?(ctx: PreviewContext): Promise<string | undefined> | string | undefined;
  /** The step only checks (verify): it is never counted as a change, and there is nothing to undo. */
  readOnly?: boolean;
  /** True when the change is already in place, so a re-run makes no write for this step. Reads only. */
  isDone(ctx: StepContext): Promise<boolean>;
  /**
   * Makes the change and returns how to undo it. Throw only when nothing changed: once a write may have
   * gone out (even if the signal aborted while waiting on it), return the record so the engine undoes it.
   */
  apply(ctx: StepContext): Promise<R | HandOff>;
  /** Reverses `apply`, after checking the thing is still the one this run made. Idempotent. */
  undo(ctx: UndoContext, record: R): Promise<UndoResult>;
  /** Commands a person can run to reverse `apply` when the engine cannot (printed, never run). */
  manualUndo(record: R): string[];
}

/** What `undoFromJournal` needs of a step: found by id, given the record from the journal. */
export type StepUndoer = Pick<Step, 'id' | 'title' | 'undo' | 'manualUndo' | 'timeoutMs'>;

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True for ids like `entra-admin`, `firewall-rule-2`. */
export function isKebabCase(id: string): boolean {
  return KEBAB_CASE.test(id);
}
