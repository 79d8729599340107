/**
 * `Microsoft.Authorization` in the twin: the caller's effective permissions at any scope
 * (`{scope}/providers/Microsoft.Authorization/permissions`, what @azure/arm-authorization 9 calls with
 * api-version 2022-04-01) and role assignments at a scope. One permissions entry per role assignment
 * that applies (at the scope or above it), as the spec example's `value` array of permission blocks
 * (fixtures/authorization/GetResourcePermissions.2022-05-01-preview.json).
 */
import {
  AzureError,
  type CustomRole,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type TwinRequest,
} from '../api.ts';
import { page } from '../framework/paging.ts';
import { applicableAssignments, permissionsAt, roleByName, scopeCovers } from '../framework/permissions.ts';
import { BUILT_IN_ROLES, type RoleDefinition } from '../framework/roles.ts';

/** Api-versions of the permissions API (spec folders 2015-07-01 … 2022-05-01-preview). */
export const PERMISSIONS_API_VERSIONS = [
  '2015-07-01',
  '2018-01-01-preview',
  '2022-04-01',
  '2022-05-01-preview',
];

function requireVersion(req: TwinRequest, allowed: readonly string[], type: string): void {
  if (!allowed.includes(req.apiVersion ?? '')) {
    throw new AzureError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'global' and API version '${req.apiVersion}' for type '${type}'. The supported api-versions are '${allowed.join(', ')}'.`,
    );
  }
}

/** The scope part of a `{*scope}` route, with its leading slash. */
function scopeOf(req: TwinRequest): string {
  return `/${req.params.scope}`;
}

const permissions: RouteSpec = {
  method: 'GET',
  path: '/{*scope}/providers/Microsoft.Authorization/permissions',
  audience: 'arm',
  action: 'Microsoft.Authorization/permissions/read',
  handler: (req, twin) => {
    requireVersion(req, PERMISSIONS_API_VERSIONS, 'permissions');
    const blocks = permissionsAt(
      twin.world.roleAssignments,
      req.caller.objectId,
      scopeOf(req),
      twin.world.customRoles,
    );
    return { status: 200, body: page(req, blocks) };
  },
};

const roleAssignments: RouteSpec = {
  method: 'GET',
  path: '/{*scope}/providers/Microsoft.Authorization/roleAssignments',
  audience: 'arm',
  action: 'Microsoft.Authorization/roleAssignments/read',
  handler: (req, twin) => {
    requireVersion(req, ['2020-04-01-preview', '2022-04-01'], 'roleAssignments');
    const scope = scopeOf(req);
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? twin.world.defaultSubscriptionId;
    const filter = /principalId\s+eq\s+'([^']+)'/i.exec(req.query.get('$filter') ?? '')?.[1];
    const everyone = new Set(twin.world.roleAssignments.map((a) => a.principalId));
    const items = [...everyone]
      .filter((principalId) => !filter || principalId.toLowerCase() === filter.toLowerCase())
      .flatMap((principalId) => applicableAssignments(twin.world.roleAssignments, principalId, scope))
      .map((assignment) => {
        const role = roleByName(assignment.roleName, twin.world.customRoles);
        const name = assignmentName(
          assignment.principalId,
          role?.id ?? assignment.roleName,
          assignment.scope,
        );
        const principal = twin.principal(assignment.principalId);
        return {
          id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
          name,
          type: 'Microsoft.Authorization/roleAssignments',
          properties: {
            roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role?.id ?? ''}`,
            principalId: assignment.principalId,
            principalType: principal?.kind === 'user' ? 'User' : 'ServicePrincipal',
            scope: assignment.scope,
            condition: null,
            conditionVersion: null,
            createdOn: '2026-01-05T10:00:00.0000000Z',
            updatedOn: '2026-01-05T10:00:00.0000000Z',
            createdBy: null,
            updatedBy: null,
            delegatedManagedIdentityResourceId: null,
            description: null,
          },
        };
      });
    return { status: 200, body: page(req, items) };
  },
};

/** Stable GUID-shaped name for a seeded assignment (ARM names assignments by GUID). */
function assignmentName(principalId: string, roleId: string, scope: string): string {
  let hash = 0n;
  for (const char of `${principalId}|${roleId}|${scope.toLowerCase()}`)
    hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 2n ** 128n;
  const hex = hash.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The body of one role definition (GetRoleDefinitionById.json, api-version 2022-04-01). */
function roleDefinitionBody(scope: string, role: RoleDefinition, custom: CustomRole | undefined) {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: role.id,
    properties: {
      roleName: role.roleName,
      type: custom ? 'CustomRole' : 'BuiltInRole',
      description: role.description,
      assignableScopes: custom ? custom.assignableScopes : ['/'],
      permissions: role.permissions,
      createdOn: '2026-01-05T10:00:00.0000000Z',
      updatedOn: '2026-01-05T10:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** Role definitions visible at a scope: built-ins everywhere, custom roles where assignable (at or above). */
function definitionsAt(twin: TwinContext, scope: string) {
  const custom = (twin.world.customRoles ?? []).filter((role) =>
    role.assignableScopes.some(
      (assignable) => scopeCovers(assignable, scope) || scopeCovers(scope, assignable),
    ),
  );
  return [
    ...BUILT_IN_ROLES.map((role) => roleDefinitionBody(scope, role, undefined)),
    ...custom.map((role) => roleDefinitionBody(scope, role, role)),
  ];
}

const roleDefinitions: RouteSpec = {
  method: 'GET',
  path: '/{*scope}/providers/Microsoft.Authorization/roleDefinitions',
  audience: 'arm',
  action: 'Microsoft.Authorization/roleDefinitions/read',
  handler: (req, twin) => {
    requireVersion(req, ROLE_DEFINITION_API_VERSIONS, 'roleDefinitions');
    const filter = req.query.get('$filter') ?? '';
    const name = /roleName\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
    const type = /type\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
    const items = definitionsAt(twin, scopeOf(req)).filter(
      (role) =>
        (!name || role.properties.roleName.toLowerCase() === name.toLowerCase()) &&
        (!type || role.properties.type.toLowerCase() === type.toLowerCase()),
    );
    return { status: 200, body: page(req, items) };
  },
};

const roleDefinition: RouteSpec = {
  method: 'GET',
  path: '/{*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}',
  audience: 'arm',
  action: 'Microsoft.Authorization/roleDefinitions/read',
  handler: (req, twin) => {
    requireVersion(req, ROLE_DEFINITION_API_VERSIONS, 'roleDefinitions');
    const wanted = req.params.roleDefinitionId!.toLowerCase();
    const found = definitionsAt(twin, scopeOf(req)).find((role) => role.name.toLowerCase() === wanted);
    // An unknown id: the code az prints for it (not captured with its status; 404 is the twin's pick).
    if (!found)
      throw new AzureError(
        404,
        'RoleDefinitionDoesNotExist',
        `The specified role definition with ID '${req.params.roleDefinitionId}' does not exist.`,
      );
    return { status: 200, body: found };
  },
};

/** Api-versions of role definitions (what @azure/arm-authorization 9 sends is 2022-04-01). */
const ROLE_DEFINITION_API_VERSIONS = ['2018-01-01-preview', '2022-04-01', '2022-05-01-preview'];

export const provider: Provider = {
  name: 'rbac',
  routes: [permissions, roleAssignments, roleDefinitions, roleDefinition],
};
