/**
 * Following an ARM long-running operation to its end, as the Azure SDK's poller does (Learn "Track
 * asynchronous Azure operations"; @azure/core-lro): poll `Azure-AsyncOperation` (a status resource,
 * always 200 with a `status`) when the first answer names one, else `Location` (202 while running,
 * then the result), waiting `Retry-After` between polls (seconds or an HTTP date, as HTTP allows;
 * capped). Once the operation succeeded the result is read where the operation's `final-state-via`
 * says (docs/architecture.md, "The ARM client"). Poll URLs must point at the cloud's own Resource
 * Manager: the bearer token never goes to a host a response named.
 */
import { type ArmResponse, armError, armGetNextLink } from './arm.ts';
import { ArmOperationError, refusal } from './arm-refusal.ts';
import type { AzureSession } from './session.ts';

export { ArmOperationError, refusal } from './arm-refusal.ts';

export interface WaitOptions {
  signal?: AbortSignal;
  /**
   * Called before each wait with the operation's last status (`Accepted`, `InProgress`, `Deleting`...)
   * and how long until the next poll, so a step can show that Azure is still working.
   */
  onStatus?: (status: string, nextPollMs: number) => void;
  /** Wait between polls when Azure names none (ms). */
  defaultPollMs?: number;
  /** Longest wait between two polls, whatever `Retry-After` asks (ms). */
  maxPollMs?: number;
  /** `what` in error messages, e.g. `enabling Entra authentication on pg-orders`. */
  what: string;
}

/** Waits Azure names are followed up to this long: long enough for ARM's usual values, short enough to show life. */
export const MAX_POLL_MS = 30_000;
const DEFAULT_POLL_MS = 2000;

const TERMINAL_OK = new Set(['succeeded']);
const TERMINAL_BAD = new Set(['failed', 'canceled', 'cancelled']);

/** Where a finished operation's result is (`x-ms-long-running-operation-options.final-state-via`). */
export type FinalStateVia = 'azure-async-operation' | 'location' | 'original-uri';

/**
 * The operations sc-doctor writes whose spec names a `final-state-via` that differs from ARM's
 * default for their method (a PUT's result is always the resource at its own URL; a PATCH's is at
 * `Location` when there is one). PostgreSQL's `Servers_Update` ends in its status resource
 * (azure-rest-api-specs `postgresql/.../stable/2025-08-01/Servers.json`; @azure/arm-postgresql-flexible
 * 9.0.0 `servers.beginUpdate`). MySQL's `Servers_Update`, Container Apps' and Spring Apps' PATCH name
 * none (their specs at the api-versions in `source/databases/<kind>/descriptor.ts` and
 * `source/setup/input.ts`).
 */
const FINAL_STATE_VIA: { method: string; type: RegExp; via: FinalStateVia }[] = [
  { method: 'PATCH', type: /^Microsoft\.DBforPostgreSQL\/flexibleServers$/i, via: 'azure-async-operation' },
];

/**
 * Turns the first answer of a write into its final outcome: resolves with the final body (the
 * resource for a PUT or PATCH, nothing for a DELETE) when the write succeeded, rejects with
 * `ArmOperationError` when Azure refused it, the operation ended Failed or Canceled, or the resource
 * a PUT made cannot be read back.
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
  const method = (first.request?.method ?? '').toUpperCase();
  let retryAfter = first.headers?.retryAfter;
  let status = provisioningState(first.body) ?? (first.status === 202 ? 'Accepted' : 'InProgress');

  if (asyncUrl) {
    let final: ArmResponse;
    for (;;) {
      await pause(retryAfter, status, options);
      const poll = await armGetNextLink(azure, asyncUrl, options.signal);
      if (poll.status >= 400) throw refusal(poll, options.what);
      const body = (poll.body ?? {}) as { status?: unknown };
      status = typeof body.status === 'string' ? body.status : 'InProgress';
      const lower = status.toLowerCase();
      if (TERMINAL_BAD.has(lower)) {
        const error = armError(poll.body);
        throw new ArmOperationError(
          `${options.what} ended ${status}${error ? `: ${error.code}: ${error.message}` : ''}`,
          poll.status,
          error?.code,
        );
      }
      if (TERMINAL_OK.has(lower)) {
        final = poll;
        break;
      }
      retryAfter = poll.headers?.retryAfter;
    }
    return finalResult(azure, first, method, final, options);
  }

  for (;;) {
    await pause(retryAfter, status, options);
    const poll = await armGetNextLink(azure, locationUrl!, options.signal);
    if (poll.status >= 400) throw refusal(poll, options.what);
    if (poll.status !== 202) {
      // A PUT whose result URL has nothing to say: the resource itself is the result.
      if (method === 'PUT' && poll.body === undefined) return readBack(azure, first, options);
      return poll.body;
    }
    status = provisioningState(poll.body) ?? 'InProgress';
    retryAfter = poll.headers?.retryAfter;
  }
}

/** The result of an operation whose status resource said Succeeded, read where its spec says it is. */
async function finalResult(
  azure: AzureSession,
  first: ArmResponse,
  method: string,
  status: ArmResponse,
  options: WaitOptions,
): Promise<unknown> {
  if (method === 'DELETE') return undefined;
  const via = finalStateVia(method, first.request?.url);
  if (via === 'azure-async-operation') return status.body;
  const location = first.headers?.location;
  if (via === 'location' && location) {
    const result = await armGetNextLink(azure, location, options.signal);
    if (result.status >= 400) throw refusal(result, options.what);
    if (result.status === 200 && result.body !== undefined) return result.body;
  }
  // An action (POST) has no resource of its own to read back.
  return method === 'PUT' || method === 'PATCH' ? readBack(azure, first, options) : undefined;
}

/** GET of the written resource's own URL after its operation succeeded: 200 with the resource. */
async function readBack(azure: AzureSession, first: ArmResponse, options: WaitOptions): Promise<unknown> {
  if (!first.request) return undefined;
  const read = await armGetNextLink(azure, first.request.url, options.signal);
  if (read.status === 200) return read.body;
  const error = armError(read.body);
  throw new ArmOperationError(
    `${options.what}: Azure said the operation succeeded, but reading the result answered ${read.status}${error ? ` ${error.code}: ${error.message}` : ''}`,
    read.status,
    error?.code,
  );
}

/** The operation's `final-state-via`: from the table above, else ARM's default for the method. */
export function finalStateVia(method: string, url: string | undefined): FinalStateVia {
  const type = url ? resourceTypeOf(new URL(url).pathname) : undefined;
  const listed = FINAL_STATE_VIA.find(
    (entry) => entry.method === method.toUpperCase() && type !== undefined && entry.type.test(type),
  );
  if (listed) return listed.via;
  return method.toUpperCase() === 'PUT' ? 'original-uri' : 'location';
}

/** `Microsoft.Web/sites/config` from `/subscriptions/../providers/Microsoft.Web/sites/a/config/b`. */
function resourceTypeOf(path: string): string | undefined {
  const index = path.toLowerCase().lastIndexOf('/providers/');
  if (index < 0) return undefined;
  const [namespace, ...rest] = path.slice(index + '/providers/'.length).split('/');
  if (!namespace || rest.length === 0) return undefined;
  return [namespace, ...rest.filter((_, i) => i % 2 === 0)].join('/');
}

/** `properties.provisioningState` of a resource body, when it has one. */
export function provisioningState(body: unknown): string | undefined {
  const state = (body as { properties?: { provisioningState?: unknown } } | undefined)?.properties
    ?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}

/**
 * How long `Retry-After` asks to wait, in ms: whole seconds or an HTTP date (RFC 9110 §10.2.3),
 * never below 0 nor above `maxMs`; `undefined` when the header is missing or unreadable.
 */
export function retryAfterMs(
  value: string | undefined,
  now: number,
  maxMs = MAX_POLL_MS,
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}

/**
 * Waits before the next poll what `Retry-After` asks (capped at `maxPollMs`), or the default when it
 * names nothing, telling `onStatus` first; ends at once when the signal aborts.
 */
export async function pause(
  retryAfter: string | undefined,
  status: string,
  options: WaitOptions,
): Promise<void> {
  const max = options.maxPollMs ?? MAX_POLL_MS;
  const ms =
    retryAfterMs(retryAfter, Date.now(), max) ?? Math.min(options.defaultPollMs ?? DEFAULT_POLL_MS, max);
  options.onStatus?.(status, ms);
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
