/**
 * MySQL's server identity, asked when nothing names one: Entra sign-in on a MySQL flexible server
 * needs a user-assigned identity attached to the server, and a server with none and no
 * `mysql-identity-id=` on the command line cannot be set up. The user picks one of the
 * subscription's identities; the server-identity step then attaches it.
 */
import type { Prompter } from '../../core/prompter.ts';
import type { Services } from '../../core/services.ts';
import type { ServerFacts } from '../../databases/facts.ts';
import type { IdentityLister } from '../app/identity-listing.ts';

/** The flag that answers the question in plain and JSON mode. */
export const SERVER_IDENTITY_FLAG =
  '--system-identity mysql-identity-id=<ARM id> (mysql-identity-id= in any auth flag)';

/** Whether setup must ask: a MySQL server with no identity attached and none given. */
export function needsServerIdentity(server: ServerFacts, given: string | undefined): boolean {
  return given === undefined && server.serverIdentities.length === 0;
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
