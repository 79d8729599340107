/**
 * Whether the server's identity may read Microsoft Graph: Azure MySQL resolves Entra users as that
 * identity, and needs the application permissions User.Read.All, GroupMember.Read.All and
 * Application.Read.All (or the Directory Readers role). Only a Privileged Role Administrator or a
 * Global Administrator can grant them, so setup checks and shows the exact grant, never makes it.
 */
import { graphGet } from '../../azure/arm.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const DIRECTORY_READERS_TEMPLATE = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';
export const MYSQL_GRAPH_PERMISSIONS = [
  'User.Read.All',
  'GroupMember.Read.All',
  'Application.Read.All',
] as const;

export type GraphRolesVerdict =
  | { status: 'granted'; how: string }
  | { status: 'missing'; missing: string[]; grantCommands: string[] }
  | { status: 'unknown'; reason: string };

interface AppRole {
  id: string;
  value: string;
}

/** Checks the app roles (and Directory Readers) of the identity whose object id is `principalId`. */
export async function checkGraphRoles(
  services: Services,
  principalId: string,
  signal?: AbortSignal,
): Promise<GraphRolesVerdict> {
  const graph = await graphGet(services.azure, `v1.0/servicePrincipals(appId='${GRAPH_APP_ID}')`, signal);
  if (graph.status !== 200) return { status: 'unknown', reason: `Microsoft Graph answered ${graph.status}` };
  const graphSp = graph.body as { id: string; appRoles?: AppRole[] };
  const roleIds = new Map(
    MYSQL_GRAPH_PERMISSIONS.map((name) => [name, graphSp.appRoles?.find((r) => r.value === name)?.id]),
  );
  const assigned = await graphGet(
    services.azure,
    `v1.0/servicePrincipals/${encodeURIComponent(principalId)}/appRoleAssignments`,
    signal,
  );
  if (assigned.status !== 200)
    return {
      status: 'unknown',
      reason: `reading its app role assignments was refused (${assigned.status}): you may lack Application.Read.All`,
    };
  const held = (
    (assigned.body as { value?: { appRoleId: string; resourceId: string }[] }).value ?? []
  ).filter((a) => a.resourceId.toLowerCase() === graphSp.id.toLowerCase());
  const missing = MYSQL_GRAPH_PERMISSIONS.filter(
    (name) => !held.some((a) => a.appRoleId.toLowerCase() === roleIds.get(name)?.toLowerCase()),
  );
  if (missing.length === 0) return { status: 'granted', how: MYSQL_GRAPH_PERMISSIONS.join(', ') };
  if (await isDirectoryReader(services, principalId, signal))
    return { status: 'granted', how: 'the Directory Readers role' };
  const graphUrl = (await services.azure.cloud(signal)).graphResource.replace(/\/+$/, '');
  return {
    status: 'missing',
    missing,
    grantCommands: missing.map((name) =>
      graphRoleGrantCommand(graphUrl, {
        principalId,
        resourceId: graphSp.id,
        appRoleId: roleIds.get(name) ?? '',
      }),
    ),
  };
}

/** The Graph app role an identity is granted: on Microsoft Graph's service principal `resourceId`. */
export interface AppRoleGrant {
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** The `az rest` call a Privileged Role Administrator runs to grant one Graph app role. */
export function graphRoleGrantCommand(graphUrl: string, grant: AppRoleGrant): string {
  return commandLine([
    ...['az', 'rest', '--method', 'POST'],
    ...[
      '--uri',
      `${graphUrl}/v1.0/servicePrincipals/${encodeURIComponent(grant.principalId)}/appRoleAssignments`,
    ],
    ...['--body', JSON.stringify(grant)],
  ]);
}

/** Directory Readers is the tenant-wide alternative to the three app roles. */
async function isDirectoryReader(services: Services, principalId: string, signal?: AbortSignal) {
  const answer = await graphGet(
    services.azure,
    `v1.0/servicePrincipals/${encodeURIComponent(principalId)}/memberOf`,
    signal,
  );
  if (answer.status !== 200) return false;
  const groups = (answer.body as { value?: { roleTemplateId?: string }[] }).value ?? [];
  return groups.some((g) => g.roleTemplateId === DIRECTORY_READERS_TEMPLATE);
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
