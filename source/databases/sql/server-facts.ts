/**
 * What an Azure SQL logical server resource says its own way: public access at the top of its
 * properties, no VNet integration, always Ready, its Entra admin's kind and its server identity.
 */
import type { ServerFacts } from '../facts.ts';
import { commonServerFacts, type ServerResource } from '../server-facts.ts';

export function sqlServerFacts(resource: unknown): ServerFacts {
  const server = (resource ?? {}) as ServerResource;
  const props = server.properties ?? {};
  return {
    ...commonServerFacts('sql', resource),
    // Azure SQL logical servers report Ready and have no stop; an absent state means the same there.
    state: props.state ?? 'Ready',
    publicNetworkAccess: props.publicNetworkAccess ?? null,
    delegatedSubnetId: null,
    entraAdminType: props.administrators?.principalType ?? null,
    sqlServerIdentity: sqlServerIdentityOf(server),
    database: null,
  };
}

/** Azure SQL's server identity: the primary user-assigned one, else the system-assigned one. */
function sqlServerIdentityOf(server: ServerResource): ServerFacts['sqlServerIdentity'] {
  const identity = server.identity;
  const primary = server.properties?.primaryUserAssignedIdentityId;
  if (primary) {
    const users = identity?.userAssignedIdentities ?? {};
    const key = Object.keys(users).find((id) => id.toLowerCase() === primary.toLowerCase());
    return { kind: 'user', id: primary, principalId: (key && users[key]?.principalId) || null };
  }
  if (/systemassigned/i.test(identity?.type ?? '') && identity?.principalId)
    return { kind: 'system', id: null, principalId: identity.principalId };
  return null;
}
