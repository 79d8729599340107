/**
 * The step engine: applies a plan's steps in dependency order, independent steps concurrently and
 * writes to one resource one at a time, journals every step before and after, and on a failure or
 * Ctrl-C undoes what it applied, newest first, once. What could not be undone is returned with the
 * commands that remove it. Live progress goes out as `EngineEvent`s through `emit`.
 */
import { startDeadline } from '../core/deadline.ts';
import { ExitCode } from '../core/exit-codes.ts';
import { reportingWaitsTo } from '../core/wait-reports.ts';
import type { EmitEngineEvent, LeftBehind, NotDone, RollbackOutcome, StepOutcome } from './engine-events.ts';
import type { Journal, JournalStepState } from './journal.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { assertPlainJson, isJsonObject } from './plain-json.ts';
import { type Confirm, gatherConsent, type Plan } from './plan.ts';
import { messageOf, type RollbackEntry, rollBack } from './rollback.ts';
import { assertNoSecrets } from './secret-scrubber.ts';
import {
  changedNothing,
  type DependencyOutcome,
  HandOff,
  type InFlightWrite,
  type Step,
  type StepContext,
  type UndoContext,
  type UndoRecord,
} from './step.ts';

/** Long enough for the slowest ARM operation a step waits on (enabling Entra auth can restart a server). */
export const DEFAULT_STEP_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_UNDO_TIMEOUT_MS = 15 * 60_000;
/** How long a step that ignores its aborted signal is waited for before the engine gives up on it. */
export const DEFAULT_GRACE_MS = 10_000;

/**
 * Shown once when Ctrl-C comes while a step's write is in flight, and before its later progress. The
 * point comes first: a screen cuts a row's detail to its width.
 */
const FINISHING_WRITE = 'finishing the change Azure started, then undoing it (Ctrl-C again to stop waiting)';
const FINISHING_PREFIX = 'finishing, then undoing: ';

/**
 * How a run ended. `handed-off`: every step ran, but some work was left to a script (and `--resume`):
 * not done, so neither `succeeded` nor exit 0.
 */
export type SetupStatus = 'succeeded' | 'handed-off' | 'rolled-back' | 'rollback-incomplete' | 'cancelled';

export interface StepReport {
  id: string;
  title: string;
  outcome: StepOutcome;
  /** How undoing it ended; null when it was not undone (nothing to undo, or the run succeeded). */
  rollback: RollbackOutcome | null;
  message: string | null;
  scriptPath: string | null;
  elapsedMs: number;
}

export interface SetupResult {
  runId: string;
  status: SetupStatus;
  /** 0 succeeded, 1 rolled back cleanly, 3 rollback incomplete, 4 handed off, 130 cancelled by the user. */
  exitCode: 0 | 1 | 3 | 4 | 130;
  /** The user stopped the run (Ctrl-C, SIGTERM). */
  cancelled: boolean;
  /** Every planned step that passed consent, in plan order. */
  steps: StepReport[];
  /** Steps left out because a consent was refused (the run may still have succeeded without them). */
  notDone: NotDone[];
  /** The first step that failed, or null. */
  failure: { id: string; title: string; message: string } | null;
  /** What this run changed and is still there, with the commands that remove it. */
  left: LeftBehind[];
  handedOff: { id: string; title: string; scriptPath: string; summary: string }[];
}

export interface RunSetupOptions {
  journal: Journal;
  /** The resource the run is locked on: the server's ARM id. */
  target: string;
  /** The kind of database the steps are for, kept in the journal so `undo` picks the right undoers. */
  database?: string;
  /** The run whose hand-off this one finishes, linked in the journal. */
  resumes?: string;
  emit?: EmitEngineEvent;
  /** Asked once per step with a `consent`, before any change. Required when a step has one. */
  confirm?: Confirm;
  /** First Ctrl-C or SIGTERM: stop, then undo what was applied. */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop waiting for the rollback and report what is left. */
  stopSignal?: AbortSignal;
  /**
   * Waits until a write Azure was still running has ended, however it ended (the flows poll the
   * operation Azure named for it). The rollback calls it before undoing a step whose write was cut
   * off in flight, so the undo reads the resource as the write left it.
   */
  settleWrite?: SettleWrite;
  stepTimeoutMs?: number;
  undoTimeoutMs?: number;
  graceMs?: number;
  now?: () => number;
}

/** See `RunSetupOptions.settleWrite`. */
export type SettleWrite = (write: InFlightWrite, ctx: UndoContext) => Promise<void>;

/** The exit code of a finished setup run. */
export function setupExitCode(status: SetupStatus, cancelled: boolean): SetupResult['exitCode'] {
  if (cancelled) return ExitCode.Cancelled;
  if (status === 'succeeded') return ExitCode.Success;
  if (status === 'handed-off') return ExitCode.HandedOff;
  if (status === 'rollback-incomplete') return ExitCode.RollbackIncomplete;
  return ExitCode.Failure;
}

interface Tracked {
  step: Step;
  outcome: StepOutcome | null;
  message: string | null;
  scriptPath: string | null;
  elapsedMs: number;
}

/**
 * Locks the target, asks the plan's consents, journals the plan and applies it. Throws before any
 * change for an invalid plan or a target another live run holds (`RunLockedError`); never throws
 * after the first change: every later problem is in the result.
 */
export async function runSetup(plan: Plan, options: RunSetupOptions): Promise<SetupResult> {
  const runId = options.journal.newRunId();
  // Locked before any question is asked: a server another run is changing is refused straight away.
  const lock = await options.journal.lock(options.target, runId);
  try {
    return await consentAndApply(plan, options, runId);
  } finally {
    await lock.release().catch(() => {});
  }
}

async function consentAndApply(plan: Plan, options: RunSetupOptions, runId: string): Promise<SetupResult> {
  const now = options.now ?? Date.now;
  const emit = isolated(options.emit);
  const signal = options.signal ?? new AbortController().signal;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const { journal } = options;

  const consented = await gatherConsent(plan, options.confirm);
  const kept = new Set(consented.steps.map((step) => step.id));
  const views = plan.views.filter((view) => kept.has(view.id));
  const tracked = new Map<string, Tracked>(
    consented.steps.map((step) => [
      step.id,
      { step, outcome: null, message: null, scriptPath: null, elapsedMs: 0 },
    ]),
  );
  const finish = (
    fields: Omit<SetupResult, 'runId' | 'steps' | 'notDone' | 'exitCode'>,
    rollback = new Map(),
  ) => {
    const result: SetupResult = {
      runId,
      ...fields,
      exitCode: setupExitCode(fields.status, fields.cancelled),
      notDone: consented.notDone,
      steps: [...tracked.values()].map((t) => ({
        id: t.step.id,
        title: t.step.title,
        outcome: t.outcome ?? 'not-run',
        rollback: rollback.get(t.step.id)?.outcome ?? null,
        message: t.message,
        scriptPath: t.scriptPath,
        elapsedMs: t.elapsedMs,
      })),
    };
    return result;
  };
  if (signal.aborted) {
    return finish({ status: 'cancelled', cancelled: true, failure: null, left: [], handedOff: [] });
  }

  const writer = await journal.create({
    runId,
    target: options.target,
    ...(options.database ? { database: options.database } : {}),
    ...(options.resumes ? { resumes: options.resumes } : {}),
    steps: views,
    notDone: consented.notDone,
  });
  emit({ type: 'plan:ready', runId, steps: views, notDone: consented.notDone });

  const applied: RollbackEntry[] = [];
  const uncertain: LeftBehind[] = [];
  const handedOff: SetupResult['handedOff'] = [];
  const dependencyOutcomes = new Map<string, DependencyOutcome>();
  let failure: SetupResult['failure'] = null;
  const stopLaunching = () => failure !== null || signal.aborted;
  const journalStep = (
    id: string,
    state: JournalStepState,
    fields: Partial<Record<'message' | 'scriptPath', string | null>> & {
      record?: UndoRecord | null;
      appliedOrder?: number | null;
      inFlight?: InFlightWrite | null;
    } = {},
  ) =>
    writer.updateStep(id, (step) => {
      step.state = state;
      step.endedAt = new Date(now()).toISOString();
      if (fields.message !== undefined) step.message = fields.message;
      if (fields.scriptPath !== undefined) step.scriptPath = fields.scriptPath;
      if (fields.record !== undefined) step.record = fields.record;
      if (fields.appliedOrder !== undefined) step.appliedOrder = fields.appliedOrder;
      if (fields.inFlight !== undefined) step.inFlight = fields.inFlight;
    });

  const end = (t: Tracked, outcome: StepOutcome, startedAt: number, message: string | null = null) => {
    t.outcome = outcome;
    t.message = message;
    t.elapsedMs = Math.max(0, now() - startedAt);
    emit({
      type: 'step:end',
      id: t.step.id,
      title: t.step.title,
      outcome,
      elapsedMs: t.elapsedMs,
      message,
      scriptPath: t.scriptPath,
    });
  };
  const fail = (t: Tracked, message: string) => {
    failure ??= { id: t.step.id, title: t.step.title, message };
  };

  const notRun = async (t: Tracked): Promise<null> => {
    end(t, 'not-run', now());
    await journalStep(t.step.id, 'not-run').catch(() => {});
    return null;
  };

  const runStep = async (t: Tracked): Promise<DependencyOutcome | null> => {
    const { step } = t;
    const startedAt = now();
    emit({ type: 'step:start', id: step.id, title: step.title, at: startedAt });
    try {
      await writer.updateStep(step.id, (s) => {
        s.state = 'started';
        s.startedAt = new Date(startedAt).toISOString();
      });
    } catch (error) {
      // Nothing was written to Azure yet: a run that cannot journal must not change anything.
      const message = `could not write the journal: ${messageOf(error)}`;
      fail(t, message);
      end(t, 'failed', startedAt, message);
      return null;
    }

    let checkpoint: UndoRecord | null = null;
    let inFlight: InFlightWrite | null = null;
    // Until the step checkpoints, the first Ctrl-C aborts it. From then on it is writing: cutting the
    // write off would leave Azure working on it while the rollback reads the state before it, so only
    // the second Ctrl-C or the step's time limit abort it; the first lets it end, then it is undone.
    const halt = new AbortController();
    let writing = false;
    const progress = (detail: string) =>
      emit({ type: 'step:progress', id: step.id, detail, elapsedMs: now() - startedAt });
    const onCancel = () => {
      if (!writing) halt.abort(signal.reason);
      else progress(FINISHING_WRITE);
    };
    const onStop = () => halt.abort(options.stopSignal?.reason);
    if (signal.aborted) onCancel();
    else signal.addEventListener('abort', onCancel, { once: true });
    if (options.stopSignal?.aborted) onStop();
    else options.stopSignal?.addEventListener('abort', onStop, { once: true });
    const deadline = startDeadline(
      step.timeoutMs ?? options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      halt.signal,
    );
    const ctx: StepContext = {
      runId,
      signal: deadline.signal,
      progress: (detail) => progress(writing && signal.aborted ? `${FINISHING_PREFIX}${detail}` : detail),
      outcomeOf: (id) => ((step.after ?? []).includes(id) ? dependencyOutcomes.get(id) : undefined),
      checkpoint: async (record) => {
        // Cancelled before the write went out: send nothing.
        if (deadline.signal.aborted) throw deadline.signal.reason;
        checkKeepable(record, `${step.id} checkpoint`);
        await writer.updateStep(step.id, (s) => {
          s.record = record;
        });
        checkpoint = record;
        writing = true;
      },
      inFlight: (write) => {
        inFlight = write;
        writer
          .updateStep(step.id, (s) => {
            s.inFlight = write;
          })
          .catch(() => {});
      },
    };
    // Waits deep in a request (Azure throttling) are shown on this step's row.
    const work = reportingWaitsTo(ctx.progress, async () => {
      if (await step.isDone(ctx)) return 'already-done' as const;
      // Aborted while isDone was reading: nothing was written yet, so write nothing.
      if (deadline.signal.aborted) throw deadline.signal.reason;
      return step.apply(ctx);
    });
    const settled = await settleWithin(work, deadline.signal, graceMs);
    deadline.dispose();
    signal.removeEventListener('abort', onCancel);
    options.stopSignal?.removeEventListener('abort', onStop);
    const stoppedBy = signal.aborted ? 'cancelled' : 'failed';
    const stopMessage = (error: unknown) =>
      deadline.timedOut ? deadline.signal.reason.message : signal.aborted ? 'cancelled' : messageOf(error);

    if (settled.kind === 'abandoned') {
      const message = `${stopMessage(undefined)}; stopped waiting for it after ${graceMs / 1000}s more`;
      if (checkpoint) applied.push({ step, record: checkpoint, inFlight });
      else {
        uncertain.push({
          id: step.id,
          title: step.title,
          reason: `stopped waiting for it mid-change: check ${step.resource}`,
          commands: [],
        });
      }
      if (stoppedBy === 'failed') fail(t, message);
      end(t, stoppedBy, startedAt, message);
      await journalStep(step.id, stoppedBy, { message }).catch(() => {});
      return null;
    }
    if (settled.kind === 'error') {
      const message = stopMessage(settled.error);
      // A step that checkpointed may have sent its write before it failed: undo verifies and finds out.
      // Not when Azure refused the write outright: nothing changed, and an "undo" would revert what
      // someone else made (another run's write that the refusal was about).
      const refused = changedNothing(settled.error);
      if (checkpoint && !refused) applied.push({ step, record: checkpoint, inFlight });
      if (stoppedBy === 'failed') fail(t, message);
      end(t, stoppedBy, startedAt, message);
      await journalStep(step.id, stoppedBy, {
        message,
        ...(refused ? { record: null, inFlight: null } : {}),
      }).catch(() => {});
      return null;
    }
    const value = settled.value;
    if (value === 'already-done') {
      dependencyOutcomes.set(step.id, 'already-done');
      end(t, 'already-done', startedAt);
      await journalStep(step.id, 'already-done').catch(() => {});
      return 'already-done';
    }

    const isHandOff = value instanceof HandOff;
    // A check changed nothing: there is nothing to undo, so no rollback and no `undo` lists it.
    const record = step.readOnly ? null : isHandOff ? value.record : value;
    try {
      if (record !== null) checkKeepable(record, `${step.id} undo record`);
    } catch (error) {
      // The change was made: undo it from memory, but never write the record.
      applied.push({ step, record: record as UndoRecord });
      const message = `the step returned an undo record that cannot be kept: ${messageOf(error)}`;
      fail(t, message);
      end(t, 'failed', startedAt, message);
      await journalStep(step.id, 'failed', { message }).catch(() => {});
      return null;
    }
    if (record !== null) applied.push({ step, record });
    const appliedOrder = record !== null ? applied.length : null;
    try {
      if (isHandOff) {
        t.scriptPath = value.scriptPath;
        if (value.scriptPath !== null)
          handedOff.push({
            id: step.id,
            title: step.title,
            scriptPath: value.scriptPath,
            summary: value.summary,
          });
        await journalStep(step.id, 'handed-off', {
          scriptPath: value.scriptPath,
          message: value.summary,
          record,
          appliedOrder,
          inFlight: null,
        });
      } else {
        await journalStep(step.id, 'applied', { record, appliedOrder, inFlight: null });
      }
    } catch (error) {
      const message = `could not write the journal: ${messageOf(error)}`;
      fail(t, message);
      end(t, 'failed', startedAt, message);
      return null;
    }
    const outcome: DependencyOutcome = isHandOff ? 'handed-off' : 'applied';
    dependencyOutcomes.set(step.id, outcome);
    end(t, outcome, startedAt, isHandOff ? value.summary : null);
    return outcome;
  };

  const locks = new KeyedMutex();
  const launched = new Map<string, Promise<DependencyOutcome | null>>();
  const launch = (t: Tracked): Promise<DependencyOutcome | null> => {
    const existing = launched.get(t.step.id);
    if (existing) return existing;
    const promise = (async () => {
      const dependencies = await Promise.all((t.step.after ?? []).map((id) => launch(tracked.get(id)!)));
      if (dependencies.includes(null) || stopLaunching()) return notRun(t);
      return locks.run(t.step.resource, () => (stopLaunching() ? notRun(t) : runStep(t)));
    })();
    launched.set(t.step.id, promise);
    return promise;
  };
  await Promise.all([...tracked.values()].map(launch));

  const allDone = [...tracked.values()].every(
    (t) => t.outcome === 'applied' || t.outcome === 'already-done' || t.outcome === 'handed-off',
  );
  // A Ctrl-C while the last write was finishing still rolls back: the user was told it would be undone.
  if (allDone && failure === null && uncertain.length === 0 && !signal.aborted) {
    const ended = [...tracked.values()].some((t) => t.outcome === 'handed-off') ? 'handed-off' : 'succeeded';
    await writer
      .update((doc) => {
        doc.status = ended;
      })
      .catch(() => {});
    return finish({ status: ended, cancelled: false, failure: null, left: [], handedOff });
  }

  const cancelled = signal.aborted && failure === null;
  await writer
    .update((doc) => {
      doc.status = 'rolling-back';
    })
    .catch(() => {});
  // A rollback the user did not ask for (a step failed) is stopped by the first Ctrl-C: there is no
  // run left to cancel, so it can only mean "stop waiting". Once cancelled, it takes the second.
  const stopSignal =
    signal.aborted || !options.stopSignal
      ? options.stopSignal
      : AbortSignal.any([signal, options.stopSignal]);
  const report = await rollBack({
    runId,
    entries: [...applied].reverse(),
    reason: cancelled ? 'cancelled' : 'failure',
    emit,
    writer,
    stopSignal,
    ...(options.settleWrite ? { settleWrite: options.settleWrite } : {}),
    timeoutMs: options.undoTimeoutMs ?? DEFAULT_UNDO_TIMEOUT_MS,
    now,
  });
  const left = [...uncertain, ...report.left];
  const status: SetupStatus =
    left.length > 0 ? 'rollback-incomplete' : cancelled ? 'cancelled' : 'rolled-back';
  await writer
    .update((doc) => {
      doc.status = status;
      doc.left = left;
    })
    .catch(() => {});
  return finish({ status, cancelled: signal.aborted, failure, left, handedOff }, report.outcomes);
}

/**
 * A front-end whose listener throws must not stop the engine half way: an exception escaping here
 * would skip the rollback of what was already applied.
 */
export function isolated(emit: EmitEngineEvent | undefined): EmitEngineEvent {
  return (event) => {
    try {
      emit?.(event);
    } catch {
      // The event is lost for that front-end; the run and its rollback go on.
    }
  };
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
