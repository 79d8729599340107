/**
 * ARM's linked-access check: writing a resource that references another one (a user-assigned identity
 * attached to an app or a server, the target of a Service Connector linker) needs an action on the
 * referenced resource too, or ARM answers 403 `LinkedAuthorizationFailed` naming both.
 */
import type { Principal, World } from '../api.ts';
import { linkedAuthorizationFailed } from './errors.ts';
import { isAllowed } from './permissions.ts';

/** The action attaching a user-assigned identity needs on that identity (Managed Identity Operator has it). */
export const ASSIGN_IDENTITY_ACTION = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';

/**
 * Throws `LinkedAuthorizationFailed` unless `caller` may do `linkedAction` on every id of `linkedIds`.
 * `action` and `scope` are what the request itself needed (the message names them).
 */
export function requireLinkedAccess(
  world: World,
  caller: Principal,
  action: string,
  scope: string,
  linkedAction: string,
  linkedIds: string[],
): void {
  const denied = linkedIds.filter(
    (id) => !isAllowed(world.roleAssignments, caller.objectId, id, linkedAction, world.customRoles),
  );
  if (denied.length > 0)
    throw linkedAuthorizationFailed(
      caller,
      action,
      scope,
      denied.map(() => linkedAction),
      denied,
    );
}

/**
 * The identity part of an app or server write: every user-assigned identity the request attaches (not
 * the ones it removes with `null`) needs the assign action, as ARM checks on the request content.
 */
export function requireIdentityAssign(
  world: World,
  caller: Principal,
  action: string,
  scope: string,
  requested: { userAssignedIdentities?: Record<string, unknown> | null } | undefined,
): void {
  const attached = Object.entries(requested?.userAssignedIdentities ?? {})
    .filter(([, value]) => value !== null)
    .map(([id]) => id);
  requireLinkedAccess(world, caller, action, scope, ASSIGN_IDENTITY_ACTION, attached);
}
