/** The base world every scenario starts from, and lookups over it. */
import type { Principal, World } from '../api.ts';
import { TENANT_DOMAIN } from './audiences.ts';

/** Fixed ids so tests and snapshots can name them. */
export const IDS = {
  tenantId: '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1',
  subscriptionId: '3c2b1a00-5d4e-4f60-8a7b-0c0de0000001',
  dana: '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001',
  /** The Microsoft Graph service principal of the tenant (appId 00000003-0000-0000-c000-000000000000). */
  graphServicePrincipal: '6a3f1c0e-2b4d-4e5f-8a9b-67a0b0000003',
} as const;

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Tenant, signed-in user Dana, subscription "Contoso Dev", resource group rg-orders; no resources. */
export function baseWorld(): World {
  return {
    tenantId: IDS.tenantId,
    tenantDomain: TENANT_DOMAIN,
    subscriptions: [{ subscriptionId: IDS.subscriptionId, displayName: 'Contoso Dev', state: 'Enabled' }],
    resourceGroups: [{ subscriptionId: IDS.subscriptionId, name: 'rg-orders', location: 'eastus' }],
    principals: [
      {
        objectId: IDS.dana,
        tenantId: IDS.tenantId,
        kind: 'user',
        displayName: 'Dana Developer',
        userPrincipalName: `dana@${TENANT_DOMAIN}`,
        userType: 'Member',
      },
      {
        objectId: IDS.graphServicePrincipal,
        appId: GRAPH_APP_ID,
        tenantId: IDS.tenantId,
        kind: 'servicePrincipal',
        displayName: 'Microsoft Graph',
      },
    ],
    roleAssignments: [
      { principalId: IDS.dana, roleName: 'Owner', scope: `/subscriptions/${IDS.subscriptionId}` },
    ],
    appRoleAssignments: [],
    signedInAs: IDS.dana,
    azFailure: null,
    defaultSubscriptionId: IDS.subscriptionId,
  };
}

/** Principal by object id, app id, managed-identity resource id or UPN (case-insensitive). */
export function findPrincipal(world: World, idOrAppId: string): Principal | undefined {
  const wanted = idOrAppId.toLowerCase();
  return world.principals.find(
    (p) =>
      p.objectId.toLowerCase() === wanted ||
      p.appId?.toLowerCase() === wanted ||
      p.alternativeId?.toLowerCase() === wanted ||
      p.userPrincipalName?.toLowerCase() === wanted,
  );
}

/**
 * True once Entra's directory knows `principal`: always, unless it was created while
 * `World.entraReplicationLagMs` was on and its `replicatedAtMs` is still ahead of `nowMs`.
 */
export function inDirectory(principal: Principal, nowMs: number): boolean {
  return principal.replicatedAtMs === undefined || nowMs >= principal.replicatedAtMs;
}
