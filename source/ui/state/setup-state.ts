/**
 * The setup screens' state as a pure reducer: the plan, each step's live progress, the rollback and
 * how the run ended. Core events go in stamped with the UI clock; nothing here renders.
 */
import type { CoreEvent } from '../../core/events.ts';
import type { LeftBehind, PlannedStepView, RollbackOutcome, StepOutcome } from '../../setup/engine-events.ts';
import type { SetupOutcome } from '../../setup/flow-types.ts';

export type StepPhase = 'waiting' | 'running' | 'done';

export interface SetupStepState {
  id: string;
  title: string;
  lines: string[];
  consent: string | null;
  /** The plan could tell the change is already in place: the words that say so (`already on`). */
  alreadyDone: string | null;
  phase: StepPhase;
  outcome: StepOutcome | null;
  /** The latest live detail (`waiting for Azure: InProgress`) or how it ended. */
  detail: string | null;
  startedAt: number | null;
  elapsedMs: number | null;
}

export interface RollbackStepState {
  id: string;
  title: string;
  phase: StepPhase;
  outcome: RollbackOutcome | null;
  detail: string | null;
  startedAt: number | null;
  elapsedMs: number | null;
}

export interface SetupState {
  /** `orders-api → pg-orders/orders · system identity · client java`; null before the plan. */
  title: string | null;
  dryRun: boolean;
  steps: SetupStepState[];
  runId: string | null;
  /** When the engine started applying (UI clock), for the overall elapsed time. */
  applyStartedAt: number | null;
  /** Newest first, once a rollback started; null when none. */
  rollback: { reason: 'failure' | 'cancelled' | 'undo'; steps: RollbackStepState[] } | null;
  left: LeftBehind[];
  refused: string[] | null;
  /** Plan details (the preview lines of every step) shown. */
  details: boolean;
  outcome: SetupOutcome | null;
  /**
   * The user cancelled (the first Ctrl-C or SIGTERM) while steps were being applied, or while a
   * rollback after a failure was running; null before. What a further Ctrl-C does depends on it.
   */
  interrupted: 'applying' | 'rolling-back' | null;
}

export type SetupAction =
  | { type: 'event'; event: CoreEvent; at: number }
  | { type: 'setup:finished'; outcome: SetupOutcome }
  | { type: 'setup:toggle-details' }
  /** The run was cancelled (its cancel signal aborted): recorded with the phase it came in. */
  | { type: 'setup:interrupted' };

export function initialSetupState(): SetupState {
  return {
    title: null,
    dryRun: false,
    steps: [],
    runId: null,
    applyStartedAt: null,
    rollback: null,
    left: [],
    refused: null,
    details: false,
    outcome: null,
    interrupted: null,
  };
}

function stepsFrom(views: readonly PlannedStepView[]): SetupStepState[] {
  return views.map((view) => ({
    id: view.id,
    title: view.title,
    lines: [...view.lines],
    consent: view.consent,
    alreadyDone: view.alreadyDone ?? null,
    phase: 'waiting',
    outcome: null,
    detail: null,
    startedAt: null,
    elapsedMs: null,
  }));
}

export function setupReducer(state: SetupState, action: SetupAction): SetupState {
  switch (action.type) {
    case 'setup:finished':
      return { ...state, outcome: action.outcome };
    case 'setup:toggle-details':
      return { ...state, details: !state.details };
    case 'setup:interrupted':
      if (state.interrupted !== null || state.runId === null || state.outcome !== null) return state;
      return { ...state, interrupted: state.rollback ? 'rolling-back' : 'applying' };
    case 'event':
      return applyEvent(state, action.event, action.at);
  }
}

function updateStep(state: SetupState, id: string, change: Partial<SetupStepState>): SetupState {
  return { ...state, steps: state.steps.map((step) => (step.id === id ? { ...step, ...change } : step)) };
}

function updateUndo(state: SetupState, id: string, change: Partial<RollbackStepState>): SetupState {
  if (!state.rollback) return state;
  return {
    ...state,
    rollback: {
      ...state.rollback,
      steps: state.rollback.steps.map((step) => (step.id === id ? { ...step, ...change } : step)),
    },
  };
}

function applyEvent(state: SetupState, event: CoreEvent, at: number): SetupState {
  switch (event.type) {
    case 'setup:plan':
      return { ...state, title: event.title, dryRun: event.dryRun, steps: stepsFrom(event.steps) };
    case 'setup:refused':
      return { ...state, refused: [...event.reasons] };
    case 'plan:ready':
      // Consents may have dropped steps: the apply list is what will really run.
      return { ...state, runId: event.runId, steps: stepsFrom(event.steps), applyStartedAt: at };
    case 'step:start':
      return updateStep(state, event.id, { phase: 'running', startedAt: at });
    case 'step:progress':
      return updateStep(state, event.id, { detail: event.detail });
    case 'step:end':
      return updateStep(state, event.id, {
        phase: 'done',
        outcome: event.outcome,
        elapsedMs: event.elapsedMs,
        detail: event.message,
      });
    case 'rollback:start':
      return {
        ...state,
        rollback: {
          reason: event.reason,
          steps: event.steps.map((step) => ({
            id: step.id,
            title: step.title,
            phase: 'waiting',
            outcome: null,
            detail: null,
            startedAt: null,
            elapsedMs: null,
          })),
        },
      };
    case 'rollback:step-start':
      return updateUndo(state, event.id, { phase: 'running', startedAt: at });
    case 'rollback:progress':
      return updateUndo(state, event.id, { detail: event.detail });
    case 'rollback:step-end':
      return updateUndo(state, event.id, {
        phase: 'done',
        outcome: event.outcome,
        elapsedMs: event.elapsedMs,
        detail: event.reason,
      });
    case 'rollback:end':
      return { ...state, left: event.left };
    default:
      return state;
  }
}

/**
 * What Ctrl-C does now, for the apply screen's last line: cancel and undo while steps are applied;
 * once cancelled (steps finishing their writes, then the rollback), a second one stops waiting; in a
 * rollback after a failure the first one stops waiting (the engine counts it so); once stopped, the
 * run lists what is left.
 */
export function ctrlCWords(state: SetupState): string {
  const stops = 'stops waiting and lists what is left';
  if (state.interrupted === 'rolling-back') return 'pressed: stopped waiting, what is left is listed next';
  if (state.rollback?.reason === 'failure' && state.interrupted === null) return stops;
  if (state.rollback || state.interrupted) return `again ${stops}`;
  return 'cancels and undoes everything done so far';
}

/** Whether a step or an undo is running (the UI clock ticks only then). */
export function setupRunning(state: SetupState): boolean {
  if (state.outcome) return false;
  return (
    state.steps.some((step) => step.phase === 'running') ||
    (state.rollback?.steps.some((step) => step.phase === 'running') ?? false)
  );
}
