/**
 * The apps waiting to be audited, one queue per subscription. Resource Graph returns them ordered by
 * id, so subscription after subscription; taken in that order, every request of a stretch of the run
 * would fall on one subscription's ARM budget while the others' stay unused. `next()` hands out the
 * app of the subscription with the fewest apps in flight (round robin among equals): a subscription
 * whose budget slows it down keeps fewer slots, the others use the rest. The queue holds the app rows
 * only (an id, a name and the identities: a few hundred bytes each), never results.
 */
import type { AppRow } from './inventory.ts';

export class AppQueue {
  readonly #queues = new Map<string, AppRow[]>();
  readonly #inFlight = new Map<string, number>();
  #closed = false;
  #waiting: (() => void) | null = null;
  #turn = 0;

  push(app: AppRow): void {
    const queue = this.#queues.get(app.subscriptionId);
    if (queue) queue.push(app);
    else this.#queues.set(app.subscriptionId, [app]);
    this.#wake();
  }

  /** No more apps will come. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** The next app to audit, or undefined once the queue is closed and empty. */
  async next(): Promise<AppRow | undefined> {
    for (;;) {
      const app = this.#take();
      if (app) return app;
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
  }

  /** The app is done: its subscription has one app fewer in flight. */
  done(app: AppRow): void {
    this.#inFlight.set(app.subscriptionId, (this.#inFlight.get(app.subscriptionId) ?? 1) - 1);
  }

  get size(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  #take(): AppRow | undefined {
    const subscriptions = [...this.#queues.keys()].filter((id) => this.#queues.get(id)!.length > 0);
    if (subscriptions.length === 0) return undefined;
    this.#turn += 1;
    let best = subscriptions[this.#turn % subscriptions.length]!;
    for (const id of subscriptions)
      if ((this.#inFlight.get(id) ?? 0) < (this.#inFlight.get(best) ?? 0)) best = id;
    const queue = this.#queues.get(best)!;
    const app = queue.shift()!;
    if (queue.length === 0) this.#queues.delete(best);
    this.#inFlight.set(best, (this.#inFlight.get(best) ?? 0) + 1);
    return app;
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.();
  }
}
