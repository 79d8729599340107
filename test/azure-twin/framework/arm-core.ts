/**
 * ARM routes that belong to no resource provider: subscriptions, resource groups, tenants, and the
 * status/result URLs of long-running operations.
 */
import { AzureError, type RouteSpec, type TwinContext, type TwinRequest } from '../api.ts';
import { authorizationFailed, resourceGroupNotFound } from './errors.ts';
import type { LroManager } from './lro.ts';
import { page } from './paging.ts';
import { applicableAssignments } from './permissions.ts';

function subscriptionBody(twin: TwinContext, sub: TwinContext['world']['subscriptions'][number]) {
  return {
    id: `/subscriptions/${sub.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: twin.world.tenantId,
    displayName: sub.displayName,
    state: sub.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

function groupBody(group: TwinContext['world']['resourceGroups'][number]) {
  return {
    id: `/subscriptions/${group.subscriptionId}/resourceGroups/${group.name}`,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    properties: { provisioningState: 'Succeeded' },
  };
}

/** The resource groups of a subscription (ids compare case-insensitively, as in ARM). */
function groupsOf(twin: TwinContext, subscriptionId: string) {
  const sub = subscriptionId.toLowerCase();
  return twin.world.resourceGroups.filter((g) => g.subscriptionId.toLowerCase() === sub);
}

/** Subscriptions the caller can see: those with any role assignment at or below them (as ARM lists them). */
function visibleSubscriptions(req: TwinRequest, twin: TwinContext) {
  return twin.world.subscriptions.filter((sub) => {
    const scope = `/subscriptions/${sub.subscriptionId}`.toLowerCase();
    return twin.world.roleAssignments.some(
      (a) =>
        a.principalId.toLowerCase() === req.caller.objectId.toLowerCase() &&
        (a.scope.toLowerCase().startsWith(scope) ||
          applicableAssignments([a], req.caller.objectId, scope).length > 0),
    );
  });
}

export function armCoreRoutes(lro: LroManager): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/subscriptions',
      audience: 'arm',
      handler: (req, twin) => ({
        status: 200,
        body: page(
          req,
          visibleSubscriptions(req, twin).map((s) => subscriptionBody(twin, s)),
        ),
      }),
    },
    {
      // No `action`: ARM answers a subscription's GET for anyone it would list the subscription for,
      // that is anyone with a role assignment at or below it (a role on one resource group or one
      // resource is enough; `Microsoft.Resources/subscriptions/read` at the subscription is not
      // needed). This is why `az account list` and the portal show a subscription to a user whose only
      // role is on a resource group (Subscriptions - Get and Subscriptions - List,
      // https://learn.microsoft.com/rest/api/resources/subscriptions/get, share one visibility rule).
      // Without any assignment in it, the caller is refused as for any other unauthorised read.
      method: 'GET',
      path: '/subscriptions/{subscriptionId}',
      audience: 'arm',
      handler: (req, twin) => {
        const wanted = req.params.subscriptionId!.toLowerCase();
        const sub = visibleSubscriptions(req, twin).find((s) => s.subscriptionId.toLowerCase() === wanted);
        if (!sub)
          throw authorizationFailed(
            req.caller,
            'Microsoft.Resources/subscriptions/read',
            `/subscriptions/${req.params.subscriptionId}`,
          );
        return { status: 200, body: subscriptionBody(twin, sub) };
      },
    },
    {
      method: 'GET',
      path: '/tenants',
      audience: 'arm',
      handler: (req, twin) => ({
        status: 200,
        body: page(req, [
          {
            id: `/tenants/${twin.world.tenantId}`,
            tenantId: twin.world.tenantId,
            tenantCategory: 'Home',
            defaultDomain: twin.world.tenantDomain,
            displayName: 'Contoso',
            domains: [twin.world.tenantDomain],
          },
        ]),
      }),
    },
    {
      method: 'GET',
      path: '/subscriptions/{subscriptionId}/resourcegroups',
      audience: 'arm',
      action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
      handler: (req, twin) => ({
        status: 200,
        body: page(req, groupsOf(twin, req.params.subscriptionId!).map(groupBody)),
      }),
    },
    {
      method: 'GET',
      path: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      audience: 'arm',
      action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
      handler: (req, twin) => {
        const name = req.params.resourceGroupName!.toLowerCase();
        const group = groupsOf(twin, req.params.subscriptionId!).find((g) => g.name.toLowerCase() === name);
        if (!group) throw resourceGroupNotFound(req.params.resourceGroupName!);
        return { status: 200, body: groupBody(group) };
      },
    },
    ...(
      [
        '/subscriptions/{subscriptionId}/providers/{namespace}/locations/{location}',
        '/providers/{namespace}/locations/{location}',
      ] as const
    ).flatMap((prefix): RouteSpec[] => [
      {
        method: 'GET',
        path: `${prefix}/operationStatuses/{operationId}`,
        audience: 'arm',
        handler: (req) => lro.status(req.params.operationId!),
      },
      {
        method: 'GET',
        path: `${prefix}/azureAsyncOperation/{operationId}`,
        audience: 'arm',
        handler: (req) => lro.status(req.params.operationId!),
      },
      {
        method: 'GET',
        path: `${prefix}/operationResults/{operationId}`,
        audience: 'arm',
        handler: (req) => lro.result(req.params.operationId!),
      },
    ]),
  ];
}

/** Throws when a subscription id is unknown (used by the stand-in az). */
export function requireSubscription(twin: TwinContext, subscriptionId: string) {
  const sub = twin.world.subscriptions.find(
    (s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase(),
  );
  if (!sub)
    throw new AzureError(
      404,
      'SubscriptionNotFound',
      `The subscription '${subscriptionId}' could not be found.`,
    );
  return sub;
}
