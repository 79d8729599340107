/**
 * The Entra groups a principal belongs to, directly or through nested groups (Microsoft Graph
 * `transitiveMemberOf`). A group that is a database server's Entra admin makes each of its members an
 * admin: they log in with the group's name and their own token.
 *
 * Who asks decides the Graph path: a signed-in person reads `me/transitiveMemberOf`; a service
 * principal or managed identity has no `me` (Graph answers 400 for an app token) and is not a user
 * (`users/{id}/...` answers 404), so it reads `servicePrincipals/{id}/transitiveMemberOf`.
 */

import type { CheckContext } from '../core/types.ts';
import { armError, graphGet } from './arm.ts';
import type { AzureSession } from './session.ts';

/** One group the caller is a member of. */
export interface CallerGroup {
  id: string;
  displayName: string;
}

export type CallerGroups = { ok: true; groups: CallerGroup[] } | { ok: false; reason: string };

/** Whose groups: the signed-in person, or an app (service principal or managed identity) by object id. */
export type GroupMember = { kind: 'me' } | { kind: 'user' | 'app'; objectId: string };

/** Pages followed at most: a caller in more than this many hundred groups is not worth the wait. */
const MAX_PAGES = 5;

/** The Graph path of `member`'s transitive groups (groups only, their ids and names). */
export function transitiveGroupsPath(member: GroupMember): string {
  const who =
    member.kind === 'me'
      ? 'me'
      : `${member.kind === 'app' ? 'servicePrincipals' : 'users'}/${encodeURIComponent(member.objectId)}`;
  return `v1.0/${who}/transitiveMemberOf?$select=id,displayName`;
}

/** The signed-in caller as a `GroupMember`: `me` for a person, its object id for an app. */
export async function signedInMember(azure: AzureSession, signal?: AbortSignal): Promise<GroupMember> {
  const state = await azure.signIn(signal);
  if (!state.ok) return { kind: 'me' };
  const { identity } = state;
  const app =
    identity.userType === 'servicePrincipal' ||
    identity.userType === 'managedIdentity' ||
    state.credential === 'managed-identity';
  return app && identity.objectId ? { kind: 'app', objectId: identity.objectId } : { kind: 'me' };
}

/** `member`'s groups, or why Graph would not say (a 403 is "cannot verify", never "not a member"). */
export async function groupsOf(
  azure: AzureSession,
  member: GroupMember,
  signal?: AbortSignal,
): Promise<CallerGroups> {
  const graph = new URL((await azure.cloud(signal)).graphResource);
  const groups: CallerGroup[] = [];
  let path: string | undefined = transitiveGroupsPath(member);
  try {
    for (let page = 0; path && page < MAX_PAGES; page++) {
      const answer = await graphGet(azure, path, signal);
      if (answer.status !== 200) {
        const error = armError(answer.body);
        return {
          ok: false,
          reason: `Microsoft Graph answered ${answer.status}${error ? ` ${error.code}` : ''}`,
        };
      }
      const body = answer.body as { value?: Record<string, unknown>[]; '@odata.nextLink'?: string };
      for (const item of body.value ?? []) {
        // Directory roles and administrative units come in the same list: only groups log in.
        const type = String(item['@odata.type'] ?? '#microsoft.graph.group');
        if (type !== '#microsoft.graph.group' || typeof item.id !== 'string') continue;
        groups.push({ id: item.id, displayName: String(item.displayName ?? item.id) });
      }
      const next = body['@odata.nextLink'];
      // The bearer token goes to Graph only, never to a host a response body named.
      path = next && new URL(next).origin === graph.origin ? next : undefined;
    }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, groups };
}

/** The signed-in caller's groups, read the way its kind of principal allows. */
export async function callerGroups(ctx: CheckContext<unknown>): Promise<CallerGroups> {
  const { azure } = ctx.services;
  return groupsOf(azure, await signedInMember(azure, ctx.signal), ctx.signal);
}
