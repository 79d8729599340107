/**
 * What the signed-in caller may do at a scope, from `{scope}/providers/Microsoft.Authorization/permissions`
 * (one entry per role the caller holds there or above). Azure's rules: `*` matches any run of
 * characters including `/` (`*\/read` is every read of every provider), names compare without case,
 * and an entry's `notActions` only takes away from that same entry: another role may still grant the
 * action. Deny assignments and assignment conditions are not in this list and are not evaluated.
 */
import { type ArmResponse, armError, armGet, armGetNextLink } from './arm.ts';
import type { AzureSession } from './session.ts';

/** The api-version of the permissions list (Permissions_ListForResource / ListForResourceGroup). */
export const PERMISSIONS_API_VERSION = '2022-04-01';

/** One entry of the permissions list: the control-plane part of one role's permission block. */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
}

/**
 * True when the RBAC pattern (`Microsoft.Sql/servers/*`, `*\/read`) matches `action`. A `/*` also
 * matches nothing at all: Managed Identity Operator's `userAssignedIdentities/*\/assign/action` is
 * what grants the real action `userAssignedIdentities/assign/action`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .reduce((out, part) => (out.endsWith('/') ? `${out.slice(0, -1)}(?:/.*)?${part}` : `${out}.*${part}`));
  return new RegExp(`^${source}$`, 'i').test(action);
}

/** True when one entry grants `action` and its own `notActions` do not take it away. */
export function entryAllows(entry: PermissionEntry, action: string): boolean {
  return (
    entry.actions.some((pattern) => actionMatches(pattern, action)) &&
    !entry.notActions.some((pattern) => actionMatches(pattern, action))
  );
}

/** True when any entry allows `action`. */
export function isAllowed(entries: readonly PermissionEntry[], action: string): boolean {
  return entries.some((entry) => entryAllows(entry, action));
}

/** The actions of `wanted` that no entry allows, in the order given. */
export function missingActions(entries: readonly PermissionEntry[], wanted: readonly string[]): string[] {
  return wanted.filter((action) => !isAllowed(entries, action));
}

export type PermissionsAnswer =
  | { ok: true; entries: PermissionEntry[] }
  /** The list itself could not be read: 403 means the caller may not even read permissions here. */
  | { ok: false; status: number; code: string | undefined; message: string };

/** Reads every page of the caller's permissions at `scope` (an ARM id: group or resource). */
export async function listPermissions(
  azure: AzureSession,
  scope: string,
  signal?: AbortSignal,
): Promise<PermissionsAnswer> {
  const entries: PermissionEntry[] = [];
  let response: ArmResponse = await armGet(
    azure,
    `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/permissions`,
    PERMISSIONS_API_VERSION,
    signal,
  );
  // A bound on pages: a server that keeps answering with a nextLink must not hold the check forever.
  for (let page = 0; page < 50; page += 1) {
    if (response.status !== 200) {
      const error = armError(response.body);
      return {
        ok: false,
        status: response.status,
        code: error?.code,
        message: error?.message ?? `HTTP ${response.status}`,
      };
    }
    const body = (response.body ?? {}) as { value?: unknown; nextLink?: unknown };
    for (const item of Array.isArray(body.value) ? body.value : []) entries.push(toEntry(item));
    if (typeof body.nextLink !== 'string' || body.nextLink === '') return { ok: true, entries };
    response = await armGetNextLink(azure, body.nextLink, signal);
  }
  return { ok: true, entries };
}

function toEntry(item: unknown): PermissionEntry {
  const raw = (item ?? {}) as { actions?: unknown; notActions?: unknown };
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return { actions: strings(raw.actions), notActions: strings(raw.notActions) };
}
