/**
 * Where a wait deep inside a request is shown: the step or check the request is made for. The ARM
 * client learns that Azure is throttling (429, `Retry-After`) far below the code that knows which
 * row is on screen, and a step or check makes its requests through many helpers; so the engine and
 * the check runner run each step and check with its reporter in scope (Node's AsyncLocalStorage,
 * which follows the awaits of that step or check and of nothing else), and the ARM client reports
 * to whichever is in scope. Outside any (a plan's reads, a picker) a wait is not shown, only made.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Shows a short live detail on the row of the step or check in scope. */
export type WaitReporter = (detail: string) => void;

const scope = new AsyncLocalStorage<WaitReporter>();

/** Runs `work` with `report` as the place its waits are shown (what `work` awaits inherits it). */
export function reportingWaitsTo<T>(report: WaitReporter, work: () => T): T {
  return scope.run(report, work);
}

/** Shows `detail` on the row of the step or check this code runs for; nothing outside one. */
export function reportWait(detail: string): void {
  try {
    scope.getStore()?.(detail);
  } catch {
    // A front-end that cannot show it must not fail the request that waits.
  }
}
