/**
 * An HTTP answer from ARM or Graph as sc-doctor reads it: the status, the JSON body, the request id,
 * the headers a long-running operation is followed by, and what Azure says about its request limits.
 * Read from the wire once per answer (`armResponseOf`), whoever sent it: plain REST (arm.ts), an SDK
 * client (arm-sdk.ts), Graph (graph-client.ts), or a read a transport answered (read-transport.ts).
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';

export interface ArmResponse {
  status: number;
  /** Parsed JSON body, or `undefined` when there is none or it is not JSON. */
  body: unknown;
  /** `x-ms-request-id`, useful in a support ticket. */
  requestId: string | undefined;
  /** The headers a long-running operation is followed by, and the throttling ones (`throttle`). */
  headers?: { asyncOperation?: string; location?: string; retryAfter?: string; throttle?: ThrottleHeaders };
  /** The request this answers: a long-running PUT's result is read again from its own URL. */
  request?: { method: string; url: string };
}

/**
 * What Azure says about its request limits in an answer: ARM's per-subscription budget (Learn
 * "Understand how Azure Resource Manager throttles requests") and Resource Graph's per-user query quota
 * (Learn "Guidance for throttled requests in Azure Resource Graph"). Only the headers present are set.
 */
export interface ThrottleHeaders {
  /** `x-ms-ratelimit-remaining-subscription-reads`. */
  remainingSubscriptionReads?: number;
  /**
   * `x-ms-ratelimit-remaining-subscription-writes`: ARM counts a POST as a write, even a read action such
   * as `.../config/appsettings/list` (Azure/azure-rest-api-specs#6363: `listKeys` decrements it).
   */
  remainingSubscriptionWrites?: number;
  /** `x-ms-user-quota-remaining` (Resource Graph queries left in the window). */
  userQuotaRemaining?: number;
  /** `x-ms-user-quota-resets-after` (`hh:mm:ss`), in milliseconds. */
  userQuotaResetsAfterMs?: number;
  /** `x-ms-tenant-subscription-limit-hit: true`: only the first subscriptions of the scope were queried. */
  tenantSubscriptionLimitHit?: boolean;
}

/** Answers already read, so a response several callers share is parsed once. */
const read = new WeakMap<PipelineResponse, ArmResponse>();

/** An HTTP answer as sc-doctor reads it (parsed once per response object). */
export function armResponseOf(response: PipelineResponse): ArmResponse {
  const known = read.get(response);
  if (known) return known;
  let body: unknown;
  try {
    body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
  } catch {
    body = undefined;
  }
  const asyncOperation = response.headers.get('azure-asyncoperation');
  const location = response.headers.get('location');
  const retryAfter = response.headers.get('retry-after');
  const throttle = throttleHeaders((name) => response.headers.get(name));
  const answer: ArmResponse = {
    status: response.status,
    body,
    request: { method: response.request.method, url: response.request.url },
    requestId: response.headers.get('x-ms-request-id') ?? undefined,
    headers: {
      ...(asyncOperation ? { asyncOperation } : {}),
      ...(location ? { location } : {}),
      ...(retryAfter ? { retryAfter } : {}),
      ...(throttle ? { throttle } : {}),
    },
  };
  read.set(response, answer);
  return answer;
}

/** Remembers `answer` as the reading of `response` (a shared answer handed to another caller). */
export function rememberAnswer(response: PipelineResponse, answer: ArmResponse): void {
  read.set(response, answer);
}

/** The throttling headers of an answer, or undefined when it carries none. */
export function throttleHeaders(get: (name: string) => string | undefined): ThrottleHeaders | undefined {
  const out: ThrottleHeaders = {};
  const count = (name: string) => {
    const text = get(name);
    const value = text === undefined ? Number.NaN : Number.parseInt(text, 10);
    return Number.isFinite(value) ? value : undefined;
  };
  const reads = count('x-ms-ratelimit-remaining-subscription-reads');
  if (reads !== undefined) out.remainingSubscriptionReads = reads;
  const writes = count('x-ms-ratelimit-remaining-subscription-writes');
  if (writes !== undefined) out.remainingSubscriptionWrites = writes;
  const quota = count('x-ms-user-quota-remaining');
  if (quota !== undefined) out.userQuotaRemaining = quota;
  const resets = /^(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(
    get('x-ms-user-quota-resets-after')?.trim() ?? '',
  );
  if (resets) {
    const [, h, m, sec, fraction] = resets;
    out.userQuotaResetsAfterMs =
      ((Number(h) * 60 + Number(m)) * 60 + Number(sec)) * 1000 +
      Math.round(Number(`0.${fraction ?? 0}`) * 1000);
  }
  if (get('x-ms-tenant-subscription-limit-hit')?.trim().toLowerCase() === 'true')
    out.tenantSubscriptionLimitHit = true;
  return Object.keys(out).length > 0 ? out : undefined;
}
