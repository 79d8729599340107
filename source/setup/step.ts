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

/**
 * A write Azure accepted and runs as a long-running operation: where to ask whether it has ended
 * (`Azure-AsyncOperation` and/or `Location` of its first answer), and what it does, for messages.
 */
export interface InFlightWrite {
  statusUrl: string | null;
  resultUrl: string | null;
  what: string;
}

/** Passed to `undo`, both in the run that applied the step and from the journal after a crash. */
export interface UndoContext {
  readonly runId: string;
  /** Aborts when the step's time is up or the user stops waiting (second Ctrl-C). */
  readonly signal: AbortSignal;
  /** A short live detail shown beside the step, e.g. `waiting for Azure: InProgress`. */
  progress(detail: string): void;
  /**
   * Notes that the write just sent runs on in Azure as `write` (`writeArm` calls it). The journal keeps
   * it until the write is seen to end, and no undo of this step decides before it has ended: a run
   * cancelled, stopped or killed mid-write is undone against the resource as the write left it, not
   * against the state before the write landed.
   */
  inFlight(write: InFlightWrite): void;
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
   *
   * From the checkpoint on the step is writing: the first Ctrl-C no longer aborts `signal` (a write
   * cut off half way leaves Azure still working on it); the engine lets the write end, within the
   * step's time limit, and then undoes it. The second Ctrl-C or the time limit still abort it.
   */
  checkpoint(record: UndoRecord): Promise<void>;
}

const NOTHING_CHANGED = Symbol.for('sc-doctor.nothingChanged');

/**
 * Marks an error `apply` throws after its checkpoint as one that changed nothing: Azure refused the
 * write outright (a 4xx first answer: busy, conflict, invalid, forbidden). The engine then undoes
 * nothing for the step, so a refused write never "undoes" what another run made. `writeArm` marks
 * its refusals; a step that changed something before a refused write must return its record instead.
 */
export function nothingChanged<E extends Error>(error: E): E {
  Object.defineProperty(error, NOTHING_CHANGED, { value: true });
  return error;
}

/** True for an error marked by `nothingChanged`. */
export function changedNothing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && NOTHING_CHANGED in error;
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
   * After a checkpoint, a thrown error means "may have changed" unless it is marked `nothingChanged`.
   */
  apply(ctx: StepContext): Promise<R | HandOff>;
  /**
   * Reverses `apply`, after checking the thing is still the one this run made: it reads the resource
   * as it is now and reverts only what its own write changed there (a value someone else set since is
   * `changed-since`, a value back as before is `already-gone`). Any write of this step still in flight
   * has ended before it is called. Idempotent.
   */
  undo(ctx: UndoContext, record: R): Promise<UndoResult>;
  /** Commands a person can run to reverse `apply` when the engine cannot (printed, never run). */
  manualUndo(record: R): string[];
}

/**
 * What a rollback needs of a step: its undo and the commands a person runs instead. `readOnly` marks
 * a check: it changed nothing, so `undo` passes over it (journals of earlier versions kept a record
 * for it).
 */
export type Undoable = Pick<Step, 'id' | 'title' | 'undo' | 'manualUndo' | 'timeoutMs' | 'readOnly'>;

/** What the journal says about the run a record comes from, to check the record against. */
export interface RecordOrigin {
  runId: string;
  /** The resource the run was locked on (the server's ARM id). */
  target: string;
  /** The step's own resource, title and plan lines as the journal holds them. */
  resource: string;
  title: string;
  preview: readonly string[];
}

/**
 * What `undoFromJournal` needs of a step: found by id, given the record from the journal once
 * `checkRecord` found nothing wrong with it (a journal is a file a person can edit).
 */
export interface StepUndoer extends Undoable {
  /**
   * What is wrong with a record read from a journal: its shape, and whether it carries this run's
   * mark (its server is the run's, the firewall rule is named for the run, the admin or role is the
   * one the plan named). Empty when it may be undone.
   */
  checkRecord(record: UndoRecord, origin: RecordOrigin): string[];
}

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True for ids like `entra-admin`, `firewall-rule-2`. */
export function isKebabCase(id: string): boolean {
  return KEBAB_CASE.test(id);
}
