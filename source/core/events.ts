/**
 * The events the doctor emits, and the bus every flow emits onto. The Ink UI, the plain reporter and
 * the JSON reporter consume the events of a run and nothing else, so the three front-ends cannot
 * disagree about what happened.
 *
 * Names are namespaced by what emits them: `doctor:*` and `check:*` come from the doctor (here);
 * `plan:*`, `step:*` and `rollback:*` from the engine (source/engine/events.ts); `setup:*` from the
 * setup flow (source/setup/events.ts). The union a run's bus carries is `RunEvent`
 * (source/run/events.ts): the core knows its own events only.
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
  /**
   * The check is taking a while; `detail` says why when it knows (`Azure is throttling: asking again
   * in 30 s`), and may come again with a new one.
   */
  | { type: 'check:slow'; id: string; title: string; elapsedMs: number; detail?: string }
  | { type: 'check:end'; outcome: CheckOutcome };

/** What a flow needs of a bus: somewhere to put its events (any bus whose events include `E`). */
export interface Emitter<E> {
  emit(event: E): void;
}

/** A minimal synchronous emitter: listeners run in subscription order, a throwing listener is isolated. */
export class EventBus<E extends { type: string }> implements Emitter<E> {
  readonly #listeners = new Set<(event: E) => void>();

  on(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken front-end must not stop the core; the other listeners still get the event.
      }
    }
  }
}
