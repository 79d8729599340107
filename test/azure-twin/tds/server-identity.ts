/**
 * Azure SQL's server identity as the engine uses it: when the caller of `CREATE USER ... FROM EXTERNAL
 * PROVIDER` is a service principal or managed identity, the engine cannot impersonate it to Microsoft
 * Graph and resolves the principal as the server's own identity instead: the primary user-assigned
 * identity (`properties.primaryUserAssignedIdentityId`), else the system-assigned one. That identity
 * must exist and hold User.Read.All, GroupMember.Read.All and Application.Read.All (Directory Readers
 * is the alternative; the twin models no directory roles), or the statement fails with 33134.
 * Source: Learn "Microsoft Entra service principals with Azure SQL" (sql-docs
 * azure-sql/database/authentication-aad-service-principal.md, "Troubleshooting and limitations").
 */
import type { ArmResource, World } from '../api.ts';
import { GRAPH_APP_ROLES } from '../providers/graph.ts';

/** Why the server cannot resolve principals for an app caller, or undefined when it can. */
export type ServerIdentityProblem = 'not-configured' | 'no-graph-rights';

/** The object id of the server identity, or undefined when the server has none. */
export function serverIdentityPrincipal(server: ArmResource): string | undefined {
  const identity = (server.identity ?? {}) as {
    type?: string;
    principalId?: string;
    userAssignedIdentities?: Record<string, { principalId?: string } | null>;
  };
  const primary = server.properties?.primaryUserAssignedIdentityId as string | undefined;
  if (primary) {
    const key = Object.keys(identity.userAssignedIdentities ?? {}).find(
      (id) => id.toLowerCase() === primary.toLowerCase(),
    );
    return (key && identity.userAssignedIdentities?.[key]?.principalId) || undefined;
  }
  return /systemassigned/i.test(identity.type ?? '') ? identity.principalId : undefined;
}

/** What stops `server` from resolving Entra principals on behalf of an app caller. */
export function serverIdentityProblem(world: World, server: ArmResource): ServerIdentityProblem | undefined {
  const principalId = serverIdentityPrincipal(server);
  if (!principalId) return 'not-configured';
  const held = world.appRoleAssignments.filter(
    (a) => a.principalId.toLowerCase() === principalId.toLowerCase(),
  );
  const all = GRAPH_APP_ROLES.every((role) => held.some((a) => a.appRoleId.toLowerCase() === role.id));
  return all ? undefined : 'no-graph-rights';
}
