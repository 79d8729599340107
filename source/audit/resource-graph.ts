/**
 * Azure Resource Graph through the run's own ARM pipeline (`armPostRead`, the credential and
 * transport every other read uses): `POST /providers/Microsoft.ResourceGraph/resources` at
 * 2024-04-01, every page followed through `$skipToken` with the same query and scope, the per-user
 * quota obeyed (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`: wait for the reset, with
 * jitter when queries run in parallel), and more than 1,000 subscriptions split into groups
 * (Learn "Troubleshoot errors using Azure Resource Graph", "Too many subscriptions").
 * References: docs/audit.md, shared reference "fleet-audit.md" §1.
 */
import { type ArmResponse, armError, armPostRead } from '../azure/arm.ts';
import type { AzureSession } from '../azure/session.ts';

export const ARG_PATH = '/providers/Microsoft.ResourceGraph/resources';
export const ARG_API_VERSION = '2024-04-01';
/** Rows per page: Resource Graph's maximum. */
export const ARG_PAGE_SIZE = 1000;
/** Subscriptions per query: what the REST API accepts in one request. */
export const ARG_SUBSCRIPTION_GROUP = 1000;

/** Where a query looks. */
export type ArgScope =
  | { kind: 'subscriptions'; subscriptions: readonly string[] }
  | { kind: 'managementGroup'; managementGroup: string }
  /** Every subscription the caller can read in the tenant (no scope in the body). */
  | { kind: 'tenant' };

/** A refusal or a broken answer of Resource Graph: the audit cannot go on without its discovery. */
export class ResourceGraphError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** What the client learnt while paging, for the report and the progress line. */
export interface ArgStats {
  queries: number;
  pages: number;
  /** How long the client waited for the quota to reset, in total. */
  quotaWaitMs: number;
  /** `x-ms-tenant-subscription-limit-hit` was seen: the scope was cut to the first subscriptions. */
  subscriptionLimitHit: boolean;
}

export interface ResourceGraphOptions {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** 0 ≤ x < 1, for jitter. */
  random(): number;
}

/**
 * One client per run: all its queries share the caller's quota, so the quota state lives here.
 * Before each request it waits while the last answer said the window is spent; several queries in
 * flight wake up at slightly different times (jitter), as the guidance asks.
 */
export class ResourceGraphClient {
  readonly stats: ArgStats = { queries: 0, pages: 0, quotaWaitMs: 0, subscriptionLimitHit: false };
  #remaining: number | null = null;
  #resetAt = 0;
  #inFlight = 0;

  constructor(
    private readonly azure: AzureSession,
    private readonly options: ResourceGraphOptions,
  ) {}

  /**
   * Every row of `query` in `scope`, page by page (a page is yielded as soon as it arrives). A
   * subscription list longer than `ARG_SUBSCRIPTION_GROUP` is queried group by group.
   * `onTotal` gets Resource Graph's `totalRecords` of each group's first page.
   */
  async *rows(
    query: string,
    scope: ArgScope,
    signal?: AbortSignal,
    onTotal?: (total: number) => void,
  ): AsyncGenerator<Record<string, unknown>[]> {
    for (const part of scopeGroups(scope)) {
      this.stats.queries += 1;
      let skipToken: string | undefined;
      let first = true;
      do {
        const body = {
          query,
          ...part,
          options: {
            resultFormat: 'objectArray',
            $top: ARG_PAGE_SIZE,
            ...(skipToken ? { $skipToken: skipToken } : {}),
          },
        };
        const response = await this.#send(body, signal);
        const page = (response.body ?? {}) as {
          data?: unknown;
          $skipToken?: unknown;
          totalRecords?: unknown;
        };
        if (!Array.isArray(page.data))
          throw new ResourceGraphError(
            'Resource Graph answered without a data array.',
            response.status,
            null,
          );
        this.stats.pages += 1;
        if (first && typeof page.totalRecords === 'number') onTotal?.(page.totalRecords);
        first = false;
        skipToken = typeof page.$skipToken === 'string' && page.$skipToken ? page.$skipToken : undefined;
        yield page.data as Record<string, unknown>[];
      } while (skipToken);
    }
  }

  async #send(body: unknown, signal: AbortSignal | undefined): Promise<ArmResponse> {
    await this.#waitForQuota(signal);
    this.#inFlight += 1;
    let response: ArmResponse;
    try {
      response = await armPostRead(this.azure, ARG_PATH, ARG_API_VERSION, signal, body);
    } finally {
      this.#inFlight -= 1;
    }
    const throttle = response.headers?.throttle;
    if (throttle?.userQuotaRemaining !== undefined) {
      // Queries still in flight may not be counted in this answer yet: they are held back from it.
      this.#remaining = Math.max(0, throttle.userQuotaRemaining - this.#inFlight);
      this.#resetAt = this.options.now() + (throttle.userQuotaResetsAfterMs ?? 5_000);
    }
    if (throttle?.tenantSubscriptionLimitHit) this.stats.subscriptionLimitHit = true;
    if (response.status === 200) return response;
    const error = armError(response.body);
    const detail = detailCode(response.body);
    const code = detail ?? error?.code ?? null;
    throw new ResourceGraphError(
      response.status === 403
        ? 'Azure refused the Resource Graph query: you can read none of the subscriptions in this scope (403).'
        : response.status === 429
          ? 'Resource Graph kept throttling the queries (429) after waiting for the quota to reset.'
          : `Resource Graph answered ${response.status}${code ? ` ${code}` : ''}${error?.message ? `: ${error.message}` : ''}`,
      response.status,
      code,
    );
  }

  async #waitForQuota(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const now = this.options.now();
      if (this.#remaining !== null && now >= this.#resetAt) this.#remaining = null;
      // Unknown (no answer yet, or a new window): go; the answer says what is left.
      if (this.#remaining === null) return;
      if (this.#remaining > 0) {
        this.#remaining -= 1;
        return;
      }
      const jitter = Math.floor(this.options.random() * 250 * (1 + this.#inFlight));
      const wait = this.#resetAt - now + jitter;
      this.stats.quotaWaitMs += wait;
      await this.options.sleep(wait, signal);
    }
  }
}

/** The scope fields of the request body, one per group of at most 1,000 subscriptions. */
export function scopeGroups(
  scope: ArgScope,
): ({ subscriptions: string[] } | { managementGroups: string[] } | Record<string, never>)[] {
  if (scope.kind === 'tenant') return [{}];
  if (scope.kind === 'managementGroup') return [{ managementGroups: [scope.managementGroup] }];
  const groups: { subscriptions: string[] }[] = [];
  for (let start = 0; start < scope.subscriptions.length; start += ARG_SUBSCRIPTION_GROUP)
    groups.push({ subscriptions: scope.subscriptions.slice(start, start + ARG_SUBSCRIPTION_GROUP) });
  return groups;
}

/** Resource Graph puts the precise reason in `error.details[0].code` (`InvalidQuery`, ...). */
function detailCode(body: unknown): string | undefined {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  const code = (details[0] as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
