/**
 * The service principal an app connects to its database as (`--service-principal`): not one of the
 * app's managed identities, so the doctor finds it where the connection names it, in the app's
 * settings (`AZURE_<TYPE>_CLIENTID`, Spring's `spring.cloud.azure.credential.client-id`, Azure SQL's
 * user settings) and in its Service Connector connections (`authInfo.clientId`), and resolves each
 * client id through Microsoft Graph to the service principal's object id, which PostgreSQL maps a
 * role to and Azure SQL a contained user. A client id of a managed identity is not one.
 */
import { armList, graphGet } from '../azure/arm.ts';
import type { CheckContext } from '../core/types.ts';
import type { AppFacts } from './facts.ts';

/** A service principal the app's connection names, as Graph knows it. */
export interface AppServicePrincipal {
  /** The application (client) id the settings or the connection name. */
  clientId: string;
  /** The service principal's object id in the tenant. */
  objectId: string;
  displayName: string;
}

/** The api-version sc-doctor reads and writes Service Connector links with. */
const LINKER_API_VERSION = '2024-04-01';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One Service Connector connection of an app, as far as the doctor reads it. */
export interface AppLinker {
  name: string;
  /** The target's ARM id (a database of a server). */
  targetId: string;
  /** `authInfo.authType`, e.g. `servicePrincipalSecret`. */
  authType: string;
  clientId: string | null;
}

/**
 * The app's Service Connector connections, or null when they cannot be read (no permission, or the
 * provider is not registered): a gap in what the doctor knows, never a fault of the app.
 */
export async function appLinkers(ctx: CheckContext, app: AppFacts): Promise<AppLinker[] | null> {
  const answer = await armList(
    ctx.services.azure,
    `${app.id}/providers/Microsoft.ServiceLinker/linkers`,
    LINKER_API_VERSION,
    ctx.signal,
  ).catch(() => undefined);
  if (!answer?.ok) return null;
  return answer.items.map((item) => {
    const linker = item as {
      name?: unknown;
      properties?: {
        targetService?: { id?: unknown };
        authInfo?: { authType?: unknown; clientId?: unknown };
      };
    };
    const auth = linker.properties?.authInfo ?? {};
    return {
      name: String(linker.name ?? ''),
      targetId: String(linker.properties?.targetService?.id ?? ''),
      authType: String(auth.authType ?? ''),
      clientId: typeof auth.clientId === 'string' && auth.clientId ? auth.clientId : null,
    };
  });
}

/** True for a connection that signs in as a service principal (a secret or a certificate). */
export function connectsAsServicePrincipal(linker: AppLinker): boolean {
  return /^servicePrincipal/i.test(linker.authType) && linker.clientId !== null;
}

/** True when the connection's target is `serverId` or one of its databases (ARM ids ignore case). */
export function linkerTargets(linker: AppLinker, serverId: string): boolean {
  const target = linker.targetId.toLowerCase();
  const server = serverId.toLowerCase();
  return target === server || target.startsWith(`${server}/`);
}

/**
 * Resolves client ids to the service principals Graph knows them by, skipping what is no GUID and
 * what belongs to a managed identity (a managed identity is a service principal too, but not one an
 * app connects as with `--service-principal`). A Graph read that fails leaves that id out.
 */
export async function resolveServicePrincipals(
  ctx: CheckContext,
  clientIds: readonly string[],
): Promise<AppServicePrincipal[]> {
  const unique = [...new Set(clientIds.filter((id) => GUID.test(id)).map((id) => id.toLowerCase()))];
  const found = await Promise.all(
    unique.map(async (clientId) => {
      const filter = encodeURIComponent(`appId eq '${clientId}'`);
      const answer = await graphGet(
        ctx.services.azure,
        `v1.0/servicePrincipals?$filter=${filter}&$select=id,appId,displayName,servicePrincipalType`,
        ctx.signal,
      ).catch(() => undefined);
      if (answer?.status !== 200) return undefined;
      const sp = (
        ((answer.body as { value?: unknown } | undefined)?.value ?? []) as {
          id?: string;
          displayName?: string;
          servicePrincipalType?: string;
        }[]
      )[0];
      if (!sp?.id || /^managedidentity$/i.test(sp.servicePrincipalType ?? '')) return undefined;
      return { clientId, objectId: sp.id, displayName: sp.displayName ?? clientId };
    }),
  );
  return found.filter((sp): sp is AppServicePrincipal => sp !== undefined);
}

/** The service principals the `app-settings` check found the app connecting as (its `data.servicePrincipals`). */
export function servicePrincipalsOf(ctx: Pick<CheckContext, 'outcomeOf'>): AppServicePrincipal[] {
  const found = ctx.outcomeOf('app-settings')?.data.servicePrincipals;
  if (!Array.isArray(found)) return [];
  return found.filter(
    (sp): sp is AppServicePrincipal =>
      typeof sp?.clientId === 'string' &&
      typeof sp.objectId === 'string' &&
      typeof sp.displayName === 'string',
  );
}
