/**
 * Azure's throttling (429 Too Many Requests, and 503 with `Retry-After`) on ARM and Graph reads and
 * writes: asked again after the wait Azure names, as the Azure SDK does, but never longer than
 * `MAX_THROTTLE_WAIT_MS` between two tries (as the long-running-operation polls, arm-lro.ts), and
 * with the wait shown on the step or check that made the request (`Azure is throttling: asking
 * again in 30 s`). @azure/core-rest-pipeline's own throttling retry waits whatever `Retry-After`
 * says, without a bound and without a word; `send` in arm.ts uses this strategy instead. Ctrl-C and
 * time limits still end a wait at once (the pipeline's delay follows the request's signal).
 */
import type { PipelineResponse, RetryStrategy } from '@azure/core-rest-pipeline';
import { reportWait } from '../core/wait-reports.ts';
import { retryAfterMs } from './arm-lro.ts';

/** The longest wait between two tries, whatever Azure asks (ms). */
export const MAX_THROTTLE_WAIT_MS = 30_000;
/** How many times a throttled request is asked again before its 429 is returned as Azure's answer. */
export const THROTTLED_RETRIES = 4;
/** Without a `Retry-After`: 2 s, then twice as long each time, within the bound. */
const FIRST_WAIT_MS = 2_000;

/** True for an answer that asks to come back later: 429, or 503 naming when. */
function throttled(response: PipelineResponse | undefined): response is PipelineResponse {
  if (!response) return false;
  if (response.status === 429) return true;
  return response.status === 503 && waitNamed(response) !== undefined;
}

/** The wait the answer names: `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or a date). */
function waitNamed(response: PipelineResponse): number | undefined {
  for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(response.headers.get(header));
    if (response.headers.get(header) && Number.isFinite(value) && value >= 0) return value;
  }
  return retryAfterMs(response.headers.get('retry-after') ?? undefined, Date.now(), Number.POSITIVE_INFINITY);
}

/** How long to wait before asking again: what Azure names (or a doubling default), at most the bound. */
export function throttleWaitMs(response: PipelineResponse, retryCount: number): number {
  const named = waitNamed(response);
  const wait = named ?? FIRST_WAIT_MS * 2 ** retryCount;
  return Math.min(Math.max(wait, 0), MAX_THROTTLE_WAIT_MS);
}

/** The retry strategy for throttled answers, reporting each wait to the step or check in scope. */
export function throttlingStrategy(): RetryStrategy {
  return {
    name: 'cappedThrottlingRetryStrategy',
    retry({ response, retryCount }) {
      if (!throttled(response)) return { skipStrategy: true };
      const waitMs = throttleWaitMs(response, retryCount);
      const who = response.status === 429 ? 'Azure is throttling' : 'Azure is busy';
      reportWait(
        waitMs >= 1000 ? `${who}: asking again in ${Math.round(waitMs / 1000)} s` : `${who}: asking again`,
      );
      return { retryAfterInMs: waitMs };
    },
  };
}
