/**
 * Runs tasks one at a time per key and concurrently across keys: writes to one Azure resource are
 * serialised (a server answers 409 while it is Updating), writes to different ones overlap.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task on `key` has settled. Keys compare case-insensitively, as ARM ids do. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const normalised = key.toLowerCase();
    const previous = this.#tails.get(normalised) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(normalised, tail);
    void tail.then(() => {
      if (this.#tails.get(normalised) === tail) this.#tails.delete(normalised);
    });
    return result;
  }
}
