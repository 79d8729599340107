/**
 * One piece of work shared by every caller who asks while it runs (an az process, a token request),
 * without letting one caller's bad luck reach the next: a caller whose signal aborts stops waiting on
 * its own; the work itself is stopped only once every caller waiting on it has gone; and a result
 * that failed or was cut short is forgotten, so the next caller starts afresh.
 */

export interface SharedTaskOptions<T> {
  /** Whether a finished result may be handed to later callers (default: every fulfilled one). */
  keep?: (value: T) => boolean;
}

/** A memoised `work` that callers join with their own signal. */
export interface SharedTask<T> {
  /** Joins (or starts) the work; rejects with the signal's reason if `signal` aborts first. */
  get(signal?: AbortSignal): Promise<T>;
  /** Drops what is remembered; the next `get` starts the work again. */
  forget(): void;
}

/** Wraps `work` so concurrent callers share one run of it (see the file comment for the rules). */
export function sharedTask<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: SharedTaskOptions<T> = {},
): SharedTask<T> {
  let current: {
    promise: Promise<T>;
    controller: AbortController;
    waiters: number;
    settled: boolean;
  } | null = null;

  const start = () => {
    const controller = new AbortController();
    const entry = { promise: undefined as unknown as Promise<T>, controller, waiters: 0, settled: false };
    entry.promise = work(controller.signal).then(
      (value) => {
        entry.settled = true;
        if (controller.signal.aborted || (options.keep && !options.keep(value))) forgetEntry(entry);
        return value;
      },
      (error: unknown) => {
        entry.settled = true;
        forgetEntry(entry);
        throw error;
      },
    );
    // The work's own rejection is for the callers; an abandoned one must not be unhandled.
    entry.promise.catch(() => {});
    current = entry;
    return entry;
  };

  const forgetEntry = (entry: NonNullable<typeof current>) => {
    if (current === entry) current = null;
  };

  return {
    get(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const entry = current ?? start();
      if (!signal) {
        // A caller that cannot leave keeps the work alive.
        entry.waiters = Number.POSITIVE_INFINITY;
        return entry.promise;
      }
      entry.waiters += 1;
      return new Promise<T>((resolve, reject) => {
        const leave = () => {
          entry.waiters -= 1;
          if (entry.waiters <= 0 && !entry.settled) {
            forgetEntry(entry);
            entry.controller.abort(signal.reason);
          }
          reject(signal.reason);
        };
        signal.addEventListener('abort', leave, { once: true });
        entry.promise.then(
          (value) => {
            signal.removeEventListener('abort', leave);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', leave);
            reject(error);
          },
        );
      });
    },
    forget() {
      current = null;
    },
  };
}
