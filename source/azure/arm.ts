/**
 * Authenticated ARM and Microsoft Graph calls for the doctor and setup: reads, paged lists, and the
 * writes setup makes. Plain REST at the api-versions the SDK packages send, so the product ships
 * without the SDK clients. Uses @azure/core-rest-pipeline, imported on first use,
 * with the bearer policy and the cloud's ARM or Graph scope; TLS is always verified (extra CAs through
 * the session's `tls.ca`).
 */
import { THROTTLED_RETRIES, throttlingStrategy } from './arm-throttle.ts';
import { armRequestPath } from './resource-id.ts';
import type { AzureSession } from './session.ts';

export interface ArmResponse {
  status: number;
  /** Parsed JSON body, or `undefined` when there is none or it is not JSON. */
  body: unknown;
  /** `x-ms-request-id`, useful in a support ticket. */
  requestId: string | undefined;
  /** The headers a long-running operation is followed by (`Azure-AsyncOperation`, `Location`, `Retry-After`). */
  headers?: { asyncOperation?: string; location?: string; retryAfter?: string; throttle?: ThrottleHeaders };
  /** The request this answers: a long-running PUT's result is read again from its own URL. */
  request?: { method: string; url: string };
}

/**
 * What Azure says about its request limits in an answer: ARM's per-subscription read budget (Learn
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

/** A read as the transport sees it: the URL is complete (api-version included). */
export interface ArmReadRequest {
  method: 'GET' | 'POST';
  url: string;
  /** JSON text of a POST body (a Resource Graph query); absent for GETs and bodiless read actions. */
  body?: string;
}

/**
 * How the reads of a run are sent. Without one (the doctor, setup) each read is sent on its own; a
 * fleet audit passes one that shares one keep-alive client, answers repeated reads from a cache and
 * paces them within Azure's limits (source/audit/arm-reads.ts). `send` performs the request once, with
 * no retry of its own: retrying a 429 or a 5xx is the transport's decision. Answers may be shared
 * between callers: treat them as read-only.
 */
export interface ArmReadTransport {
  /**
   * Answers one read. `send(signal)` performs it once (the transport picks the signal: a read shared by
   * several callers must not die with the first caller's); `signal` is the caller's, who may stop waiting.
   */
  read(
    request: ArmReadRequest,
    send: (signal?: AbortSignal) => Promise<ArmResponse>,
    signal?: AbortSignal,
  ): Promise<ArmResponse>;
  /** The HTTP client every request of the run goes through (keeps connections open between requests). */
  readonly httpClient?: import('@azure/core-rest-pipeline').HttpClient;
}

/**
 * How writes retry 5xx answers and dropped connections (the Azure SDK's exponential policy). A 429
 * (and a 503 naming a `Retry-After`) is asked again after the wait Azure names, bounded and shown on
 * the step or check (arm-throttle.ts), for reads and writes alike.
 */
export interface ArmRetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/** Retry settings for every write of this process; tests shorten the delays. */
export const ARM_WRITE_RETRY: ArmRetryOptions = {
  maxRetries: 3,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000,
};

/**
 * PUT, PATCH or DELETE `{resourceManager}{path}?api-version=...` with a JSON body. 5xx are retried
 * as the Azure SDK does, 429 after a bounded wait; the answer is returned as it came (follow it with
 * `waitForArm`).
 * Rejects only when no HTTP answer came back.
 */
export async function armWrite(
  azure: AzureSession,
  method: 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  apiVersion: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  return send(azure, method, armUrl(cloud.resourceManager, path, apiVersion), cloud.armScope, signal, {
    body,
    retry: ARM_WRITE_RETRY,
  });
}

/** GET `{resourceManager}{path}?api-version=...`. Rejects only when no HTTP answer came back. */
export async function armGet(
  azure: AzureSession,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  return send(azure, 'GET', armUrl(cloud.resourceManager, path, apiVersion), cloud.armScope, signal);
}

/** A list answer: every item over all pages, or the first page that was not a 200. */
export type ArmListResponse = { ok: true; items: unknown[] } | { ok: false; response: ArmResponse };

/** Most pages a list follows: ARM pages hold hundreds of items, so this is a runaway guard only. */
const MAX_PAGES = 50;

/**
 * GET of an ARM collection, following `nextLink` page by page. A `nextLink` that leaves the cloud's
 * ARM endpoint is not followed: the token must never go to another host.
 */
export async function armList(
  azure: AzureSession,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  const cloud = await azure.cloud(signal);
  const origin = new URL(withTrailingSlash(cloud.resourceManager)).origin;
  const items: unknown[] = [];
  let response = await armGet(azure, path, apiVersion, signal);
  for (let page = 1; ; page++) {
    if (response.status !== 200) return { ok: false, response };
    const body = (response.body ?? {}) as { value?: unknown; nextLink?: unknown };
    if (Array.isArray(body.value)) items.push(...body.value);
    const next = typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
    if (!next || page >= MAX_PAGES || new URL(next, origin).origin !== origin) return { ok: true, items };
    response = await armGetNextLink(azure, new URL(next, origin).toString(), signal);
  }
}

/**
 * POST to an ARM action that Azure documents as a read (`.../config/appsettings/list`, a Resource Graph
 * query with its JSON `body`): the only kind of POST the doctor and the audit send. Rejects only when
 * no HTTP answer came back.
 */
export async function armPostRead(
  azure: AzureSession,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
  body?: unknown,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  const url = armUrl(cloud.resourceManager, path, apiVersion);
  return send(azure, 'POST', url, cloud.armScope, signal, undefined, body);
}

/**
 * GET a `nextLink` ARM returned. The link must point at the cloud's own Resource Manager: the bearer
 * token is never sent to a host a response body named.
 */
export async function armGetNextLink(
  azure: AzureSession,
  nextLink: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  const link = new URL(nextLink);
  const base = new URL(withTrailingSlash(cloud.resourceManager));
  if (link.origin !== base.origin)
    throw new Error(`nextLink points outside Resource Manager: ${link.origin}`);
  return send(azure, 'GET', link, cloud.armScope, signal);
}

/** GET `{graph}{path}` (e.g. `v1.0/servicePrincipals/...`) with a Microsoft Graph token. */
export async function graphGet(
  azure: AzureSession,
  path: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  const url = new URL(path.replace(/^\/+/, ''), withTrailingSlash(cloud.graphResource));
  return send(azure, 'GET', url, cloud.graphScope, signal);
}

/** `path` is an ARM id or a path under one, names unencoded: each segment is encoded here, once. */
function armUrl(resourceManager: string, path: string, apiVersion: string): URL {
  const url = new URL(armRequestPath(path), withTrailingSlash(resourceManager));
  url.searchParams.set('api-version', apiVersion);
  return url;
}

async function send(
  azure: AzureSession,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: URL,
  scope: string,
  signal: AbortSignal | undefined,
  write: { body: unknown; retry: ArmRetryOptions } | undefined = undefined,
  readBody: unknown = undefined,
): Promise<ArmResponse> {
  const reads = azure.reads;
  if (reads && !write && (method === 'GET' || method === 'POST')) {
    const body = readBody === undefined ? undefined : JSON.stringify(readBody);
    const request: ArmReadRequest = { method, url: url.toString(), ...(body === undefined ? {} : { body }) };
    return reads.read(
      request,
      (sendSignal) =>
        sendOnce(azure, method, url, scope, sendSignal, {
          retry: undefined,
          body,
          client: reads.httpClient,
        }),
      signal,
    );
  }
  const body = write ? write.body : readBody;
  return sendOnce(azure, method, url, scope, signal, {
    retry: write ? write.retry : { maxRetries: 1 },
    body: body === undefined ? undefined : JSON.stringify(body),
    client: undefined,
  });
}

async function sendOnce(
  azure: AzureSession,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: URL,
  scope: string,
  signal: AbortSignal | undefined,
  how: {
    /** Undefined: sent once, no retry of any kind (a read transport retries as it decides). */
    retry: ArmRetryOptions | undefined;
    body: string | undefined;
    client: import('@azure/core-rest-pipeline').HttpClient | undefined;
  },
): Promise<ArmResponse> {
  const pipelineModule = await import('@azure/core-rest-pipeline');
  const {
    bearerTokenAuthenticationPolicy,
    createDefaultHttpClient,
    createPipelineFromOptions,
    createPipelineRequest,
    exponentialRetryPolicy,
    retryPolicy,
    systemErrorRetryPolicy,
  } = pipelineModule;
  const pipeline = createPipelineFromOptions({
    userAgentOptions: { userAgentPrefix: 'sc-doctor' },
    ...(azure.tls?.ca ? { tlsOptions: { ca: azure.tls.ca } } : {}),
  });
  // The default retry policy waits whatever a 429's Retry-After says, unbounded and unseen: its
  // other two parts stay (5xx, dropped connections), the throttling part is ours (arm-throttle.ts).
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  if (how.retry) {
    const throttling = retryPolicy([throttlingStrategy()], { maxRetries: THROTTLED_RETRIES });
    // Named apart: every retry policy made by `retryPolicy` is called `retryPolicy` (the exponential
    // one too), and a pipeline refuses two policies of one name.
    pipeline.addPolicy(
      { name: 'cappedThrottlingRetryPolicy', sendRequest: throttling.sendRequest },
      { phase: 'Retry' },
    );
    pipeline.addPolicy(exponentialRetryPolicy(how.retry), { phase: 'Retry' });
    pipeline.addPolicy(systemErrorRetryPolicy(how.retry), { phase: 'Retry' });
  }
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: azure.credential, scopes: scope }));
  const request = createPipelineRequest({ url: url.toString(), method, abortSignal: signal });
  if (how.body !== undefined) {
    request.body = how.body;
    request.headers.set('content-type', 'application/json');
  }
  const response = await pipeline.sendRequest(how.client ?? createDefaultHttpClient(), request);
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
  return {
    status: response.status,
    body,
    request: { method, url: url.toString() },
    requestId: response.headers.get('x-ms-request-id') ?? undefined,
    headers: {
      ...(asyncOperation ? { asyncOperation } : {}),
      ...(location ? { location } : {}),
      ...(retryAfter ? { retryAfter } : {}),
      ...(throttle ? { throttle } : {}),
    },
  };
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

/**
 * Azure's code and message from an error body, in either envelope Azure answers with: ARM's and most
 * RPs' `{"error": {"code", "message"}}` (also Microsoft Graph's), or Microsoft.Web's own PascalCase
 * `{"Code", "Message", "Details": [...]}` (docs/architecture.md, "The ARM client").
 */
export function armError(body: unknown): { code: string; message: string } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const wrapped = (body as { error?: unknown }).error;
  if (wrapped && typeof wrapped === 'object') {
    const { code, message } = wrapped as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return { code, message: typeof message === 'string' ? message : '' };
  }
  const { Code, Message } = body as { Code?: unknown; Message?: unknown };
  if (typeof Code === 'string') return { code: Code, message: typeof Message === 'string' ? Message : '' };
  return undefined;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
