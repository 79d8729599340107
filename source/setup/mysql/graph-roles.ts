/**
 * Whether the server's identity may read Microsoft Graph: Azure MySQL resolves Entra users as that
 * identity, and needs the application permissions User.Read.All, GroupMember.Read.All and
 * Application.Read.All (or the Directory Readers role). Only a Privileged Role Administrator or a
 * Global Administrator can grant them, so setup checks and shows the exact grant, never makes it.
 */
import {
  GRAPH_READ_PERMISSIONS,
  type GraphReadRights,
  graphReadRights,
} from '../../azure/graph-read-rights.ts';
import type { Services } from '../../core/services.ts';

export const MYSQL_GRAPH_PERMISSIONS = GRAPH_READ_PERMISSIONS;

export type GraphRolesVerdict = GraphReadRights;

export { type AppRoleGrant, graphRoleGrantCommand } from '../../azure/graph-read-rights.ts';

/** Checks the app roles (and Directory Readers) of the identity whose object id is `principalId`. */
export function checkGraphRoles(
  services: Services,
  principalId: string,
  signal?: AbortSignal,
): Promise<GraphRolesVerdict> {
  return graphReadRights(services.azure, principalId, signal);
}

/** The plan's lines for a verdict. */
export function graphRolesLines(identityName: string, verdict: GraphRolesVerdict): string[] {
  if (verdict.status === 'granted') return [`${identityName} may read Microsoft Graph (${verdict.how})`];
  if (verdict.status === 'unknown')
    return [`could not check whether ${identityName} may read Microsoft Graph: ${verdict.reason}`];
  return [
    `WARNING: ${identityName} lacks the Microsoft Graph permissions ${verdict.missing.join(', ')} (or the Directory Readers role)`,
    'the database-user step will fail as Azure does (ERROR 9102, cannot validate the user) and the run will roll back',
    'a Privileged Role Administrator or Global Administrator grants them with:',
    ...verdict.grantCommands.map((command) => `  ${command}`),
  ];
}
