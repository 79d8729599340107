/**
 * Runs one step of a plan: `isDone`, then `apply`, within the step's time limit, with its checkpoint
 * and writes in flight journalled, and says how it ended and what the rollback would have to undo.
 * Until the step checkpoints, the first Ctrl-C aborts it; from then on it is writing, and only the
 * second Ctrl-C or its time limit abort it (docs/setup-engine.md, "Writes in flight").
 */
import { startDeadline } from '../core/deadline.ts';
import { UsageError } from '../core/usage-error.ts';
import { reportingWaitsTo } from '../core/wait-reports.ts';
import type { LeftBehind, StepOutcome } from './events.ts';
import { assertPlainJson, isJsonObject } from './plain-json.ts';
import type { RunRecorder } from './recorder.ts';
import type { RollbackEntry } from './rollback.ts';
import { assertNoSecrets, redactSecrets } from './secret-scrubber.ts';
import {
  changedNothing,
  type DependencyOutcome,
  HandOff,
  type InFlightWrite,
  type Step,
  type StepContext,
  type UndoRecord,
} from './step.ts';
import { storageError } from './storage-error.ts';

/** Long enough for the slowest ARM operation a step waits on (enabling Entra auth can restart a server). */
export const DEFAULT_STEP_TIMEOUT_MS = 15 * 60_000;
/** How long a step that ignores its aborted signal is waited for before the engine gives up on it. */
export const DEFAULT_GRACE_MS = 10_000;

/**
 * Shown once when Ctrl-C comes while a step's write is in flight, and before its later progress. The
 * point comes first: a screen cuts a row's detail to its width.
 */
const FINISHING_WRITE = 'finishing the change Azure started, then undoing it (Ctrl-C again to stop waiting)';
const FINISHING_PREFIX = 'finishing, then undoing: ';

/** What the steps of one run share: what to roll back, what went wrong first, how each ended. */
export class RunState {
  /** What the rollback undoes, in the order the changes were made (or may have been). */
  readonly applied: RollbackEntry[] = [];
  /** Changes nothing can say anything about (a step that ignored its time limit mid-change). */
  readonly uncertain: LeftBehind[] = [];
  readonly handedOff: { id: string; title: string; scriptPath: string; summary: string }[] = [];
  /** How each finished step ended, for the steps that come after it. */
  readonly outcomes = new Map<string, DependencyOutcome>();
  /** The first step that failed: no step starts after it. */
  failure: { id: string; title: string; message: string } | null = null;

  /** Keeps a change for the rollback; its place in the undo order (1, 2, 3...). */
  keep(entry: RollbackEntry): number {
    this.applied.push(entry);
    return this.applied.length;
  }

  fail(step: Pick<Step, 'id' | 'title'>, message: string): void {
    this.failure ??= { id: step.id, title: step.title, message };
  }
}

/** What the run gives every step it runs. */
export interface StepRun {
  runId: string;
  recorder: RunRecorder;
  state: RunState;
  /** First Ctrl-C or SIGTERM. */
  signal: AbortSignal;
  /** Second Ctrl-C. */
  stopSignal: AbortSignal | undefined;
  stepTimeoutMs: number;
  graceMs: number;
  now: () => number;
}

/** How a step ended, as the run's result reports it. */
export interface StepRunEnd {
  outcome: StepOutcome;
  message: string | null;
  scriptPath: string | null;
  elapsedMs: number;
}

/**
 * Runs `step`: journals its start, checkpoint, writes in flight and end (each through the recorder),
 * and notes in the run's state what the rollback must undo and whether the run failed. Never throws.
 */
export async function runStep(step: Step, run: StepRun): Promise<StepRunEnd> {
  const { recorder, state, signal, stopSignal, now } = run;
  const startedAt = now();
  const ended = (outcome: StepOutcome, message: string | null, scriptPath: string | null = null) => ({
    outcome,
    message,
    scriptPath,
    elapsedMs: Math.max(0, now() - startedAt),
  });

  try {
    await recorder.stepStarted(step, startedAt);
  } catch (error) {
    // Nothing was written to Azure yet: a run that cannot journal must not change anything.
    const message = `could not write the journal: ${messageOf(error)}`;
    state.fail(step, message);
    const end = ended('failed', message);
    recorder.stepUnjournalled(step, end);
    return end;
  }

  let checkpoint: UndoRecord | null = null;
  let inFlight: InFlightWrite | null = null;
  // Until the step checkpoints, the first Ctrl-C aborts it. From then on it is writing: cutting the
  // write off would leave Azure working on it while the rollback reads the state before it, so only
  // the second Ctrl-C or the step's time limit abort it; the first lets it end, then it is undone.
  const halt = new AbortController();
  let writing = false;
  const progress = (detail: string) => recorder.stepProgress(step, detail, now() - startedAt);
  const onCancel = () => {
    if (!writing) halt.abort(signal.reason);
    else progress(FINISHING_WRITE);
  };
  const onStop = () => halt.abort(stopSignal?.reason);
  if (signal.aborted) onCancel();
  else signal.addEventListener('abort', onCancel, { once: true });
  if (stopSignal?.aborted) onStop();
  else stopSignal?.addEventListener('abort', onStop, { once: true });
  const deadline = startDeadline(step.timeoutMs ?? run.stepTimeoutMs, halt.signal);
  const ctx: StepContext = {
    runId: run.runId,
    signal: deadline.signal,
    progress: (detail) => progress(writing && signal.aborted ? `${FINISHING_PREFIX}${detail}` : detail),
    outcomeOf: (id) => ((step.after ?? []).includes(id) ? state.outcomes.get(id) : undefined),
    checkpoint: async (record) => {
      // Cancelled before the write went out: send nothing.
      if (deadline.signal.aborted) throw deadline.signal.reason;
      checkKeepable(record, `${step.id} checkpoint`);
      await recorder.checkpoint(step, record);
      checkpoint = record;
      writing = true;
    },
    inFlight: (write) => {
      inFlight = write;
      recorder.inFlight(step, write);
    },
  };
  // Waits deep in a request (Azure throttling) are shown on this step's row.
  const work = reportingWaitsTo(ctx.progress, async () => {
    if (await step.isDone(ctx)) return 'already-done' as const;
    // Aborted while isDone was reading: nothing was written yet, so write nothing.
    if (deadline.signal.aborted) throw deadline.signal.reason;
    return step.apply(ctx);
  });
  const settled = await settleWithin(work, deadline.signal, run.graceMs);
  deadline.dispose();
  signal.removeEventListener('abort', onCancel);
  stopSignal?.removeEventListener('abort', onStop);
  const stoppedBy = signal.aborted ? 'cancelled' : 'failed';
  const stopMessage = (error: unknown) =>
    deadline.timedOut ? deadline.signal.reason.message : signal.aborted ? 'cancelled' : messageOf(error);

  if (settled.kind === 'abandoned') {
    const message = `${stopMessage(undefined)}; stopped waiting for it after ${run.graceMs / 1000}s more`;
    if (checkpoint) state.keep({ step, record: checkpoint, inFlight });
    else
      state.uncertain.push({
        id: step.id,
        title: step.title,
        reason: `stopped waiting for it mid-change: check ${step.resource}`,
        commands: [],
      });
    if (stoppedBy === 'failed') state.fail(step, message);
    const end = ended(stoppedBy, message);
    await recorder.stepEnded(step, end, { message });
    return end;
  }
  if (settled.kind === 'error') {
    const message = stopMessage(settled.error);
    // A step that checkpointed may have sent its write before it failed: undo verifies and finds out.
    // Not when Azure refused the write outright: nothing changed, and an "undo" would revert what
    // someone else made (another run's write that the refusal was about).
    const refused = changedNothing(settled.error);
    if (checkpoint && !refused) state.keep({ step, record: checkpoint, inFlight });
    if (stoppedBy === 'failed') state.fail(step, message);
    const end = ended(stoppedBy, message);
    await recorder.stepEnded(step, end, { message, ...(refused ? { record: null, inFlight: null } : {}) });
    return end;
  }
  const value = settled.value;
  if (value === 'already-done') {
    state.outcomes.set(step.id, 'already-done');
    const end = ended('already-done', null);
    await recorder.stepEnded(step, end);
    return end;
  }

  const isHandOff = value instanceof HandOff;
  // A check changed nothing: there is nothing to undo, so no rollback and no `undo` lists it.
  const record = step.readOnly ? null : isHandOff ? value.record : value;
  try {
    if (record !== null) checkKeepable(record, `${step.id} undo record`);
  } catch (error) {
    // The change was made: undo it from memory, but never write the record.
    state.keep({ step, record: record as UndoRecord });
    const message = `the step returned an undo record that cannot be kept: ${messageOf(error)}`;
    state.fail(step, message);
    const end = ended('failed', message);
    await recorder.stepEnded(step, end, { message });
    return end;
  }
  const appliedOrder = record !== null ? state.keep({ step, record }) : null;
  const scriptPath = isHandOff ? value.scriptPath : null;
  if (isHandOff && value.scriptPath !== null)
    state.handedOff.push({
      id: step.id,
      title: step.title,
      scriptPath: value.scriptPath,
      summary: value.summary,
    });
  const outcome: DependencyOutcome = isHandOff ? 'handed-off' : 'applied';
  const end = ended(outcome, isHandOff ? value.summary : null, scriptPath);
  try {
    await recorder.stepKept(step, end, {
      ...(isHandOff ? { scriptPath, message: value.summary } : {}),
      record,
      appliedOrder,
      inFlight: null,
    });
  } catch (error) {
    const message = `could not write the journal: ${messageOf(error)}`;
    state.fail(step, message);
    const failed = ended('failed', message, scriptPath);
    recorder.stepUnjournalled(step, failed);
    return failed;
  }
  state.outcomes.set(step.id, outcome);
  return end;
}

type Settled<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'abandoned' };

/** Waits for `work`; once `signal` aborts, waits at most `graceMs` more before giving up on it. */
function settleWithin<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve({ kind: 'abandoned' }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work
      .then(
        (value) => resolve({ kind: 'value', value }),
        (error: unknown) => resolve({ kind: 'error', error }),
      )
      .finally(() => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
  });
}

function checkKeepable(record: unknown, path: string): asserts record is UndoRecord {
  if (!isJsonObject(record)) throw new Error(`${path} must be a JSON object`);
  assertPlainJson(record, path);
  assertNoSecrets(record, path);
}

/**
 * Why a step or an undo failed, in words, with anything like a secret cut out: a file system refusal
 * as a `StorageError` says (what, where, why) with its fix, never Node's raw
 * `EACCES: permission denied, open '...'`.
 */
export function messageOf(error: unknown): string {
  const described = storageError(error, 'use', 'a file');
  if (described instanceof UsageError)
    return redactSecrets([described.message, ...described.hints].join(' '));
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
