/**
 * `database-user` (on request, `--check-user`): log in to the database as the signed-in user with an
 * Entra token and confirm the app's database user exists, is mapped to the app's identity (a managed
 * identity, or the service principal `app-settings` found the app connecting as) and holds its
 * grants. Each kind logs in and reads its users its own way (its adapter's `checkUser`,
 * source/databases/user-check.ts); this check says what it knows of the app and where the login goes.
 */
import { graphGet } from '../azure/arm.ts';
import type { CheckResult } from '../core/types.ts';
import type { EntraFacts } from '../databases/entra.ts';
import { adapterOf } from '../databases/index.ts';
import { servicePrincipalsOf } from './app-service-principal.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import type { AppFacts } from './facts.ts';
import { factsOf } from './facts.ts';
import { appFactsOf, serverFactsOf } from './facts-of.ts';
import { loginAddress } from './login-address.ts';

export const databaseUserCheck: DoctorCheck = {
  id: 'database-user',
  title: 'Database user',
  needs: ['server', 'app-identity', 'signin'],
  phase: 'target',
  // Both only add facts: an admin's exact login name, the user the settings name and the service
  // principal the app connects as.
  wants: ['entra-config', 'app-settings'],
  timeoutMs: 30_000,
  async run(ctx): Promise<CheckResult> {
    const { options } = ctx;
    if (!options.checkUser) return { status: 'skip', message: 'runs with --check-user or after setup' };
    const server = serverFactsOf(ctx);
    const app = appFactsOf(ctx);
    if (!server || !app) return { status: 'skip', message: 'needs both an app and a server' };

    return adapterOf(server.kind).checkUser(ctx, {
      server,
      app: {
        name: app.name,
        objectIds: [
          ...(app.systemIdentity ? [app.systemIdentity.principalId] : []),
          ...app.userIdentities.map((u) => u.principalId).filter((id): id is string => !!id),
          ...servicePrincipalsOf(ctx).map((sp) => sp.objectId),
        ],
        clientIds: () => clientIdsOf(ctx, app),
        settingsUser: factsOf(ctx, 'app-settings')?.user ?? null,
      },
      address: () => loginAddress(ctx, server),
      loginName: (objectId) => adminLogin(factsOf(ctx, 'entra-config'), objectId),
    });
  },
};

/** The login name the server knows the caller by, when the Entra admins name it (B2B guests differ). */
function adminLogin(entra: EntraFacts | undefined, objectId: string | undefined): string | undefined {
  if (!entra) return undefined;
  // entra-config names the login when the caller is an admin (a group admin's members log in as the group).
  if (typeof entra.login === 'string' && entra.login) return entra.login;
  if (!objectId) return undefined;
  const match = (entra.admins ?? []).find((a) => a.objectId?.toLowerCase() === objectId.toLowerCase());
  if (match?.principalName) return match.principalName;
  const admin = entra.admin;
  return admin?.sid?.toLowerCase() === objectId.toLowerCase() ? admin.login : undefined;
}

/**
 * The client ids of what the app connects as: its user-assigned identities' from the facts, the
 * system one's from Graph, and the service principal's `app-settings` found.
 */
async function clientIdsOf(ctx: DoctorContext, app: AppFacts): Promise<string[]> {
  const ids = app.userIdentities.map((u) => u.clientId).filter((id): id is string => !!id);
  ids.push(...servicePrincipalsOf(ctx).map((sp) => sp.clientId));
  if (app.systemIdentity) {
    const answer = await graphGet(
      ctx.services.azure,
      `v1.0/servicePrincipals/${encodeURIComponent(app.systemIdentity.principalId)}?$select=appId`,
      ctx.signal,
    ).catch(() => undefined);
    const appId = (answer?.body as { appId?: string } | undefined)?.appId;
    if (answer?.status === 200 && appId) ids.push(appId);
  }
  return ids;
}
