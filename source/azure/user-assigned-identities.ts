/**
 * User-assigned managed identities (Microsoft.ManagedIdentity) through @azure/arm-msi 2.2.0 (its
 * api-version 2024-11-30 for every operation), on the session's ARM pipeline: the one seam between
 * sc-doctor and Microsoft.ManagedIdentity (setup's identity reads and its picker; the doctor reads
 * none). The package is imported on the first read, so a run that reads no user-assigned identity
 * never loads it.
 *
 * Answers are taken from the wire (`onResponse`, arm-sdk.ts): the client's `Identity` model flattens
 * `properties`, and a 404 is an answer to read, not an exception (docs/architecture.md, "ARM through
 * the SDK clients, and what stays REST").
 */
import type { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { Services } from '../core/services.ts';
import type { ArmListResponse } from './arm.ts';
import { armIdParts, sdkClient, sdkList, sdkRead } from './arm-sdk.ts';
import { armIds } from './resource-id.ts';
import type { AzureSession } from './session.ts';

/** The session's Microsoft.ManagedIdentity client for `subscriptionId`, the package loaded on first use. */
function msiClient(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ManagedServiceIdentityClient> {
  return sdkClient(
    azure,
    'msi',
    subscriptionId,
    async (credential, subscription, options) => {
      const { ManagedServiceIdentityClient } = await import('@azure/arm-msi');
      return new ManagedServiceIdentityClient(credential, subscription, options);
    },
    signal,
  );
}

/**
 * A user-assigned identity as Azure sent it for setup: undefined when there is none (404), a refusal
 * naming `what` otherwise.
 */
export async function readUserAssignedIdentity(
  services: Services,
  id: string,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const { subscriptionId, resourceGroup, name } = armIdParts(id);
  const client = await msiClient(services.azure, subscriptionId, signal);
  return sdkRead(
    services.azure,
    (options) => client.userAssignedIdentities.get(resourceGroup, name, options),
    what,
    signal,
  );
}

/**
 * Every user-assigned identity of the subscription (`UserAssignedIdentities_ListBySubscription`), as
 * `armList` answers: the items as Azure sent them, page by page.
 */
export async function listSubscriptionIdentities(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ArmListResponse> {
  // Held to the GUID rule first, as the REST path was: the client would send any string.
  armIds.identities(subscriptionId);
  const client = await msiClient(azure, subscriptionId, signal);
  return sdkList(azure, async (options) => client.userAssignedIdentities.listBySubscription(options), signal);
}
