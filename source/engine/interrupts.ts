/**
 * Ctrl-C and SIGTERM during a setup run, counted: the first cancels the run (which then undoes what it
 * applied), the second stops waiting for that rollback. The coordinator calls `interrupt()` from its
 * signal handlers and passes both signals to the engine.
 */
export class Interrupts {
  readonly #cancel = new AbortController();
  readonly #stop = new AbortController();

  /** Aborted by the first interrupt: give to `runSetup` as `signal`. */
  get signal(): AbortSignal {
    return this.#cancel.signal;
  }

  /** Aborted by the second interrupt: give to `runSetup` / `undoFromJournal` as `stopSignal`. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Records one interrupt and says what it did. */
  interrupt(): 'cancel' | 'stop' | 'already-stopped' {
    if (!this.#cancel.signal.aborted) {
      this.#cancel.abort(new Error('cancelled'));
      return 'cancel';
    }
    if (!this.#stop.signal.aborted) {
      this.#stop.abort(new Error('stopped'));
      return 'stop';
    }
    return 'already-stopped';
  }
}
