/**
 * User-assigned managed identities (`Microsoft.ManagedIdentity/userAssignedIdentities`, 2024-11-30 as
 * @azure/arm-msi sends it, and the older versions): get, list, PUT. Creating one registers its service
 * principal (object id = `principalId`, app id = `clientId`) so tokens, Graph and the databases know
 * it. Shapes follow fixtures/msi/2024-11-30 (and 2023-01-31, which has no `isolationScope`).
 */
import { randomUUID } from 'node:crypto';
import type { ArmResource, Provider, RouteSpec, TwinRequest } from '../api.ts';
import {
  listBody,
  notFound,
  requireApiVersion,
  resourceGroupId,
  type SeedHost,
  type SeedTarget,
  seedTarget,
  UAMI_TYPE,
} from './source-apps.ts';

export const MSI_API_VERSIONS = [
  '2025-05-31-preview',
  '2024-11-30',
  '2023-07-31-preview',
  '2023-01-31',
  '2018-11-30',
] as const;
const PATH =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}';

function identityId(params: Record<string, string>): string {
  return `${resourceGroupId(params)}/providers/${UAMI_TYPE}/${params.resourceName}`;
}

function check(req: TwinRequest): void {
  requireApiVersion(req, MSI_API_VERSIONS, 'userAssignedIdentities');
}

/** Creates the identity body and registers its principal. */
function createIdentity(
  twin: SeedTarget,
  id: string,
  name: string,
  location: string,
  tags: Record<string, string>,
): ArmResource {
  const principal = twin.addPrincipal({
    objectId: randomUUID(),
    appId: randomUUID(),
    tenantId: twin.world.tenantId,
    kind: 'managedIdentity',
    displayName: name,
    alternativeId: id,
  });
  return twin.store.put({
    id,
    name,
    type: UAMI_TYPE,
    location,
    tags,
    properties: {
      isolationScope: 'None',
      tenantId: principal.tenantId,
      principalId: principal.objectId,
      clientId: principal.appId!,
    },
  });
}

const getIdentity: RouteSpec = {
  method: 'GET',
  path: PATH,
  audience: 'arm',
  action: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  parents: (p) => [resourceGroupId(p)],
  handler(req, twin) {
    check(req);
    const found = twin.store.get(identityId(req.params));
    if (!found) throw notFound(UAMI_TYPE, req.params.resourceName!, req.params.resourceGroupName!);
    return { status: 200, body: found };
  },
};

const putIdentity: RouteSpec = {
  method: 'PUT',
  path: PATH,
  audience: 'arm',
  action: 'Microsoft.ManagedIdentity/userAssignedIdentities/write',
  parents: (p) => [resourceGroupId(p)],
  handler(req, twin) {
    check(req);
    const id = identityId(req.params);
    const body = (req.body ?? {}) as { location?: string; tags?: Record<string, string> };
    const existing = twin.store.get(id);
    if (existing) {
      // Identity ids never change on update; only tags (and the location of a new one) are taken.
      return { status: 200, body: twin.store.put({ ...existing, tags: body.tags ?? existing.tags }) };
    }
    const group = twin.world.resourceGroups.find(
      (rg) => rg.name.toLowerCase() === req.params.resourceGroupName!.toLowerCase(),
    );
    return {
      status: 201,
      body: createIdentity(
        twin,
        id,
        req.params.resourceName!,
        body.location ?? group?.location ?? 'eastus',
        body.tags ?? {},
      ),
    };
  },
};

const listInGroup: RouteSpec = {
  method: 'GET',
  path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities',
  audience: 'arm',
  action: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  parents: (p) => [resourceGroupId(p)],
  handler(req, twin) {
    check(req);
    return { status: 200, body: listBody(twin.store.listByScope(resourceGroupId(req.params), UAMI_TYPE)) };
  },
};

const listInSubscription: RouteSpec = {
  method: 'GET',
  path: '/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities',
  audience: 'arm',
  action: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  handler(req, twin) {
    check(req);
    return {
      status: 200,
      body: listBody(twin.store.listByScope(`/subscriptions/${req.params.subscriptionId}`, UAMI_TYPE)),
    };
  },
};

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'identities',
  routes: [getIdentity, putIdentity, listInGroup, listInSubscription],
};

export interface UserAssignedIdentitySeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  tags?: Record<string, string>;
}

/** Puts a user-assigned identity into the twin (GET shape) and registers its principal. */
export function seedUserAssignedIdentity(host: SeedHost, seed: UserAssignedIdentitySeed): ArmResource {
  const twin = seedTarget(host);
  const id = `/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroup}/providers/${UAMI_TYPE}/${seed.name}`;
  return (
    twin.store.get(id) ?? createIdentity(twin, id, seed.name, seed.location ?? 'eastus', seed.tags ?? {})
  );
}
