/**
 * The user-assigned identities of a subscription, as a picker offers them (MySQL's server identity):
 * one list through @azure/arm-msi over every page, no prompting, so the listing is testable against
 * the twin alone.
 */
import { armError } from '../../azure/arm.ts';
import type { AzureSession } from '../../azure/session.ts';
import { listSubscriptionIdentities } from '../../azure/user-assigned-identities.ts';
import type { Services } from '../../core/services.ts';
import { ListingError } from '../../doctor/target-listing.ts';

/** A user-assigned identity as a picker row shows it. */
export interface ListedIdentity {
  /** ARM id: what `mysql-identity-id=` takes. */
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
}

/** Every user-assigned identity in the subscription, sorted by name; a refused list throws `ListingError`. */
export async function listUserAssignedIdentities(
  azure: AzureSession,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<ListedIdentity[]> {
  const answer = await listSubscriptionIdentities(azure, subscriptionId, signal);
  if (!answer.ok) {
    const error = armError(answer.response.body);
    throw new ListingError(
      `could not list the user-assigned identities of ${subscriptionId}: ${answer.response.status}${error ? ` ${error.code}` : ''}`,
    );
  }
  return answer.items
    .flatMap((item): ListedIdentity[] => {
      const { id, name, location } = item as { id?: unknown; name?: unknown; location?: unknown };
      if (typeof id !== 'string' || typeof name !== 'string') return [];
      return [
        {
          id,
          name,
          resourceGroup: /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? '',
          location: typeof location === 'string' ? location : '',
        },
      ];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Lists the user-assigned identities of a subscription for the picker. */
export type IdentityLister = (
  services: Services,
  subscriptionId: string,
  signal: AbortSignal,
) => Promise<ListedIdentity[]>;

/** The product's lister: ARM through the session's Azure login. */
export const armIdentityLister: IdentityLister = (services, subscriptionId, signal) =>
  listUserAssignedIdentities(services.azure, subscriptionId, signal);
