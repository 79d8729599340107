/**
 * The Azure RBAC actions the passwordless setup performs, per database kind and app kind, with the
 * narrowest built-in role that grants each. The list follows what `az ... connection create
 * --system-identity` does: read and update the server (Entra authentication, MySQL's identity),
 * add and remove the Entra admin and a temporary firewall rule, read the database, switch on the
 * app's identity, write its settings and create the Service Connector link (and remove it on undo).
 */
import type { AppKind, DatabaseKind } from './facts.ts';

/** One action setup needs, and why, in words a user recognises. */
export interface NeededAction {
  action: string;
  why: string;
  /** A built-in role that grants it (the scope is decided by the caller). */
  role: string;
}

const SERVER_PROVIDER: Record<DatabaseKind, string> = {
  postgres: 'Microsoft.DBforPostgreSQL/flexibleServers',
  mysql: 'Microsoft.DBforMySQL/flexibleServers',
  sql: 'Microsoft.Sql/servers',
};

/** Actions on the database server (scope: the server). */
export function serverActions(kind: DatabaseKind): NeededAction[] {
  const p = SERVER_PROVIDER[kind];
  // There is no built-in role for flexible servers narrower than Contributor that covers admins.
  const role = kind === 'sql' ? 'SQL Server Contributor' : 'Contributor';
  const actions: NeededAction[] = [
    { action: `${p}/read`, why: 'read the server', role },
    {
      action: `${p}/write`,
      why: kind === 'mysql' ? 'attach the server identity' : 'turn on Entra authentication',
      role,
    },
    { action: `${p}/administrators/read`, why: 'list the Entra admins', role },
    { action: `${p}/administrators/write`, why: 'make you an Entra admin', role },
    { action: `${p}/administrators/delete`, why: 'undo the admin change', role },
    { action: `${p}/firewallRules/read`, why: 'read the firewall rules', role },
    { action: `${p}/firewallRules/write`, why: 'open a temporary firewall rule for this machine', role },
    { action: `${p}/firewallRules/delete`, why: 'remove the temporary firewall rule', role },
    { action: `${p}/databases/read`, why: 'check the database exists', role },
  ];
  if (kind === 'mysql') actions.push({ action: `${p}/configurations/read`, why: 'read aad_auth_only', role });
  if (kind === 'sql')
    actions.push({
      action: `${p}/azureADOnlyAuthentications/read`,
      why: 'read Entra-only authentication',
      role,
    });
  return actions;
}

const APP_PROVIDER: Record<AppKind, string> = {
  webapp: 'Microsoft.Web/sites',
  containerapp: 'Microsoft.App/containerApps',
  spring: 'Microsoft.AppPlatform/Spring/apps',
};

/** Actions on the app (scope: the app). */
export function appActions(kind: AppKind): NeededAction[] {
  const p = APP_PROVIDER[kind];
  const appRole = kind === 'webapp' ? 'Website Contributor' : 'Contributor';
  const actions: NeededAction[] = [
    { action: `${p}/read`, why: 'read the app', role: appRole },
    { action: `${p}/write`, why: "switch on the app's managed identity", role: appRole },
  ];
  if (kind === 'webapp') {
    actions.push(
      { action: `${p}/config/list/action`, why: 'read the app settings', role: appRole },
      { action: `${p}/config/write`, why: 'write the connection settings', role: appRole },
    );
  }
  // Website Contributor stops at Microsoft.Web: the link is a Microsoft.ServiceLinker resource.
  actions.push(
    {
      action: 'Microsoft.ServiceLinker/linkers/read',
      why: 'read Service Connector links',
      role: 'Contributor',
    },
    {
      action: 'Microsoft.ServiceLinker/linkers/write',
      why: 'create the Service Connector link',
      role: 'Contributor',
    },
    { action: 'Microsoft.ServiceLinker/linkers/delete', why: 'undo the link', role: 'Contributor' },
  );
  return actions;
}

/** The action to attach a user-assigned identity (scope: the identity). */
export const ASSIGN_IDENTITY: NeededAction = {
  action: 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
  why: 'attach the user-assigned identity',
  role: 'Managed Identity Operator',
};
