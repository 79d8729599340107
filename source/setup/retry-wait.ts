/**
 * Trying again while Azure catches up, bounded and with progress: a managed identity this run just
 * turned on takes seconds to minutes to replicate in Entra (Graph answers 404, `CREATE USER ... FROM
 * EXTERNAL PROVIDER` cannot resolve it; the Azure CLI's passwordless extension retries `az ad sp show`
 * 15 times, 10 s apart), and a new Azure SQL firewall rule takes up to five minutes to apply (error
 * 40615 meanwhile). The clock and the wait come from `Services` (`now`, `sleep`), so tests run the
 * waits without waiting.
 */
import type { Services } from '../core/services.ts';

/** How long to keep trying, and how to tell the user. */
export interface RetryWait {
  services: Pick<Services, 'now' | 'sleep'>;
  signal: AbortSignal;
  /** A short live detail beside the step. */
  progress(detail: string): void;
  /** Give up after this long (from the first failure). */
  limitMs: number;
  /** The first pause; each next one doubles, up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** About two minutes, as the extension's 15 × 10 s: Entra replication of a new identity. */
export const REPLICATION_LIMIT_MS = 120_000;
/** Learn: a new Azure SQL firewall rule can take up to five minutes to take effect. */
export const FIREWALL_APPLY_LIMIT_MS = 5 * 60_000;

const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10_000;

/** The error after the last attempt, saying how long it was tried. */
export class StillFailingError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'StillFailingError';
  }
}

/**
 * Runs `attempt` until it succeeds, fails with an error `retryable` does not accept, or `wait.limitMs`
 * has passed. Without `wait` it runs once: only what this run just changed is worth waiting for.
 * `waitingFor` names what is awaited in the progress line and the final error.
 */
export async function retryWhile<T>(
  waitingFor: string,
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  wait: RetryWait | undefined,
): Promise<T> {
  if (!wait) return attempt();
  const { services, signal } = wait;
  const sleep = services.sleep ?? timerSleep;
  const started = services.now();
  let delay = wait.firstDelayMs ?? FIRST_DELAY_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || signal.aborted) throw error;
      const elapsed = services.now() - started;
      if (elapsed + delay > wait.limitMs) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StillFailingError(
          `still ${waitingFor} after ${seconds(elapsed)} (waited up to ${seconds(wait.limitMs)}): ${reason}`,
          error,
        );
      }
      wait.progress(`${waitingFor}: trying again in ${seconds(delay)} (${seconds(elapsed)} so far)`);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, wait.maxDelayMs ?? MAX_DELAY_MS);
    }
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** A real pause that ends early (rejecting) when `signal` aborts. */
export function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
