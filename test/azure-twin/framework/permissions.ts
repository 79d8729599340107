/**
 * RBAC evaluation as Azure does it (docs/architecture.md, "Where the facts come from"): `*` wildcards spanning `/`, case-insensitive,
 * NotActions subtracted per role (never across roles), control plane and data plane kept apart.
 */
import type { CustomRole, RoleAssignment } from '../api.ts';
import { BUILT_IN_ROLES, type RoleDefinition, type RolePermission } from './roles.ts';

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    // A `/*/` in the middle may also stand for no segment at all: Managed Identity Operator's
    // `userAssignedIdentities/*/assign/action` grants the operation
    // `Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`.
    .replace(/\/\*\//g, '(?:/.*)?/')
    .replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export function actionMatches(pattern: string, action: string): boolean {
  return patternToRegExp(pattern).test(action);
}

/** True when one permission block grants `action` (its own notActions subtracted). */
export function blockAllows(block: RolePermission, action: string, dataPlane = false): boolean {
  const grants = dataPlane ? block.dataActions : block.actions;
  const denies = dataPlane ? block.notDataActions : block.notActions;
  return grants.some((a) => actionMatches(a, action)) && !denies.some((n) => actionMatches(n, action));
}

/** A built-in role, or one of `customRoles`, by name or GUID (case-insensitive). */
export function roleByName(name: string, customRoles: CustomRole[] = []): RoleDefinition | undefined {
  const wanted = name.toLowerCase();
  return [...BUILT_IN_ROLES, ...customRoles].find(
    (role) => role.roleName.toLowerCase() === wanted || role.id.toLowerCase() === wanted,
  );
}

function normaliseScope(scope: string): string {
  return `/${scope.toLowerCase().replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
}

/** True when an assignment at `assignmentScope` applies at `scope` (same scope or below it). */
export function scopeCovers(assignmentScope: string, scope: string): boolean {
  const outer = normaliseScope(assignmentScope);
  const inner = normaliseScope(scope);
  return outer === '' || inner === outer || inner.startsWith(`${outer}/`);
}

/** The assignments of `principalId` that apply at `scope`, in seeding order. */
export function applicableAssignments(
  assignments: RoleAssignment[],
  principalId: string,
  scope: string,
): RoleAssignment[] {
  const who = principalId.toLowerCase();
  return assignments.filter((a) => a.principalId.toLowerCase() === who && scopeCovers(a.scope, scope));
}

/** The permission blocks a caller has at `scope`: one per applicable assignment (per role block). */
export function permissionsAt(
  assignments: RoleAssignment[],
  principalId: string,
  scope: string,
  customRoles: CustomRole[] = [],
): RolePermission[] {
  const out: RolePermission[] = [];
  for (const assignment of applicableAssignments(assignments, principalId, scope)) {
    const role = roleByName(assignment.roleName, customRoles);
    if (role) out.push(...role.permissions.map((block) => structuredClone(block)));
  }
  return out;
}

export function isAllowed(
  assignments: RoleAssignment[],
  principalId: string,
  scope: string,
  action: string,
  customRoles: CustomRole[] = [],
): boolean {
  return permissionsAt(assignments, principalId, scope, customRoles).some((block) =>
    blockAllows(block, action),
  );
}
