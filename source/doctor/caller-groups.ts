/**
 * The Entra groups the signed-in caller belongs to, directly or through nested groups (Microsoft
 * Graph `me/transitiveMemberOf`). A group that is a database server's Entra admin makes each of its
 * members an admin: they log in with the group's name and their own token.
 */
import { armError, graphGet } from '../azure/arm.ts';
import type { CheckContext } from '../core/types.ts';

/** One group the caller is a member of. */
export interface CallerGroup {
  id: string;
  displayName: string;
}

export type CallerGroups = { ok: true; groups: CallerGroup[] } | { ok: false; reason: string };

/** Pages followed at most: a caller in more than this many hundred groups is not worth the wait. */
const MAX_PAGES = 5;

/** The caller's groups, or why Graph would not say (a 403 is "cannot verify", never "not a member"). */
export async function callerGroups(ctx: CheckContext): Promise<CallerGroups> {
  const { azure } = ctx.services;
  const graph = new URL((await azure.cloud(ctx.signal)).graphResource);
  const groups: CallerGroup[] = [];
  let path: string | undefined = 'v1.0/me/transitiveMemberOf?$select=id,displayName';
  try {
    for (let page = 0; path && page < MAX_PAGES; page++) {
      const answer = await graphGet(azure, path, ctx.signal);
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
