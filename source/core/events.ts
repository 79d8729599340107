/**
 * Typed events the core emits. The Ink UI, the plain reporter and the JSON reporter all consume
 * these and nothing else, so the three front-ends cannot disagree about what happened.
 */
import type { CheckOutcome, DoctorSummary } from './types.ts';

export type CoreEvent =
  | { type: 'doctor:start'; checks: { id: string; title: string }[] }
  | { type: 'check:start'; id: string; title: string; at: number }
  | { type: 'check:slow'; id: string; title: string; elapsedMs: number }
  | { type: 'check:end'; outcome: CheckOutcome }
  | { type: 'doctor:end'; outcomes: CheckOutcome[]; summary: DoctorSummary };

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
