/**
 * ARM's own request limits (Learn "Understand how Azure Resource Manager throttles requests", the
 * token-bucket model Azure moved every subscription to in 2024): per subscription and principal, a
 * bucket of reads (250, refilled 25 a second) and one of writes (200, refilled 10 a second). A GET is
 * a read; PUT, PATCH and POST are writes (a POST read action such as `listKeys` decrements
 * `x-ms-ratelimit-remaining-subscription-writes`: Azure/azure-rest-api-specs#6363). Every answer
 * carries the budget left; an empty bucket is 429 `SubscriptionRequestsThrottled` with `Retry-After`.
 * Off unless `World.armThrottling` is set.
 */
import { AzureError, type World } from '../api.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class ArmLimits {
  readonly #buckets = new Map<string, Bucket>();

  /** Headers for the answer, or throws the 429 when the caller's bucket for this request is empty. */
  take(world: World, nowMs: number, method: string, path: string, caller: string): Record<string, string> {
    const limits = world.armThrottling;
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase();
    if (!limits || !subscription || method === 'DELETE') return {};
    const kind = method === 'GET' || method === 'HEAD' ? 'reads' : 'writes';
    const { bucket: size, refillPerSecond } = limits[kind];
    const key = `${subscription}|${caller.toLowerCase()}|${kind}`;
    const bucket = this.#buckets.get(key) ?? { tokens: size, at: nowMs };
    bucket.tokens = Math.min(size, bucket.tokens + ((nowMs - bucket.at) / 1000) * refillPerSecond);
    bucket.at = nowMs;
    this.#buckets.set(key, bucket);
    const header = `x-ms-ratelimit-remaining-subscription-${kind}`;
    if (bucket.tokens < 1) {
      const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
      throw new AzureError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${kind === 'reads' ? 'read' : 'write'}' requests for subscription '${subscription}' actor '${caller}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
        { retryAfterSeconds: seconds, headers: { 'Retry-After': String(seconds), [header]: '0' } },
      );
    }
    bucket.tokens -= 1;
    return { [header]: String(Math.floor(bucket.tokens)) };
  }
}
