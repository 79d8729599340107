/**
 * Reads through the Azure SDK clients (@azure/arm-postgresql-flexible, -mysql-flexible, -sql),
 * answered as sc-doctor reads ARM: the status and the JSON Azure sent. The SDK makes the request
 * (its operation, path and api-version) on the session's one ARM pipeline (arm-pipeline.ts); the
 * answer is taken from the wire (`onResponse`), not from the SDK's model, which flattens
 * `properties` and drops what its api-version does not know. A refusal (`RestError`) carries the
 * response it came from, so a 403 or 404 is a status to read, as over REST, and Azure's error
 * envelope (either of them, `armError`) names its code and message (docs/architecture.md, "ARM
 * through the SDK clients, and what stays REST").
 */
import type { TokenCredential } from '@azure/core-auth';
import type { FullOperationResponse } from '@azure/core-client';
import type { HttpClient, Pipeline, PipelineResponse } from '@azure/core-rest-pipeline';
import { type ArmListResponse, type ArmResponse, armListFrom, armResponseOf } from './arm.ts';
import { ForeignOriginError, plainRequest, sharedPipeline, withSdkPolicies } from './arm-pipeline.ts';
import { refusal } from './arm-refusal.ts';
import { sessionCall } from './read-transport.ts';
import { armRequestPath } from './resource-id.ts';
import type { AzureSession } from './session.ts';

/** What every SDK client is made with: the session's ARM pipeline, its HTTP client and endpoint. */
export interface SdkClientOptions {
  endpoint: string;
  $host: string;
  pipeline: Pipeline;
  httpClient: HttpClient;
}

/** Makes one kind of SDK client (its package imported inside, so each loads only when used). */
export type SdkClientMaker<T> = (
  credential: TokenCredential,
  subscriptionId: string,
  options: SdkClientOptions,
) => Promise<T>;

/**
 * By the session's credential: every view of a session (a fleet audit's per app and per check, each
 * with a read transport of its own) shares its clients, and each call names its transport
 * (`sessionCall`, read-transport.ts).
 */
const clients = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * The session's client `name` for `subscriptionId`, made on first use with `make` (which imports
 * its package then: a database kind's SDK loads only when that kind is read or written).
 */
export function sdkClient<T>(
  azure: AzureSession,
  name: string,
  subscriptionId: string,
  make: SdkClientMaker<T>,
  signal?: AbortSignal,
): Promise<T> {
  return remembered(azure, `${name} ${subscriptionId.toLowerCase()}`, async () => {
    const shared = await sharedPipeline(azure, 'arm', signal);
    const pipeline = await withSdkPolicies(shared);
    // The endpoint without its slash: the clients join paths to it with one of their own.
    const endpoint = shared.endpoint.replace(/\/+$/, '');
    return make(azure.credential, subscriptionId, {
      endpoint,
      $host: endpoint,
      pipeline,
      httpClient: shared.httpClient,
    });
  });
}

/** What a TypeSpec-generated ("modular") client is made with: the session's ARM pipeline as its own. */
export interface ModularClientOptions {
  endpoint: string;
  pipeline: Pipeline;
  httpClient: HttpClient;
}

/**
 * The session's modular client `name` for `subscriptionId` (@azure/arm-appservice 19: a context
 * made by `createX`, its operations functions of their own), made on first use with `make`. Such a
 * client takes a whole pipeline (`ClientOptions.pipeline`), so the session's is given, behind a
 * wrapper that marks each of its requests as plain: the client (de)serialises its own bodies, and
 * core-client's policies, once another client added them, must leave them alone.
 */
export function sdkModularClient<T>(
  azure: AzureSession,
  name: string,
  subscriptionId: string,
  make: (credential: TokenCredential, subscriptionId: string, options: ModularClientOptions) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return remembered(azure, `${name} ${subscriptionId.toLowerCase()}`, async () => {
    const shared = await sharedPipeline(azure, 'arm', signal);
    return make(azure.credential, subscriptionId, {
      endpoint: shared.endpoint.replace(/\/+$/, ''),
      pipeline: plainPipeline(shared.pipeline),
      httpClient: shared.httpClient,
    });
  });
}

/**
 * The shared pipeline as a modular client sees it: each of its requests marked plain (the client
 * (de)serialises its own bodies, and core-client's policies, once another client added them, leave
 * them alone), and no policies taken from the client.
 */
function plainPipeline(pipeline: Pipeline): Pipeline {
  return {
    sendRequest: (httpClient, request) => pipeline.sendRequest(httpClient, plainRequest(request)),
    addPolicy: () => {
      throw new Error("the session's ARM pipeline takes no policies from a client");
    },
    removePolicy: () => [],
    getOrderedPolicies: () => pipeline.getOrderedPolicies(),
    clone: () => pipeline.clone(),
  };
}

/** The session's client under `key`, made once by `make` (forgotten if making it fails). */
function remembered<T>(azure: AzureSession, key: string, make: () => Promise<T>): Promise<T> {
  const bySession = clients.get(azure.credential) ?? new Map<string, Promise<unknown>>();
  clients.set(azure.credential, bySession);
  let made = bySession.get(key) as Promise<T> | undefined;
  if (!made) {
    made = make();
    bySession.set(key, made);
    made.catch(() => bySession.delete(key));
  }
  return made;
}

/** The names an SDK operation takes, read from an ARM id `/subscriptions/s/resourceGroups/g/providers/ns/type/name`. */
export interface ArmIdParts {
  subscriptionId: string;
  resourceGroup: string;
  /** The resource's own name (the last segment). */
  name: string;
}

/**
 * The subscription, resource group and name of a top-level resource's id. An id the REST client
 * would refuse (`.`, `..` or empty segments) is refused here too (`BadArmPath`), as is one of
 * another shape: an SDK client sends its parameters one by one and must get exactly these.
 */
export function armIdParts(id: string): ArmIdParts {
  armRequestPath(id);
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(
    id,
  );
  if (!match) throw new Error(`'${id}' is not the id of a resource in a resource group`);
  return { subscriptionId: match[1]!, resourceGroup: match[2]!, name: match[3]! };
}

/** Whether `id` is a top-level resource's in a resource group (what `armIdParts` takes). */
export function isResourceGroupResourceId(id: string): boolean {
  try {
    armIdParts(id);
    return true;
  } catch {
    return false;
  }
}

/** The options an SDK call is given so its answer can be read from the wire. */
export interface SdkCallOptions {
  abortSignal?: AbortSignal;
  onResponse: (raw: FullOperationResponse, flat: unknown, error?: unknown) => void;
}

/**
 * The options a modular client's operation takes for an SDK call: the same `abortSignal` and
 * `onResponse`, typed as that client's own (its `onResponse` takes core-rest-pipeline's response).
 */
export function modularCallOptions(options: SdkCallOptions): {
  abortSignal?: AbortSignal;
  onResponse: never;
} {
  return { abortSignal: options.abortSignal, onResponse: options.onResponse as never };
}

/** The HTTP answer behind an SDK error, when Azure answered (a `RestError` carries it). */
export function answerOf(error: unknown): PipelineResponse | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  return (error as Error & { response?: PipelineResponse }).response;
}

/**
 * One SDK read, answered as `armGet` answers: the status and Azure's JSON, whatever the status.
 * Rejects only when no HTTP answer came back.
 */
export async function sdkGet(
  azure: AzureSession,
  call: (options: SdkCallOptions) => Promise<unknown>,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  let raw: PipelineResponse | undefined;
  const session = sessionCall(azure, signal);
  try {
    await call({ abortSignal: session.signal, onResponse: (response) => (raw = response) });
  } catch (error) {
    // The answer as it came: a modular client's `RestError` carries the status without the body.
    const answer = raw ?? answerOf(error);
    if (answer) return armResponseOf(answer);
    throw error;
  } finally {
    session.done();
  }
  if (!raw) throw new Error('the Azure SDK call ended without an answer');
  return armResponseOf(raw);
}

/** The paged list an SDK `list*` call returns. */
interface Paged {
  byPage(): AsyncIterableIterator<unknown>;
}

/** Most pages a list follows: ARM pages hold hundreds of items, so this is a runaway guard only. */
const MAX_PAGES = 50;

/**
 * An SDK list followed page by page, answered as `armList` answers: every item as Azure sent it,
 * or the first page that was not a 200. A `nextLink` off the cloud's endpoint is not followed (the
 * pipeline refuses it), and the items so far are the answer.
 */
export async function sdkList(
  azure: AzureSession,
  list: (options: SdkCallOptions) => Promise<Paged>,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  const items: unknown[] = [];
  const onResponse = (raw: FullOperationResponse) => {
    const body = armResponseOf(raw).body as { value?: unknown } | undefined;
    if (raw.status === 200 && Array.isArray(body?.value)) items.push(...body.value);
  };
  const session = sessionCall(azure, signal);
  try {
    let pages = 0;
    const paged = await list({ abortSignal: session.signal, onResponse });
    for await (const _page of paged.byPage()) {
      if (++pages >= MAX_PAGES) break;
    }
  } catch (error) {
    if (error instanceof ForeignOriginError) return { ok: true, items };
    const answer = answerOf(error);
    if (answer) return { ok: false, response: armResponseOf(answer) };
    throw error;
  } finally {
    session.done();
  }
  return { ok: true, items };
}

/** The paged list a modular client's `list*` operation returns. */
interface ModularPaged {
  byPage(): AsyncIterableIterator<unknown[]>;
}

/**
 * A modular client's list (`WebApps_List`, `ContainerApps_ListBySubscription`,
 * `Subscriptions_List`), as `armList` answers. The client asks for the first page (its operation,
 * path and api-version); the later pages are its `nextLink`s, followed here as `armList` follows
 * them (`armListFrom`), because the client would ask for them without the call's options: without
 * its signal (so neither Ctrl-C nor the audit's read transport would reach them) and without
 * `onResponse` (so their items would be the model's, not Azure's JSON).
 */
export async function sdkModularList(
  azure: AzureSession,
  list: (options: SdkCallOptions) => ModularPaged,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  let first: ArmResponse | undefined;
  const session = sessionCall(azure, signal);
  try {
    const pages = list({
      abortSignal: session.signal,
      onResponse: (raw) => {
        first ??= armResponseOf(raw);
      },
    }).byPage();
    // Only the first page: the iterator would ask for the next one on the following `next()`.
    await pages.next();
  } catch (error) {
    if (!first) {
      const answer = answerOf(error);
      if (answer) return { ok: false, response: armResponseOf(answer) };
      throw error;
    }
  } finally {
    session.done();
  }
  if (!first) throw new Error('the Azure SDK list ended without an answer');
  return armListFrom(azure, first, signal);
}

/** The first page of an SDK list, answered as `armGet` answers (the doctor reads one page of admins). */
export function sdkFirstPage(
  azure: AzureSession,
  list: (options: SdkCallOptions) => Promise<Paged>,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  return sdkGet(azure, async (options) => (await list(options)).byPage().next(), signal);
}

/** An SDK read for setup: the resource as Azure sent it, undefined for a 404, a refusal otherwise. */
export async function sdkRead(
  azure: AzureSession,
  call: (options: SdkCallOptions) => Promise<unknown>,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const response = await sdkGet(azure, call, signal);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw refusal(response, what);
  return (response.body ?? {}) as Record<string, unknown>;
}
