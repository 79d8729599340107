/**
 * The one HTTP pipeline of a run per audience (Resource Manager, Microsoft Graph): every ARM request,
 * plain REST (arm.ts) or through an Azure SDK client (arm-sdk.ts), goes through the session's ARM
 * pipeline, built once with the session's credential. What it holds, and why
 * (docs/architecture.md, "The ARM client"):
 *
 * - The bearer policy with the cloud's scope, and a guard in front of it: a request to any other
 *   origin than the cloud's own endpoint (a `nextLink`, a poll URL a response named) is refused, so
 *   the token never goes to a host a response body chose.
 * - Throttling (429, and 503 naming a `Retry-After`) asked again after Azure's wait capped at 30 s,
 *   shown on the step or check in scope (arm-throttle.ts), in place of core-rest-pipeline's own
 *   unbounded, silent throttling retry.
 * - 5xx and dropped connections retried: once for reads (GET, and the POST actions that read), as
 *   `ARM_WRITE_RETRY` says for writes (PUT, PATCH, DELETE).
 * - TLS always verified; the session's extra CA (the twin's in tests) through `tlsOptions`.
 * - For the SDK clients, core-client's (de)serialisation policies, added when the first client is
 *   made, so a doctor run that reads only through REST never loads core-client.
 * - For a session with a read transport (`AzureSession.reads`, the fleet audit's), its reads handed
 *   to that transport and sent once, the retries above left to it (read-transport.ts).
 */
import type { HttpClient, Pipeline, PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { THROTTLED_RETRIES, throttlingStrategy } from './arm-throttle.ts';
import { isSentOnce, readTransportPolicy } from './read-transport.ts';
import type { AzureSession } from './session.ts';

/** How writes retry 5xx answers and dropped connections (the Azure SDK's exponential policy). */
export interface ArmRetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/** Retry settings for every write of this process; tests shorten the delays (read when a pipeline is made). */
export const ARM_WRITE_RETRY: ArmRetryOptions = {
  maxRetries: 3,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000,
};

/** Reads are asked once more after a 5xx or a dropped connection. */
const READ_RETRY: ArmRetryOptions = { maxRetries: 1 };

/** Which service a pipeline talks to: its token scope and the one origin it may send that token to. */
export type Audience = 'arm' | 'graph';

/** A session's pipeline for one audience, with the endpoint and scope it was made for. */
export interface SharedPipeline {
  pipeline: Pipeline;
  /** The one HTTP client (and its connection pool) the pipeline sends with. */
  httpClient: HttpClient;
  /** The cloud's endpoint for this audience, with a trailing slash. */
  endpoint: string;
  scope: string;
}

/**
 * By the session's credential: a view of a session (`{ ...azure, reads }`, the audit's per check)
 * keeps its credential, and so its pipeline and the connections it holds open.
 */
const pipelines = new WeakMap<object, Map<Audience, Promise<SharedPipeline>>>();

/** The session's pipeline for `audience`, made on first use. */
export function sharedPipeline(
  azure: AzureSession,
  audience: Audience,
  signal?: AbortSignal,
): Promise<SharedPipeline> {
  const byAudience = pipelines.get(azure.credential) ?? new Map<Audience, Promise<SharedPipeline>>();
  pipelines.set(azure.credential, byAudience);
  let made = byAudience.get(audience);
  if (!made) {
    made = makePipeline(azure, audience, signal);
    byAudience.set(audience, made);
    // A cut-short cloud lookup must not stay remembered: the next caller starts afresh.
    made.catch(() => byAudience.delete(audience));
  }
  return made;
}

async function makePipeline(
  azure: AzureSession,
  audience: Audience,
  signal: AbortSignal | undefined,
): Promise<SharedPipeline> {
  const cloud = await azure.cloud(signal);
  const endpoint = withTrailingSlash(audience === 'arm' ? cloud.resourceManager : cloud.graphResource);
  const scope = audience === 'arm' ? cloud.armScope : cloud.graphScope;
  const {
    bearerTokenAuthenticationPolicy,
    createDefaultHttpClient,
    createPipelineFromOptions,
    exponentialRetryPolicy,
    retryPolicy,
    systemErrorRetryPolicy,
  } = await import('@azure/core-rest-pipeline');
  const pipeline = createPipelineFromOptions({
    userAgentOptions: { userAgentPrefix: 'sc-doctor' },
    ...(azure.tls?.ca ? { tlsOptions: { ca: azure.tls.ca } } : {}),
  });
  // The default retry policy waits whatever a 429's Retry-After says, unbounded and unseen: its
  // other two parts stay (5xx, dropped connections), the throttling part is ours (arm-throttle.ts).
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  // First in the Retry phase: a read transport's requests skip the retries below (read-transport.ts).
  pipeline.addPolicy(readTransportPolicy(), { phase: 'Retry' });
  const throttling = retryPolicy([throttlingStrategy()], { maxRetries: THROTTLED_RETRIES });
  // Named apart: every retry policy made by `retryPolicy` is called `retryPolicy` (the exponential
  // one too), and a pipeline refuses two policies of one name.
  pipeline.addPolicy(
    {
      name: 'cappedThrottlingRetryPolicy',
      sendRequest: (request, next) =>
        isSentOnce(request) ? next(request) : throttling.sendRequest(request, next),
    },
    { phase: 'Retry' },
  );
  pipeline.addPolicy(
    byMethod(
      'armServerErrorRetryPolicy',
      exponentialRetryPolicy(READ_RETRY),
      exponentialRetryPolicy(ARM_WRITE_RETRY),
    ),
    { phase: 'Retry' },
  );
  pipeline.addPolicy(
    byMethod(
      'armSystemErrorRetryPolicy',
      systemErrorRetryPolicy(READ_RETRY),
      systemErrorRetryPolicy(ARM_WRITE_RETRY),
    ),
    { phase: 'Retry' },
  );
  // In the Sign phase, ahead of the token: every request that would carry one is checked, a
  // redirected one too.
  pipeline.addPolicy(sameOrigin(new URL(endpoint).origin), { phase: 'Sign' });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: azure.credential, scopes: scope }), {
    phase: 'Sign',
  });
  return { pipeline, httpClient: createDefaultHttpClient(), endpoint, scope };
}

/**
 * A write's retry policy for PUT, PATCH and DELETE, a read's for the rest; none for a read its
 * session's transport sends once.
 */
function byMethod(name: string, read: PipelinePolicy, write: PipelinePolicy): PipelinePolicy {
  return {
    name,
    sendRequest: (request, next) =>
      isSentOnce(request)
        ? next(request)
        : (['PUT', 'PATCH', 'DELETE'].includes(request.method) ? write : read).sendRequest(request, next),
  };
}

/** A request the pipeline refused to send because it left the cloud's endpoint. */
export class ForeignOriginError extends Error {
  constructor(readonly origin: string) {
    super(`refusing to send an Azure token to ${origin}: not the cloud's endpoint`);
    this.name = 'ForeignOriginError';
  }
}

/** Refuses any request that is not for `origin`: the bearer token goes nowhere else. */
function sameOrigin(origin: string): PipelinePolicy {
  return {
    name: 'scDoctorSameOriginPolicy',
    sendRequest(request, next) {
      const target = new URL(request.url).origin;
      if (target !== origin) return Promise.reject(new ForeignOriginError(target));
      return next(request);
    },
  };
}

/** The requests sc-doctor builds itself (REST, Graph): the SDK's (de)serialisation leaves them alone. */
const plainRequests = new WeakSet<PipelineRequest>();

/** Marks a request as sc-doctor's own, read from the wire as it came (see `withSdkPolicies`). */
export function plainRequest<T extends PipelineRequest>(request: T): T {
  plainRequests.add(request);
  return request;
}

/**
 * Adds core-client's (de)serialisation policies to the session's ARM pipeline, once: the SDK
 * clients need them (they turn an error answer into a `RestError` and a body into its model). A
 * plain request (`plainRequest`) skips them: its body is read as it came, even one that is not JSON.
 */
export async function withSdkPolicies(shared: SharedPipeline): Promise<Pipeline> {
  const { pipeline } = shared;
  const { deserializationPolicy, serializationPolicy } = await import('@azure/core-client');
  // Checked after the import: two clients made at once both get here, and only one adds them.
  if (!pipeline.getOrderedPolicies().some((policy) => policy.name === 'deserializationPolicy')) {
    pipeline.addPolicy(sdkOnly(serializationPolicy()), { phase: 'Serialize' });
    pipeline.addPolicy(sdkOnly(deserializationPolicy()), { phase: 'Deserialize' });
  }
  return pipeline;
}

/** `policy` for the SDK clients' requests, under its own name; a plain request passes by. */
function sdkOnly(policy: PipelinePolicy): PipelinePolicy {
  return {
    name: policy.name,
    sendRequest: (request, next) =>
      plainRequests.has(request) ? next(request) : policy.sendRequest(request, next),
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
