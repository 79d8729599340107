/**
 * Which of some Entra groups the signed-in caller belongs to, directly or through other groups. A
 * database's Entra admin is often a group: its members are admins too, and log in by its name.
 */
import { graphGet } from '../azure/arm.ts';
import type { CheckContext } from '../core/types.ts';

/** Pages of `transitiveMemberOf` read at most: a caller in more groups than that is told "not found". */
const MAX_PAGES = 10;

/**
 * The ids among `groupIds` the caller is a member of (lower case), or null when Microsoft Graph
 * would not say (no Graph token, a service principal without `/me`, a refusal).
 */
export async function callerGroupsAmong(
  ctx: CheckContext,
  groupIds: readonly string[],
): Promise<Set<string> | null> {
  const wanted = new Set(groupIds.map((id) => id.toLowerCase()));
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  let path: string | null = 'v1.0/me/transitiveMemberOf?$select=id';
  try {
    for (let page = 0; path && page < MAX_PAGES; page += 1) {
      const answer = await graphGet(ctx.services.azure, path, ctx.signal);
      if (answer.status !== 200) return null;
      const body = answer.body as { value?: { id?: unknown }[]; '@odata.nextLink'?: unknown };
      for (const item of body.value ?? [])
        if (typeof item.id === 'string' && wanted.has(item.id.toLowerCase()))
          found.add(item.id.toLowerCase());
      if (found.size === wanted.size) break;
      const next = body['@odata.nextLink'];
      path = typeof next === 'string' ? next : null;
    }
  } catch {
    return null;
  }
  return found;
}
