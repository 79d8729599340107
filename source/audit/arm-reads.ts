/**
 * The audit's read transport (`ArmReadTransport`, plugged into the run's Azure session): one shared
 * scheduler for every ARM, Graph and Resource Graph read of the run.
 *
 * - Bounded concurrency: at most `concurrency` requests in flight, each sent once through the
 *   session's one pipeline (its keep-alive HTTP client, bearer policy and origin guard), whose own
 *   retries step aside for them (source/azure/read-transport.ts).
 * - Per subscription, Azure's own limits: a 429 pauses that subscription until its `Retry-After` (or
 *   Resource Graph's `x-ms-user-quota-resets-after`) has passed, then the read is tried again; and
 *   `x-ms-ratelimit-remaining-subscription-reads` (`-writes` for a POST, which ARM counts as a write)
 *   caps how many requests of that subscription are in flight, so the budget is never overdrawn
 *   (Learn "Understand how Azure Resource Manager throttles requests": a token bucket per
 *   subscription and principal).
 * - One read per resource: answers are cached by method and URL. Reads under an app (its own GET, its
 *   settings, its linkers) go to that app's cache, dropped when the app is done, so memory stays flat
 *   in the number of apps; everything else (servers, their children, environments, subscriptions,
 *   Graph) is shared by every pair of the run: a server used by 40 apps is read once.
 * - Refusals (403) are recorded for whoever asked, so a check that could not look says "not
 *   determinable at this permission level" instead of guessing.
 */
import { type ArmReadRequest, type ArmReadTransport, type ArmResponse, armError } from '../azure/arm.ts';

/** A read Azure refused, as the report names it. */
export interface Refusal {
  method: string;
  /** The ARM path (no host, no query). */
  path: string;
  status: number;
  code: string | null;
}

export interface FleetReadsOptions {
  /** Requests in flight at most (`--concurrency`). */
  concurrency: number;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** 0 ≤ x < 1, for jitter. */
  random(): number;
  /** The run's signal: reads shared by several callers stop only with the run. */
  signal?: AbortSignal;
  /** How often a throttled (429) read is tried again before its answer is passed on. Default 8. */
  maxThrottleRetries?: number;
}

/** What the scheduler did, for the report and the benchmark. */
export interface FleetReadStats {
  /** Requests sent to Azure (retries included). */
  requests: number;
  /** Reads answered from the cache. */
  cacheHits: number;
  /** 429 answers received. */
  throttled: number;
  /** Reads tried again after a 429 or a 5xx. */
  retried: number;
  /** Longest pause of one subscription after a 429, in ms. */
  longestPauseMs: number;
  peakInFlight: number;
}

/** Where a caller's reads are cached and its refusals recorded. */
export interface ReadScope {
  /** Lower-case ARM id of the app whose reads stay in `cache` (dropped with the scope). */
  owner: string;
  cache: Map<string, Promise<ArmResponse>>;
  /** The 403s this caller met, in order. */
  refusals: Refusal[];
}

interface Gate {
  pausedUntil: number;
  /** Reads Azure said are left, minus those sent since; null when it never said. */
  remaining: number | null;
  inFlight: number;
}

/** Reads kept back from the last budget Azure stated, for other clients of the same principal. */
const RESERVE = 5;
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_SERVER_ERROR_RETRIES = 2;

export class FleetReads {
  readonly stats: FleetReadStats = {
    requests: 0,
    cacheHits: 0,
    throttled: 0,
    retried: 0,
    longestPauseMs: 0,
    peakInFlight: 0,
  };
  readonly #shared = new Map<string, Promise<ArmResponse>>();
  readonly #gates = new Map<string, Gate>();
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly options: FleetReadsOptions) {}

  /** A transport for the session of one caller (`scope`), or for the run's own reads (none). */
  transport(scope?: ReadScope): ArmReadTransport {
    return { read: (request, send, signal) => this.#read(request, send, signal, scope) };
  }

  /** Answers cached for the whole run (servers, environments, subscriptions, Graph). */
  get sharedEntries(): number {
    return this.#shared.size;
  }

  async #read(
    request: ArmReadRequest,
    send: (signal?: AbortSignal) => Promise<ArmResponse>,
    signal: AbortSignal | undefined,
    scope: ReadScope | undefined,
  ): Promise<ArmResponse> {
    const url = new URL(request.url);
    // A query (Resource Graph) is never answered from a cache: every page is new.
    const cacheable = request.body === undefined;
    const key = `${request.method} ${url.origin}${url.pathname.toLowerCase()}${url.search}`;
    const cache = scope && underOwner(url.pathname, scope.owner) ? scope.cache : this.#shared;
    let pending = cacheable ? cache.get(key) : undefined;
    if (pending) this.stats.cacheHits += 1;
    else {
      pending = this.#schedule(gateKey(url, request.method), send);
      if (cacheable) {
        cache.set(key, pending);
        // A read that got no answer at all is not remembered: the next caller tries again.
        pending.catch(() => cache.delete(key));
      }
    }
    const response = await waitFor(pending, signal);
    if (scope && (response.status === 403 || response.status === 401)) {
      scope.refusals.push({
        method: request.method,
        path: decodeURIComponent(url.pathname),
        status: response.status,
        code: armError(response.body)?.code ?? null,
      });
    }
    return response;
  }

  async #schedule(
    gateName: string,
    send: (signal?: AbortSignal) => Promise<ArmResponse>,
  ): Promise<ArmResponse> {
    const { signal } = this.options;
    const maxThrottle = this.options.maxThrottleRetries ?? 8;
    let throttledTimes = 0;
    let failedTimes = 0;
    for (;;) {
      const gate = this.#gate(gateName);
      await this.#acquire(gate, signal);
      let response: ArmResponse;
      try {
        this.stats.requests += 1;
        response = await send(signal);
      } catch (error) {
        this.#release(gate);
        if (signal?.aborted || failedTimes >= MAX_SERVER_ERROR_RETRIES) throw error;
        failedTimes += 1;
        this.stats.retried += 1;
        await this.options.sleep(1000 * failedTimes, signal);
        continue;
      }
      this.#release(gate);
      const throttle = response.headers?.throttle;
      const left = gateName.endsWith(':writes')
        ? throttle?.remainingSubscriptionWrites
        : throttle?.remainingSubscriptionReads;
      if (left !== undefined) gate.remaining = Math.max(0, left - gate.inFlight);
      if (!RETRIED_STATUSES.has(response.status)) return response;
      if (response.status === 429) {
        this.stats.throttled += 1;
        if (throttledTimes >= maxThrottle) return response;
        throttledTimes += 1;
        const wait =
          retryAfterMs(response, this.options.now()) ?? Math.min(30_000, 1000 * 2 ** throttledTimes);
        gate.pausedUntil = Math.max(gate.pausedUntil, this.options.now() + wait);
        this.stats.longestPauseMs = Math.max(this.stats.longestPauseMs, wait);
      } else {
        if (failedTimes >= MAX_SERVER_ERROR_RETRIES) return response;
        failedTimes += 1;
        await this.options.sleep(retryAfterMs(response, this.options.now()) ?? 1000 * failedTimes, signal);
      }
      this.stats.retried += 1;
    }
  }

  #gate(name: string): Gate {
    let gate = this.#gates.get(name);
    if (!gate) {
      gate = { pausedUntil: 0, remaining: null, inFlight: 0 };
      this.#gates.set(name, gate);
    }
    return gate;
  }

  async #acquire(gate: Gate, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.options.now();
      if (gate.pausedUntil > now) {
        // Several reads of one subscription wake at slightly different times after a pause.
        await this.options.sleep(gate.pausedUntil - now + Math.floor(this.options.random() * 200), signal);
        continue;
      }
      const cap = gate.remaining === null ? Number.POSITIVE_INFINITY : Math.max(1, gate.remaining - RESERVE);
      if (gate.inFlight < cap && this.#inFlight < this.options.concurrency) {
        gate.inFlight += 1;
        if (gate.remaining !== null) gate.remaining = Math.max(0, gate.remaining - 1);
        this.#inFlight += 1;
        this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.#inFlight);
        return;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #release(gate: Gate): void {
    gate.inFlight -= 1;
    this.#inFlight -= 1;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** `Retry-After` (seconds or an HTTP date), else Resource Graph's quota reset; undefined when neither. */
export function retryAfterMs(response: ArmResponse, now: number): number | undefined {
  const header = response.headers?.retryAfter?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return response.headers?.throttle?.userQuotaResetsAfterMs;
}

/**
 * Reads of one subscription share its budget; ARM counts a POST against the writes budget, even a
 * read action (`appsettings/list`). Everything else shares the tenant's, per host.
 */
function gateKey(url: URL, method: string): string {
  const match = /^\/subscriptions\/([^/]+)/i.exec(url.pathname);
  const budget = method === 'GET' ? 'reads' : 'writes';
  return match ? `subscription:${match[1]!.toLowerCase()}:${budget}` : `tenant:${url.origin}:${budget}`;
}

function underOwner(pathname: string, owner: string): boolean {
  const path = decodeURIComponent(pathname).toLowerCase();
  return path === owner || path.startsWith(`${owner}/`);
}

/** The answer, unless the caller stops waiting first (the read itself goes on for others). */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
