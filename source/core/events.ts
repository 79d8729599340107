/**
 * Typed events the core emits. The Ink UI, the plain reporter and the JSON reporter all consume
 * these and nothing else, so the three front-ends cannot disagree about what happened.
 *
 * Names are namespaced by what emits them: `doctor:*` and `check:*` come from the doctor;
 * `plan:*`, `step:*` and `rollback:*` are reserved for the setup engine (declared here so the
 * front-ends can be written against one union).
 */
import type { EngineEvent, PlannedStepView } from '../setup/engine-events.ts';
import type { CheckOutcome, DoctorSummary } from './types.ts';

/** A row a front-end can show before it has a result: a check or a setup step. */
export interface Announced {
  id: string;
  title: string;
}

export type DoctorEvent =
  | { type: 'doctor:start'; checks: Announced[] }
  /** The base checks are done and no target was given: the flow asks which one (interactive only). */
  | { type: 'doctor:choose-target' }
  | { type: 'doctor:end'; outcomes: CheckOutcome[]; summary: DoctorSummary };

export type CheckEvent =
  | { type: 'check:start'; id: string; title: string; at: number }
  /**
   * The check is taking a while; `detail` says why when it knows (`Azure is throttling: asking again
   * in 30 s`), and may come again with a new one.
   */
  | { type: 'check:slow'; id: string; title: string; elapsedMs: number; detail?: string }
  | { type: 'check:end'; outcome: CheckOutcome };

/**
 * The setup engine's events, as it emits them: the plan, each step's start, progress and end, then the
 * rollback. The session forwards them unchanged, so every front-end sees the engine's own words.
 */
export type PlanEvent = Extract<EngineEvent, { type: `plan:${string}` }>;
export type StepEvent = Extract<EngineEvent, { type: `step:${string}` }>;
export type RollbackEvent = Extract<EngineEvent, { type: `rollback:${string}` }>;

/** The setup flow around the engine: what it will act on, and why it would not start. */
export type SetupEvent =
  /** The plan, before anything is asked or written: `title` says who connects to what, and how. */
  | { type: 'setup:plan'; title: string; steps: PlannedStepView[]; dryRun: boolean }
  /** The doctor found something setup cannot fix; nothing was changed. */
  | { type: 'setup:refused'; reasons: string[] }
  /** An unfinished run's journal was found: offered for undo. */
  | { type: 'setup:unfinished'; runs: { runId: string; target: string; status: string }[] };

export type CoreEvent = DoctorEvent | CheckEvent | PlanEvent | StepEvent | RollbackEvent | SetupEvent;

export type EventListener = (event: CoreEvent) => void;

/** A minimal synchronous emitter: listeners run in subscription order, a throwing listener is isolated. */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: CoreEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken front-end must not stop the core; the other listeners still get the event.
      }
    }
  }
}
