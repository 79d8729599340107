/**
 * The Entra principal the database user is for, as Azure SQL knows it: its object id, its client id
 * (an application's database user carries the client id in `sid`) and the name the Azure CLI gives
 * the user: the app's name for its system identity, the identity's name for a user-assigned one, the
 * display name of a service principal.
 */

import { readGraph } from '../../azure/arm-calls.ts';
import type { Services } from '../../core/services.ts';
import { findUami, principalOf } from '../app/identities.ts';
import type { SqlSetupInput } from './input.ts';

export interface SqlPrincipal {
  objectId: string;
  clientId: string;
  /** The Entra name `CREATE USER ... FROM EXTERNAL PROVIDER` resolves. */
  entraName: string;
  /** The database user's name: `--db-user`, else `entraName`. */
  userName: string;
}

/** Looks the principal up (the system identity may only exist once `app-identity` has run). */
export async function sqlPrincipalOf(
  services: Services,
  input: SqlSetupInput,
  signal?: AbortSignal,
): Promise<SqlPrincipal> {
  const auth = input.auth;
  let found: Omit<SqlPrincipal, 'userName'>;
  if (auth.kind === 'user') {
    const uami = await findUami(services, input, auth.clientId, auth.subscriptionId, signal);
    found = { objectId: uami.principalId, clientId: uami.clientId, entraName: uami.name };
  } else {
    const { objectId } = await principalOf(services, input, signal);
    const sp = await readGraph(
      services,
      `v1.0/servicePrincipals/${encodeURIComponent(objectId)}?$select=id,appId,displayName`,
      `looking up the client id of ${objectId}`,
      signal,
    );
    found = {
      objectId,
      clientId: String(sp.appId ?? ''),
      entraName: auth.kind === 'system' ? systemIdentityName(input) : String(sp.displayName ?? auth.clientId),
    };
    if (!found.clientId) throw new Error(`Microsoft Graph shows no client id for ${objectId}`);
  }
  return { ...found, userName: input.dbUser ?? found.entraName };
}

/** The user name without a lookup when it is known from the input alone (for the plan). */
export function plannedUserName(input: SqlSetupInput): string {
  if (input.dbUser) return input.dbUser;
  if (input.auth.kind === 'system') return systemIdentityName(input);
  if (input.auth.kind === 'user') return `the name of the identity with client id ${input.auth.clientId}`;
  return `the display name of the service principal ${input.auth.clientId}`;
}

/**
 * The display name Entra gives the app's system identity: the app's name, except for a Spring app,
 * whose identity is named `<service>/apps/<app>` (the name the Azure CLI creates the user with too).
 */
export function systemIdentityName(input: SqlSetupInput): string {
  if (input.app.kind !== 'spring') return input.app.name;
  const service = input.app.id.split('/')[8];
  return service ? `${service}/apps/${input.app.name}` : input.app.name;
}
