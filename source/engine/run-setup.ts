/**
 * The step engine: applies a plan's steps in dependency order, independent steps concurrently and
 * writes to one resource one at a time, journals every step before and after, and on a failure or
 * Ctrl-C undoes what it applied, newest first, once. What could not be undone is returned with the
 * commands that remove it. Live progress goes out as `EngineEvent`s through `emit`.
 *
 * This file schedules; `step-runner.ts` runs one step, `recorder.ts` turns each transition into one
 * journal write and one event, `rollback.ts` undoes.
 */
import { type ExitCodeValue, exitCodeFor } from '../core/exit-codes.ts';
import type { Confirm } from './consent.ts';
import { gatherConsent } from './consent.ts';
import type { EmitEngineEvent, LeftBehind, NotDone, RollbackOutcome, StepOutcome } from './events.ts';
import type { Journal } from './journal.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import type { Plan } from './plan.ts';
import { RunRecorder } from './recorder.ts';
import { rollBack } from './rollback.ts';
import type { DependencyOutcome, InFlightWrite, Step, UndoContext } from './step.ts';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  RunState,
  runStep,
  type StepRunEnd,
} from './step-runner.ts';

export { DEFAULT_GRACE_MS, DEFAULT_STEP_TIMEOUT_MS } from './step-runner.ts';

export const DEFAULT_UNDO_TIMEOUT_MS = 15 * 60_000;

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
  exitCode: ExitCodeValue;
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
export function setupExitCode(status: SetupStatus, cancelled: boolean): ExitCodeValue {
  return exitCodeFor({ cancelled, ...(status === 'cancelled' ? {} : { setup: status }) });
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

  const consented = await gatherConsent(plan, options.confirm);
  const kept = new Set(consented.steps.map((step) => step.id));
  const views = plan.views.filter((view) => kept.has(view.id));
  const ends = new Map<string, StepRunEnd>();
  const state = new RunState();
  const finish = (
    fields: Pick<SetupResult, 'status' | 'cancelled' | 'left'>,
    rollback = new Map<string, { outcome: RollbackOutcome }>(),
  ): SetupResult => ({
    runId,
    ...fields,
    failure: state.failure,
    handedOff: state.handedOff,
    exitCode: setupExitCode(fields.status, fields.cancelled),
    notDone: consented.notDone,
    steps: consented.steps.map((step) => {
      const end = ends.get(step.id);
      return {
        id: step.id,
        title: step.title,
        outcome: end?.outcome ?? 'not-run',
        rollback: rollback.get(step.id)?.outcome ?? null,
        message: end?.message ?? null,
        scriptPath: end?.scriptPath ?? null,
        elapsedMs: end?.elapsedMs ?? 0,
      };
    }),
  });
  if (signal.aborted) return finish({ status: 'cancelled', cancelled: true, left: [] });

  const writer = await options.journal.create({
    runId,
    target: options.target,
    ...(options.database ? { database: options.database } : {}),
    ...(options.resumes ? { resumes: options.resumes } : {}),
    steps: views,
    notDone: consented.notDone,
  });
  emit({ type: 'plan:ready', runId, steps: views, notDone: consented.notDone });
  const recorder = new RunRecorder(writer, emit, now);
  const stepRun = {
    runId,
    recorder,
    state,
    signal,
    stopSignal: options.stopSignal,
    stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    now,
  };
  const stopLaunching = () => state.failure !== null || signal.aborted;
  const notRun = async (step: Step): Promise<null> => {
    const end = { outcome: 'not-run' as const, message: null, scriptPath: null, elapsedMs: 0 };
    ends.set(step.id, end);
    await recorder.stepEnded(step, end);
    return null;
  };
  const run = async (step: Step): Promise<DependencyOutcome | null> => {
    const end = await runStep(step, stepRun);
    ends.set(step.id, end);
    return end.outcome === 'applied' || end.outcome === 'already-done' || end.outcome === 'handed-off'
      ? end.outcome
      : null;
  };

  const byId = new Map(consented.steps.map((step) => [step.id, step]));
  const locks = new KeyedMutex();
  const launched = new Map<string, Promise<DependencyOutcome | null>>();
  const launch = (step: Step): Promise<DependencyOutcome | null> => {
    const existing = launched.get(step.id);
    if (existing) return existing;
    const promise = (async () => {
      const dependencies = await Promise.all((step.after ?? []).map((id) => launch(byId.get(id)!)));
      if (dependencies.includes(null) || stopLaunching()) return notRun(step);
      return locks.run(step.resource, () => (stopLaunching() ? notRun(step) : run(step)));
    })();
    launched.set(step.id, promise);
    return promise;
  };
  await Promise.all(consented.steps.map(launch));

  const outcomes = consented.steps.map((step) => ends.get(step.id)?.outcome);
  const allDone = outcomes.every(
    (outcome) => outcome === 'applied' || outcome === 'already-done' || outcome === 'handed-off',
  );
  // A Ctrl-C while the last write was finishing still rolls back: the user was told it would be undone.
  if (allDone && state.failure === null && state.uncertain.length === 0 && !signal.aborted) {
    const ended = outcomes.includes('handed-off') ? 'handed-off' : 'succeeded';
    await recorder.runStatus(ended);
    return finish({ status: ended, cancelled: false, left: [] });
  }

  const cancelled = signal.aborted && state.failure === null;
  await recorder.runStatus('rolling-back');
  // A rollback the user did not ask for (a step failed) is stopped by the first Ctrl-C: there is no
  // run left to cancel, so it can only mean "stop waiting". Once cancelled, it takes the second.
  const stopSignal =
    signal.aborted || !options.stopSignal
      ? options.stopSignal
      : AbortSignal.any([signal, options.stopSignal]);
  const report = await rollBack({
    runId,
    entries: [...state.applied].reverse(),
    reason: cancelled ? 'cancelled' : 'failure',
    recorder,
    stopSignal,
    ...(options.settleWrite ? { settleWrite: options.settleWrite } : {}),
    timeoutMs: options.undoTimeoutMs ?? DEFAULT_UNDO_TIMEOUT_MS,
    now,
  });
  const left = [...state.uncertain, ...report.left];
  const status: SetupStatus =
    left.length > 0 ? 'rollback-incomplete' : cancelled ? 'cancelled' : 'rolled-back';
  await recorder.runStatus(status, left);
  return finish({ status, cancelled: signal.aborted, left }, report.outcomes);
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
