/** At most `limit` tasks at once; `run` waits for a free slot, so a producer slows down to the pool's pace. */
export class TaskPool {
  #active = 0;
  #slotFreed: (() => void)[] = [];
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  /** Starts `task` once a slot is free (resolves then); a task's failure is its own to handle. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.#active >= this.limit) await new Promise<void>((resolve) => this.#slotFreed.push(resolve));
    this.#active += 1;
    const running = task().finally(() => {
      this.#active -= 1;
      this.#running.delete(running);
      this.#slotFreed.shift()?.();
    });
    this.#running.add(running);
  }

  /** Resolves once every started task has ended. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
