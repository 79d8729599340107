/**
 * The tool calls still running, so the server can end well: when stdin closes (the client is gone) or
 * SIGTERM comes, every running apply or undo is interrupted as Ctrl-C would (the first interrupt rolls
 * back, a second stops waiting), and the process exits only once they have finished and journalled.
 */
import type { Interrupts } from '../setup/interrupts.ts';

export class RunningWork {
  readonly #calls = new Set<{ done: Promise<unknown>; interrupts?: Interrupts }>();

  /** Tracks `work` until it settles; `interrupts` are the ones a shutdown interrupts. */
  track<T>(work: Promise<T>, interrupts?: Interrupts): Promise<T> {
    const entry = { done: work.catch(() => undefined), ...(interrupts ? { interrupts } : {}) };
    this.#calls.add(entry);
    void entry.done.then(() => this.#calls.delete(entry));
    return work;
  }

  /** How many calls are running. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * `cancel`: interrupts every running call not interrupted yet (it undoes what it applied), as a
   * first Ctrl-C; `stop`: one more interrupt for each, as a second Ctrl-C (stop waiting for rollbacks).
   */
  interruptAll(how: 'cancel' | 'stop'): void {
    for (const call of this.#calls) {
      if (how === 'stop' || !call.interrupts?.signal.aborted) call.interrupts?.interrupt();
    }
  }

  /** Resolves once every running call has settled. */
  async settled(): Promise<void> {
    while (this.#calls.size > 0) await Promise.all([...this.#calls].map((call) => call.done));
  }
}
