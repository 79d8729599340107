import type { AppKind } from '../azure/resource-id.ts';
import type { ServerFacts } from '../databases/facts.ts';
import { adapterOf } from '../databases/index.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { AppFacts } from './facts.ts';

/** One action setup needs, and why, in words a user recognises. */
export interface NeededAction {
  action: string;
  why: string;
  /** A built-in role that grants it (the scope is decided by the caller). */
  role: string;
}

/**
 * Actions on the database server (scope: the server). Given the server as found, only what setup will
 * do to it: the server itself is written only to switch PostgreSQL's Entra authentication on or to
 * attach MySQL's identity (Azure SQL's admin and Entra-only are child resources). Without it (a server
 * that could not be read), everything setup might do.
 */
export function serverActions(kind: DatabaseKind, server?: ServerFacts): NeededAction[] {
  const adapter = adapterOf(kind);
  const { armType: p, serverRole: role } = adapter;
  const write = adapter.serverWrite(server);
  const actions: NeededAction[] = [
    { action: `${p}/read`, why: 'read the server', role },
    ...(write ? [{ action: `${p}/write`, why: write, role }] : []),
    { action: `${p}/administrators/read`, why: 'list the Entra admins', role },
    { action: `${p}/administrators/write`, why: 'make you an Entra admin', role },
    { action: `${p}/administrators/delete`, why: 'undo the admin change', role },
    { action: `${p}/firewallRules/read`, why: 'read the firewall rules', role },
    { action: `${p}/firewallRules/write`, why: 'open a temporary firewall rule for this machine', role },
    { action: `${p}/firewallRules/delete`, why: 'remove the temporary firewall rule', role },
    { action: `${p}/databases/read`, why: 'check the database exists', role },
  ];
  for (const read of adapter.setupReads) actions.push({ action: `${p}/${read.action}`, why: read.why, role });
  return actions;
}

const APP_PROVIDER: Record<AppKind, string> = {
  webapp: 'Microsoft.Web/sites',
  containerapp: 'Microsoft.App/containerApps',
  spring: 'Microsoft.AppPlatform/Spring/apps',
};

/**
 * Actions on the app (scope: the app). A web app is written only to switch its system-assigned
 * identity on (its settings are a config resource); Container Apps and Spring apps keep their settings
 * in the app, so they are always written.
 */
export function appActions(kind: AppKind, app?: AppFacts): NeededAction[] {
  const p = APP_PROVIDER[kind];
  const appRole = kind === 'webapp' ? 'Website Contributor' : 'Contributor';
  const writesApp = kind !== 'webapp' || !app?.systemIdentity;
  const actions: NeededAction[] = [
    { action: `${p}/read`, why: 'read the app', role: appRole },
    ...(writesApp
      ? [
          {
            action: `${p}/write`,
            why: app?.systemIdentity
              ? 'write the connection settings'
              : "switch on the app's managed identity",
            role: appRole,
          },
        ]
      : []),
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
