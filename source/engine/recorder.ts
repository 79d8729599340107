/**
 * Where a run's transitions are written down: each one a step or an undo goes through becomes exactly
 * one journal write and one event, in the order that keeps the journal honest. A change is journalled
 * before it is announced (a kept change the journal does not hold must fail its step); everything else
 * is announced first and journalled after, so a front-end never waits on the disk. Checkpoints and
 * writes in flight are records of the step under way, not transitions: journal only.
 */
import type { EmitEngineEvent, LeftBehind, RollbackOutcome, StepOutcome } from './events.ts';
import type { JournalStepState, RunStatus, RunWriter } from './journal.ts';
import { redactSecrets } from './secret-scrubber.ts';
import type { InFlightWrite, UndoRecord } from './step.ts';

/** A step as the events name it. */
export interface RecordedStep {
  id: string;
  title: string;
}

/** How a step ended, for its `step:end` event. */
export interface StepEnd {
  outcome: StepOutcome;
  elapsedMs: number;
  /** Why it failed, or what the hand-off script does. */
  message: string | null;
  scriptPath: string | null;
}

/** What the journal keeps of a step's end, beyond its state. */
export interface StepEndFields {
  message?: string | null;
  scriptPath?: string | null;
  record?: UndoRecord | null;
  appliedOrder?: number | null;
  inFlight?: InFlightWrite | null;
}

const UNDO_STATE: Record<Exclude<RollbackOutcome, 'abandoned'>, JournalStepState> = {
  undone: 'undone',
  'already-gone': 'already-gone',
  'changed-since': 'changed-since',
  failed: 'undo-failed',
};

export class RunRecorder {
  /** Journal writes of the rollback that failed (the rollback went on without them). */
  readonly journalErrors: string[] = [];

  constructor(
    /** Absent when there is no journal to keep (nothing is written, the events still go out). */
    private readonly writer: RunWriter | undefined,
    private readonly emit: EmitEngineEvent,
    private readonly now: () => number,
  ) {}

  /** `step:start`, then the `started` state. Throws when the journal cannot be written: change nothing then. */
  async stepStarted(step: RecordedStep, at: number): Promise<void> {
    this.emit({ type: 'step:start', id: step.id, title: step.title, at });
    await this.writer?.updateStep(step.id, (s) => {
      s.state = 'started';
      s.startedAt = new Date(at).toISOString();
    });
  }

  /** A live detail of the step under way (an event only: progress is not kept). */
  stepProgress(step: RecordedStep, detail: string, elapsedMs: number): void {
    this.emit({ type: 'step:progress', id: step.id, detail, elapsedMs });
  }

  /** The record a step keeps before it sends its write (see `StepContext.checkpoint`). Throws when not kept. */
  async checkpoint(step: RecordedStep, record: UndoRecord): Promise<void> {
    await this.writer?.updateStep(step.id, (s) => {
      s.record = record;
    });
  }

  /** The write a step (or its undo) left running in Azure; kept as well as the journal can. */
  inFlight(step: RecordedStep, write: InFlightWrite): void {
    this.writer
      ?.updateStep(step.id, (s) => {
        s.inFlight = write;
      })
      .catch(() => {});
  }

  /**
   * A step that ended without a change to keep (already done, failed, cancelled, not run): `step:end`,
   * then its state. A failed journal write is let go: the run goes on to its end or its rollback.
   */
  async stepEnded(step: RecordedStep, end: StepEnd, fields: StepEndFields = {}): Promise<void> {
    this.#emitEnd(step, end);
    await this.#writeEnd(step, end.outcome, fields).catch(() => {});
  }

  /** A step that could not even journal its start: `step:end` only, the journal being what failed. */
  stepUnjournalled(step: RecordedStep, end: StepEnd): void {
    this.#emitEnd(step, end);
  }

  /**
   * A change to keep (applied, handed off): its state and record first, then `step:end`. Throws when the
   * journal cannot hold it, and emits nothing then: the caller fails the step instead.
   */
  async stepKept(step: RecordedStep, end: StepEnd, fields: StepEndFields): Promise<void> {
    await this.#writeEnd(step, end.outcome, fields);
    this.#emitEnd(step, end);
  }

  /** The run's status (and what it left), once it is known. A failed write is let go. */
  async runStatus(status: RunStatus, left?: LeftBehind[]): Promise<void> {
    await this.runStatusOrThrow(status, left).catch(() => {});
  }

  /** The run's status, for a caller that must not go on when the journal cannot say it (`undo`). */
  async runStatusOrThrow(status: RunStatus, left?: LeftBehind[]): Promise<void> {
    await this.writer?.update((doc) => {
      doc.status = status;
      if (left) doc.left = left;
    });
  }

  /** The rollback begins: what it will undo, newest first (the run's status is the caller's to write). */
  rollbackStarted(runId: string, reason: 'failure' | 'cancelled' | 'undo', steps: RecordedStep[]): void {
    this.emit({ type: 'rollback:start', runId, reason, steps });
  }

  /** The rollback is over: whether it is complete, and what it left. */
  rollbackEnded(runId: string, complete: boolean, left: LeftBehind[]): void {
    this.emit({ type: 'rollback:end', runId, complete, left });
  }

  /** The `undoing` state, then `rollback:step-start`. */
  async undoStarted(step: RecordedStep, at: number): Promise<void> {
    await this.#writeUndo(step, 'undoing', null);
    this.emit({ type: 'rollback:step-start', id: step.id, title: step.title, at });
  }

  /** A live detail of an undo under way. */
  undoProgress(step: RecordedStep, detail: string, elapsedMs: number): void {
    this.emit({ type: 'rollback:progress', id: step.id, detail, elapsedMs });
  }

  /**
   * How an undo ended: its state (with the write it may have left running, for a failed one), then
   * `rollback:step-end`.
   */
  async undoEnded(
    step: RecordedStep,
    outcome: Exclude<RollbackOutcome, 'abandoned'>,
    reason: string | null,
    elapsedMs: number,
    inFlight: InFlightWrite | null,
  ): Promise<void> {
    await this.#writeUndo(step, UNDO_STATE[outcome], reason, inFlight);
    this.emit({ type: 'rollback:step-end', id: step.id, title: step.title, outcome, elapsedMs, reason });
  }

  /**
   * An undo the user stopped waiting for: `rollback:step-end` only. The journal keeps `undoing`, which
   * is the truth: it may or may not be undone.
   */
  undoAbandoned(step: RecordedStep, reason: string, elapsedMs: number): void {
    this.emit({
      type: 'rollback:step-end',
      id: step.id,
      title: step.title,
      outcome: 'abandoned',
      elapsedMs,
      reason,
    });
  }

  #emitEnd(step: RecordedStep, end: StepEnd): void {
    this.emit({ type: 'step:end', id: step.id, title: step.title, ...end });
  }

  #writeEnd(step: RecordedStep, state: JournalStepState, fields: StepEndFields): Promise<void> {
    return (
      this.writer?.updateStep(step.id, (s) => {
        s.state = state;
        s.endedAt = new Date(this.now()).toISOString();
        if (fields.message !== undefined) s.message = fields.message;
        if (fields.scriptPath !== undefined) s.scriptPath = fields.scriptPath;
        if (fields.record !== undefined) s.record = fields.record;
        if (fields.appliedOrder !== undefined) s.appliedOrder = fields.appliedOrder;
        if (fields.inFlight !== undefined) s.inFlight = fields.inFlight;
      }) ?? Promise.resolve()
    );
  }

  async #writeUndo(
    step: RecordedStep,
    state: JournalStepState,
    message: string | null,
    inFlight?: InFlightWrite | null,
  ): Promise<void> {
    try {
      await this.writer?.updateStep(step.id, (s) => {
        s.state = state;
        s.message = message;
        s.endedAt = new Date(this.now()).toISOString();
        if (inFlight !== undefined) s.inFlight = inFlight;
      });
    } catch (error) {
      this.journalErrors.push(redactSecrets(error instanceof Error ? error.message : String(error)));
    }
  }
}
