/**
 * A minimal authenticated ARM GET for checks that need one resource (the SDK clients come later, for
 * the bigger jobs). Uses @azure/core-rest-pipeline, imported on first use, with the bearer policy and
 * the cloud's ARM scope; TLS is always verified (extra CAs through the session's `tls.ca`).
 */
import type { AzureSession } from './session.ts';

export interface ArmResponse {
  status: number;
  /** Parsed JSON body, or `undefined` when there is none or it is not JSON. */
  body: unknown;
  /** `x-ms-request-id`, useful in a support ticket. */
  requestId: string | undefined;
}

/** GET `{resourceManager}{path}?api-version=...`. Rejects only when no HTTP answer came back. */
export async function armGet(
  azure: AzureSession,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  const url = new URL(path.replace(/^\/+/, ''), withTrailingSlash(cloud.resourceManager));
  url.searchParams.set('api-version', apiVersion);
  return armGetUrl(azure, url.toString(), signal);
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
    response = await armGetUrl(azure, new URL(next, origin).toString(), signal);
  }
}

async function armGetUrl(azure: AzureSession, url: string, signal?: AbortSignal): Promise<ArmResponse> {
  const [cloud, pipelineModule] = await Promise.all([
    azure.cloud(signal),
    import('@azure/core-rest-pipeline'),
  ]);
  const {
    bearerTokenAuthenticationPolicy,
    createDefaultHttpClient,
    createPipelineFromOptions,
    createPipelineRequest,
  } = pipelineModule;
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: 1 },
    userAgentOptions: { userAgentPrefix: 'sc-doctor' },
    ...(azure.tls?.ca ? { tlsOptions: { ca: azure.tls.ca } } : {}),
  });
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({ credential: azure.credential, scopes: cloud.armScope }),
  );
  const request = createPipelineRequest({ url, method: 'GET', abortSignal: signal });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  let body: unknown;
  try {
    body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, requestId: response.headers.get('x-ms-request-id') ?? undefined };
}

/** `{ error: { code, message } }` of an ARM error body, when present. */
export function armError(body: unknown): { code: string; message: string } | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!error || typeof error.code !== 'string') return undefined;
  return { code: error.code, message: typeof error.message === 'string' ? error.message : '' };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
