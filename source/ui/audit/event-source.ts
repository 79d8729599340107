/**
 * The audit core's events, queued for the screen: the core emits hundreds of events a second, the
 * screen takes them in batches at most every `everyMs` (React re-renders per batch, not per event).
 */
import type { AuditEvent } from '../../audit/types.ts';

export class AuditEventSource {
  #queue: AuditEvent[] = [];
  #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 100) {}

  push = (event: AuditEvent): void => {
    this.#queue.push(event);
    // The end of the run is shown at once; everything else waits for the next batch.
    if (event.type === 'audit:end' || event.type === 'audit:failed') this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.everyMs);
  };

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The events queued since the last call. */
  take(): AuditEvent[] {
    const batch = this.#queue;
    this.#queue = [];
    return batch;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const listener of this.#listeners) listener();
  }
}
