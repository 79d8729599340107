/**
 * Following an ARM long-running operation to its end, as the Azure SDK's poller does (Learn "Track
 * asynchronous Azure operations"): poll `Azure-AsyncOperation` (a status resource, always 200 with a
 * `status`) when the first answer names one, else `Location` (202 while running, then the result),
 * waiting `Retry-After` seconds between polls. Poll URLs must point at the cloud's own Resource
 * Manager: the bearer token never goes to a host a response named.
 */
import { type ArmResponse, armError, armGetNextLink } from './arm.ts';
import type { AzureSession } from './session.ts';

/** How a write ended when Azure refused it or the operation did not succeed. */
export class ArmOperationError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ArmOperationError';
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Called with `InProgress`-like statuses while waiting. */
  onStatus?: (status: string) => void;
  /** Wait between polls when Azure names none (ms). */
  defaultPollMs?: number;
  /** `what` in error messages, e.g. `enabling Entra authentication on pg-orders`. */
  what: string;
}

const TERMINAL_OK = new Set(['succeeded']);
const TERMINAL_BAD = new Set(['failed', 'canceled', 'cancelled']);

/**
 * Turns the first answer of a write into its final outcome: resolves with the final body when the
 * write succeeded, rejects with `ArmOperationError` when Azure refused it or the operation ended
 * Failed or Canceled.
 */
export async function waitForArm(
  azure: AzureSession,
  first: ArmResponse,
  options: WaitOptions,
): Promise<unknown> {
  if (first.status >= 400) throw refusal(first, options.what);
  const asyncUrl = first.headers?.asyncOperation;
  const locationUrl = first.headers?.location;
  if (!asyncUrl && !(first.status === 202 && locationUrl)) return first.body;
  let retryAfter = first.headers?.retryAfter;
  if (asyncUrl) {
    for (;;) {
      await pause(retryAfter, options);
      const poll = await armGetNextLink(azure, asyncUrl, options.signal);
      if (poll.status >= 400) throw refusal(poll, options.what);
      const body = (poll.body ?? {}) as { status?: unknown; error?: unknown };
      const status = typeof body.status === 'string' ? body.status : 'InProgress';
      const lower = status.toLowerCase();
      if (TERMINAL_BAD.has(lower)) {
        const error = armError(body);
        throw new ArmOperationError(
          `${options.what} ended ${status}${error ? `: ${error.code}: ${error.message}` : ''}`,
          poll.status,
          error?.code,
        );
      }
      if (TERMINAL_OK.has(lower)) break;
      options.onStatus?.(status);
      retryAfter = poll.headers?.retryAfter;
    }
    // The result URL, when there is one, holds the operation's own answer.
    if (!locationUrl) return undefined;
    const result = await armGetNextLink(azure, locationUrl, options.signal);
    if (result.status >= 400) throw refusal(result, options.what);
    return result.body;
  }
  for (;;) {
    await pause(retryAfter, options);
    const poll = await armGetNextLink(azure, locationUrl!, options.signal);
    if (poll.status >= 400) throw refusal(poll, options.what);
    if (poll.status !== 202) return poll.body;
    options.onStatus?.('InProgress');
    retryAfter = poll.headers?.retryAfter;
  }
}

/** An `ArmOperationError` naming Azure's code and message for a 4xx/5xx answer. */
export function refusal(response: ArmResponse, what: string): ArmOperationError {
  const error = armError(response.body);
  return new ArmOperationError(
    `${what}: Azure answered ${response.status}${error ? ` ${error.code}: ${error.message}` : ''}`,
    response.status,
    error?.code,
  );
}

async function pause(retryAfter: string | undefined, options: WaitOptions): Promise<void> {
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : (options.defaultPollMs ?? 2000);
  if (ms === 0) return;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(options.signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
