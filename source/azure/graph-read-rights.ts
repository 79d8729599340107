/**
 * Whether a server's managed identity may read Microsoft Graph: Azure MySQL resolves every Entra
 * sign-in through its identity, and Azure SQL resolves the principal of `CREATE USER ... FROM EXTERNAL
 * PROVIDER` through its identity when the caller is a service principal or managed identity (an app
 * cannot impersonate another app). Both need the Graph application permissions User.Read.All,
 * GroupMember.Read.All and Application.Read.All, or the Directory Readers role. Only a Privileged
 * Role Administrator or Global Administrator can grant them, so sc-doctor checks and prints the exact
 * grant, never makes it.
 *
 * Sources: Learn "Microsoft Entra authentication" (MySQL flexible), "Microsoft Entra service
 * principals with Azure SQL" and "Managed identities in Microsoft Entra for Azure SQL".
 */
import { commandLine } from '../core/command-line.ts';
import { armError, graphGet } from './arm.ts';
import type { AzureSession } from './session.ts';

/** Microsoft Graph's own application id, the same in every tenant. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The built-in Directory Readers role (its template id is the same in every tenant). */
export const DIRECTORY_READERS_TEMPLATE = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';
/** The Graph application permissions a server identity needs to resolve Entra principals. */
export const GRAPH_READ_PERMISSIONS = [
  'User.Read.All',
  'GroupMember.Read.All',
  'Application.Read.All',
] as const;

export type GraphReadRights =
  | { status: 'granted'; how: string }
  | { status: 'missing'; missing: string[]; grantCommands: string[] }
  | { status: 'unknown'; reason: string };

interface AppRole {
  id?: string;
  value?: string;
}

/** What Graph answered, as a short reason ("Microsoft Graph answered 403 Authorization_RequestDenied"). */
function answered(status: number, body: unknown): string {
  const error = armError(body);
  return `Microsoft Graph answered ${status}${error ? ` ${error.code}` : ''}`;
}

/**
 * The Graph read rights of the service principal whose object id is `principalId`: its app role
 * assignments on Microsoft Graph, else membership of Directory Readers. A refused read is `unknown`
 * ("cannot verify"), never "missing".
 */
export async function graphReadRights(
  azure: AzureSession,
  principalId: string,
  signal?: AbortSignal,
): Promise<GraphReadRights> {
  try {
    const [graph, assignments] = await Promise.all([
      graphGet(azure, `v1.0/servicePrincipals(appId='${GRAPH_APP_ID}')?$select=id,appRoles`, signal),
      graphGet(azure, `v1.0/servicePrincipals/${encodeURIComponent(principalId)}/appRoleAssignments`, signal),
    ]);
    if (graph.status !== 200) return { status: 'unknown', reason: answered(graph.status, graph.body) };
    if (assignments.status !== 200)
      return {
        status: 'unknown',
        reason: `${answered(assignments.status, assignments.body)} reading its app role assignments (you may lack Application.Read.All)`,
      };
    const graphSp = graph.body as { id?: string; appRoles?: AppRole[] };
    const roleIds = new Map(
      GRAPH_READ_PERMISSIONS.map((name) => [name, graphSp.appRoles?.find((r) => r.value === name)?.id]),
    );
    const held = ((assignments.body as { value?: { appRoleId?: string; resourceId?: string }[] }).value ?? [])
      .filter((a) => String(a.resourceId ?? '').toLowerCase() === String(graphSp.id ?? '').toLowerCase())
      .map((a) => String(a.appRoleId ?? '').toLowerCase());
    const missing = GRAPH_READ_PERMISSIONS.filter((name) => {
      const id = roleIds.get(name);
      return !id || !held.includes(id.toLowerCase());
    });
    if (missing.length === 0) return { status: 'granted', how: GRAPH_READ_PERMISSIONS.join(', ') };
    if (await isDirectoryReader(azure, principalId, signal))
      return { status: 'granted', how: 'the Directory Readers role' };
    const graphUrl = (await azure.cloud(signal)).graphResource.replace(/\/+$/, '');
    return {
      status: 'missing',
      missing,
      grantCommands: missing.map((name) =>
        graphRoleGrantCommand(graphUrl, {
          principalId,
          resourceId: graphSp.id ?? '',
          appRoleId: roleIds.get(name) ?? '',
        }),
      ),
    };
  } catch (error) {
    return { status: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
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
async function isDirectoryReader(azure: AzureSession, principalId: string, signal?: AbortSignal) {
  const answer = await graphGet(
    azure,
    `v1.0/servicePrincipals/${encodeURIComponent(principalId)}/memberOf`,
    signal,
  );
  if (answer.status !== 200) return false;
  const roles = (answer.body as { value?: { roleTemplateId?: string }[] }).value ?? [];
  return roles.some((r) => r.roleTemplateId === DIRECTORY_READERS_TEMPLATE);
}
