/**
 * Waiting for what a test means, never for a fixed time: `waitFor` polls a condition until it holds
 * (or fails naming what it waited for, with the last thing seen); `settle` lets React and Ink flush
 * what a change scheduled (a few turns of the event loop, no clock). A screen's keys are listened to
 * once `listening(stdin)`: Ink reads keys through a `readable` listener while an input hook is active.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  options: { timeoutMs?: number; everyMs?: number; last?: () => string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${options.last ? `; last seen:\n${options.last()}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 10));
  }
}

/** A few turns of the event loop: effects scheduled by a render or a key have run after it. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** Whether Ink listens to `stdin` for keys (an input hook is active). */
export function listening(stdin: NodeJS.EventEmitter): boolean {
  return stdin.listenerCount('readable') > 0 || stdin.listenerCount('data') > 0;
}
