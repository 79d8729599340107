/**
 * Typed events the core emits. The Ink UI, the plain reporter and the JSON reporter all consume
 * these and nothing else, so the three front-ends cannot disagree about what happened.
 *
 * Names are namespaced by what emits them: `doctor:*` and `check:*` come from the doctor;
 * `plan:*`, `step:*` and `rollback:*` are reserved for the setup engine (declared here so the
 * front-ends can be written against one union).
 */
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
  | { type: 'check:slow'; id: string; title: string; elapsedMs: number }
  | { type: 'check:end'; outcome: CheckOutcome };

/** The plan setup will apply, in order; nothing has changed yet. */
export type PlanEvent = { type: 'plan:ready'; steps: Announced[] };

export type StepStatus = 'done' | 'failed' | 'skipped';

export type StepEvent =
  | { type: 'step:start'; id: string; title: string; at: number }
  /** A long step says what it is waiting for (e.g. `server restarting`). */
  | { type: 'step:progress'; id: string; message: string }
  | { type: 'step:end'; id: string; status: StepStatus; message: string; durationMs: number };

export type RollbackEvent =
  | { type: 'rollback:start'; steps: Announced[] }
  | { type: 'rollback:step'; id: string; status: 'undone' | 'failed' | 'skipped'; message: string }
  /** `remaining`: what could not be undone, each with the command that removes it. */
  | { type: 'rollback:end'; complete: boolean; remaining: string[] };

export type CoreEvent = DoctorEvent | CheckEvent | PlanEvent | StepEvent | RollbackEvent;

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
