/**
 * A time limit for one piece of work (a check, a setup step, an undo): a signal that aborts when the
 * time is up or when the caller's own signal aborts, so whatever the work started (an az process, an
 * HTTP request, a poller) is stopped with it.
 */

/** The reason a deadline's signal carries when the time ran out (the outer signal's reason otherwise). */
export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer after ${formatSeconds(timeoutMs)}`);
    this.name = 'DeadlineExceeded';
  }
}

export interface Deadline {
  /** Aborts when the time is up or the outer signal aborts. */
  readonly signal: AbortSignal;
  /** True once the time ran out (false when the outer signal aborted first). */
  readonly timedOut: boolean;
  /** Resolves when the time runs out; never rejects. */
  readonly expired: Promise<void>;
  /** Stops the timer and detaches from the outer signal; call it when the work is over. */
  dispose(): void;
}

/** Starts a deadline of `timeoutMs` that also follows `outer` (Ctrl-C). */
export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let onExpired: () => void = () => {};
  const expired = new Promise<void>((resolve) => {
    onExpired = resolve;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DeadlineExceeded(timeoutMs));
    onExpired();
  }, timeoutMs);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    expired,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}

/** `35s`, `1.5s`: how long a limit was, for messages. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s`;
}
