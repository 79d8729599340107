/**
 * Subscriptions (Microsoft.Resources, `Subscriptions_Get` and `Subscriptions_List` at 2022-12-01)
 * through @azure/arm-resources-subscriptions 3, on the session's ARM pipeline: the doctor's
 * `subscription` check, and the subscriptions a fleet audit's `--all` covers. The package is imported
 * on the first read, and only the operations used here (`api/subscriptions`) go into its chunk.
 * (@azure/arm-subscriptions is another service, Microsoft.Subscription: aliases, not these reads.)
 *
 * The client is a TypeSpec-generated ("modular") one, as @azure/arm-appservice's: its `RestError`
 * carries the status but not the body, so every answer is taken from the wire (`onResponse`,
 * arm-sdk.ts) and a 403 or 404 is a status to read.
 */
import type { SubscriptionContext } from '@azure/arm-resources-subscriptions/api';
import type * as Subscriptions from '@azure/arm-resources-subscriptions/api/subscriptions';
import type { ArmListResponse, ArmResponse } from './arm.ts';
import { modularCallOptions, sdkGet, sdkModularClient, sdkModularList } from './arm-sdk.ts';
import { armRequestPath } from './resource-id.ts';
import type { AzureSession } from './session.ts';

/** The subscriptions client: its context and the subscription operations. */
interface SubscriptionsClient {
  context: SubscriptionContext;
  ops: typeof Subscriptions;
}

/**
 * The session's subscriptions client, the package loaded on first use. It is the caller's, not a
 * subscription's (the subscription is each operation's parameter): one per session.
 */
function subscriptionsClient(azure: AzureSession, signal?: AbortSignal): Promise<SubscriptionsClient> {
  return sdkModularClient(
    azure,
    'subscriptions',
    '',
    async (credential, _subscription, options) => {
      const [{ createSubscription }, ops] = await Promise.all([
        import('@azure/arm-resources-subscriptions/api'),
        import('@azure/arm-resources-subscriptions/api/subscriptions'),
      ]);
      return { context: createSubscription(credential, options), ops };
    },
    signal,
  );
}

/**
 * The subscription `subscriptionId` as the caller sees it (`Subscriptions_Get`), answered as
 * `armGet` answers: the status and the JSON Azure sent. Rejects only when no answer came back, or
 * for an id the REST client would refuse as a path (`.`, `..`, empty).
 */
export async function getSubscription(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ArmResponse> {
  armRequestPath(`/subscriptions/${subscriptionId}`);
  const { context, ops } = await subscriptionsClient(azure, signal);
  return sdkGet(azure, (options) => ops.get(context, subscriptionId, modularCallOptions(options)), signal);
}

/** Every subscription the caller sees (`Subscriptions_List`, `GET /subscriptions`), as `armList` answers. */
export async function listSubscriptions(azure: AzureSession, signal?: AbortSignal): Promise<ArmListResponse> {
  const { context, ops } = await subscriptionsClient(azure, signal);
  return sdkModularList(azure, (options) => ops.list(context, modularCallOptions(options)), signal);
}
