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
  const url = new URL(path.replace(/^\/+/, ''), withTrailingSlash(cloud.resourceManager));
  url.searchParams.set('api-version', apiVersion);
  const request = createPipelineRequest({ url: url.toString(), method: 'GET', abortSignal: signal });
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
