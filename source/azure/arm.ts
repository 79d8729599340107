/**
 * Authenticated ARM and Microsoft Graph calls for the doctor and setup: reads, paged lists, and the
 * writes setup makes where no Azure SDK client carries the operation (docs/architecture.md, "ARM
 * through the SDK clients, and what stays REST"): plain REST through the session's one pipeline per
 * audience (arm-pipeline.ts: bearer token, capped throttling, retries, TLS always verified).
 */
import { type Audience, plainRequest, sharedPipeline } from './arm-pipeline.ts';
import { type ArmResponse, armResponseOf } from './arm-response.ts';
import { throughSessionReads } from './read-transport.ts';
import { armRequestPath } from './resource-id.ts';
import type { AzureSession } from './session.ts';

export { ARM_WRITE_RETRY, type ArmRetryOptions } from './arm-pipeline.ts';
export {
  type ArmResponse,
  armResponseOf,
  type ThrottleHeaders,
  throttleHeaders,
} from './arm-response.ts';
export type { ArmReadRequest, ArmReadTransport } from './read-transport.ts';

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
  return send(azure, 'arm', method, armUrl(cloud.resourceManager, path, apiVersion), signal, { body });
}

/** GET `{resourceManager}{path}?api-version=...`. Rejects only when no HTTP answer came back. */
export async function armGet(
  azure: AzureSession,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const cloud = await azure.cloud(signal);
  return send(azure, 'arm', 'GET', armUrl(cloud.resourceManager, path, apiVersion), signal);
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
  return armListFrom(azure, await armGet(azure, path, apiVersion, signal), signal);
}

/**
 * A list followed from its first answer (`armList`'s, or the first page an SDK client asked for):
 * every page's items as Azure sent them, each later page a GET of the `nextLink` before it, or the
 * first page that was not a 200. A `nextLink` off the cloud's endpoint is not followed, and the
 * items so far are the answer.
 */
export async function armListFrom(
  azure: AzureSession,
  first: ArmResponse,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  const cloud = await azure.cloud(signal);
  const origin = new URL(withTrailingSlash(cloud.resourceManager)).origin;
  const items: unknown[] = [];
  let response = first;
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
 * POST to an ARM action that Azure documents as a read (`.../config/appsettings/list`, a Resource
 * Graph query with its `body`). Rejects only when no HTTP answer came back.
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
  return send(azure, 'arm', 'POST', url, signal, body === undefined ? undefined : { body });
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
  return send(azure, 'arm', 'GET', link, signal);
}

/**
 * GET `{graph}{path}` (e.g. `v1.0/servicePrincipals/...`) with a Microsoft Graph token: through
 * @microsoft/microsoft-graph-client on the session's Graph pipeline (graph-client.ts).
 */
export async function graphGet(
  azure: AzureSession,
  path: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  const { graphClientGet } = await import('./graph-client.ts');
  return graphClientGet(azure, path, signal);
}

/** `path` is an ARM id or a path under one, names unencoded: each segment is encoded here, once. */
function armUrl(resourceManager: string, path: string, apiVersion: string): URL {
  const url = new URL(armRequestPath(path), withTrailingSlash(resourceManager));
  url.searchParams.set('api-version', apiVersion);
  return url;
}

async function send(
  azure: AzureSession,
  audience: Audience,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: URL,
  signal: AbortSignal | undefined,
  content: { body: unknown } | undefined = undefined,
): Promise<ArmResponse> {
  const { pipeline, httpClient } = await sharedPipeline(azure, audience, signal);
  const { createPipelineRequest } = await import('@azure/core-rest-pipeline');
  const request = throughSessionReads(
    azure,
    plainRequest(createPipelineRequest({ url: url.toString(), method, abortSignal: signal })),
  );
  if (content && content.body !== undefined) {
    request.body = JSON.stringify(content.body);
    request.headers.set('content-type', 'application/json');
  }
  return armResponseOf(await pipeline.sendRequest(httpClient, request));
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
