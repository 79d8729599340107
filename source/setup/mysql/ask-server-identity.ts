/**
 * MySQL's server identity, asked when nothing names one: Entra sign-in on a MySQL flexible server
 * needs a user-assigned identity attached to the server, and a server with none and no
 * `mysql-identity-id=` on the command line cannot be set up. The user picks one of the
 * subscription's identities; the server-identity step then attaches it.
 */
import type { Prompter } from '../../core/prompter.ts';
import type { Services } from '../../core/services.ts';
import type { ServerFacts } from '../../databases/facts.ts';
import type { DatabaseKind } from '../../databases/kind.ts';
import type { ListedIdentity } from './identity-listing.ts';

/** Lists the user-assigned identities of a subscription for the picker. */
export type IdentityLister = (
  services: Services,
  subscriptionId: string,
  signal: AbortSignal,
) => Promise<ListedIdentity[]>;

/** The flag that answers the question in plain and JSON mode. */
export const SERVER_IDENTITY_FLAG =
  '--system-identity mysql-identity-id=<ARM id> (mysql-identity-id= in any auth flag)';

/** Whether setup must ask: a MySQL server with no identity attached and none given. */
export function needsServerIdentity(
  kind: DatabaseKind,
  server: ServerFacts,
  given: string | undefined,
): boolean {
  return kind === 'mysql' && given === undefined && server.serverIdentities.length === 0;
}

/** The ARM id of the identity the user picked, or undefined when they backed out. */
export async function askServerIdentity(
  prompter: Prompter,
  services: Services,
  server: ServerFacts,
  list: IdentityLister,
  signal: AbortSignal,
): Promise<string | undefined> {
  return prompter.pick<string>(
    {
      message: `${server.name} has no user-assigned identity, which Entra sign-in on MySQL needs. Which one should it use?`,
      flag: SERVER_IDENTITY_FLAG,
      choices: async (s) =>
        (await list(services, server.subscriptionId, s)).map((identity) => ({
          label: identity.name,
          value: identity.id,
          hint: [identity.resourceGroup, identity.location].filter(Boolean).join(' · '),
        })),
    },
    signal,
  );
}

/** The product's lister: ARM through the session's Azure login, loaded only when someone is asked. */
export const armIdentityLister: IdentityLister = async (services, subscriptionId, signal) => {
  const { listUserAssignedIdentities } = await import('./identity-listing.ts');
  return listUserAssignedIdentities(services.azure, subscriptionId, signal);
};
