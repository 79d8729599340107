/**
 * Decides a LOGIN7 from the twin's ARM state and tokens, in the order Azure's gateway and engine do:
 * the logical server named in the login (40532), public network access (47073), the firewall rules
 * against the client's address (40615), the access token (18456: not ours, expired, wrong audience,
 * no Entra admin on the server), the database (4060) and, for anyone but the Entra admin, a
 * contained user for the principal in that database (18456).
 */
import type { ArmResource, ResourceStore, World } from '../api.ts';
import { sameAudience } from '../framework/audiences.ts';
import { ipv4ToNumber, isIpv4 } from '../providers/database-common.ts';
import { ruleApplied } from '../providers/sql-firewall-apply.ts';
import { type TokenConfig, verifyToken } from '../tokens.ts';
import { errors } from './azure-errors.ts';
import {
  databaseCatalog,
  type SqlCatalogState,
  type SqlDatabaseCatalog,
  sameName,
  sidFor,
} from './catalog.ts';
import type { SessionIdentity } from './executor.ts';
import type { Login7 } from './login7.ts';

const SERVER_TYPE = 'Microsoft.Sql/servers';

export interface LoginGateOptions {
  store: ResourceStore;
  world: World;
  catalog: SqlCatalogState;
  tokenConfig: TokenConfig;
  sqlAudience: string;
  now(): number;
}

export interface Session {
  server: ArmResource;
  serverName: string;
  database: string;
  catalog: SqlDatabaseCatalog;
  identity: SessionIdentity;
}

/** The address Azure sees the client come from (`world.clientIp`, else loopback). */
export function clientAddress(world: World): string {
  return world.clientIp ?? '127.0.0.1';
}

/** The Microsoft.Sql server a LOGIN7 ServerName (or the TLS SNI) names: `name.database...` or `name`. */
export function findServer(store: ResourceStore, requested: string): ArmResource | undefined {
  const host = requested.replace(/^tcp:/i, '').replace(/,\d+$/, '').split('\\')[0]!.toLowerCase();
  return store
    .all()
    .filter((r) => r.type.toLowerCase() === SERVER_TYPE.toLowerCase())
    .find((r) => {
      const fqdn = String(
        (r.properties as { fullyQualifiedDomainName?: string })?.fullyQualifiedDomainName ?? '',
      );
      return fqdn.toLowerCase() === host || r.name.toLowerCase() === host;
    });
}

/** Admits or refuses the login; a refusal is a SqlError carrying Azure's diagnostic. */
export function admit(login: Login7, sni: string | undefined, options: LoginGateOptions): Session {
  const requested = login.serverName || sni || '';
  const server = findServer(options.store, requested) ?? (sni ? findServer(options.store, sni) : undefined);
  if (!server) throw errors.unknownServer(requested.split('.')[0] ?? requested);
  const serverName = server.name;
  const { store, world } = options;

  if (server.properties?.publicNetworkAccess === 'Disabled') throw errors.publicAccessDenied();
  const ip = clientAddress(world);
  const allowed = store.children(server.id, `${SERVER_TYPE}/firewallRules`).some((rule) => {
    // A rule written moments ago may not apply yet (sql-firewall-apply.ts).
    if (!ruleApplied(store, rule, options.now() * 1000)) return false;
    const { startIpAddress, endIpAddress } = (rule.properties ?? {}) as Record<string, string>;
    if (!isIpv4(ip) || !isIpv4(startIpAddress) || !isIpv4(endIpAddress)) return false;
    const at = ipv4ToNumber(ip);
    return ipv4ToNumber(startIpAddress) <= at && at <= ipv4ToNumber(endIpAddress);
  });
  if (!allowed) throw errors.firewall(serverName, ip);

  if (login.accessToken === undefined) {
    const entraOnly =
      store.get(`${server.id}/azureADOnlyAuthentications/Default`)?.properties?.azureADOnlyAuthentication ===
      true;
    // The twin keeps no SQL logins: a password login can only fail.
    throw entraOnly ? errors.sqlLoginEntraOnly(login.userName) : errors.sqlLoginFailed(login.userName);
  }
  const claims = verifyToken(options.tokenConfig, login.accessToken, options.now());
  if (!claims || !sameAudience(claims.aud, options.sqlAudience) || claims.tid !== world.tenantId)
    throw errors.loginFailed();
  const admin = store.get(`${server.id}/administrators/ActiveDirectory`);
  if (!admin) throw errors.loginNoEntraAdmin();
  const principal = world.principals.find((p) => p.objectId.toLowerCase() === claims.oid.toLowerCase());
  if (!principal) throw errors.loginFailed();

  const databaseName = login.database || 'master';
  const database = store
    .children(server.id, `${SERVER_TYPE}/databases`)
    .find((db) => sameName(db.name, databaseName));
  if (!database) throw errors.unknownDatabase(databaseName);
  const catalog = databaseCatalog(options.catalog, serverName, database.name);

  const adminSid = String(admin.properties?.sid ?? '').toLowerCase();
  const isAdmin =
    [principal.objectId, principal.appId].some((id) => id?.toLowerCase() === adminSid) ||
    groupsOf(world, principal.objectId).includes(adminSid);
  const sid = sidFor(principal);
  const user = catalog.users.find(
    (u) => u.sid === sid || u.objectId.toLowerCase() === principal.objectId.toLowerCase(),
  );
  if (!isAdmin && !user) throw errors.loginFailed();

  return {
    server,
    serverName,
    database: database.name,
    catalog,
    identity: {
      principal,
      isAdmin,
      // What SUSER_SNAME() shows: the UPN of a user, `appId@tenantId` of an application.
      loginName:
        principal.kind === 'user'
          ? (principal.userPrincipalName ?? principal.displayName)
          : `${principal.appId ?? principal.objectId}@${principal.tenantId}`,
      userName: isAdmin ? 'dbo' : user!.name,
      loginSid: Buffer.from(sid.slice(2), 'hex'),
    },
  };
}

/**
 * Object ids (lower case) of the Entra groups `objectId` is a direct member of. Worlds that model no
 * groups have none; the field is read structurally so the stand-in works with or without it.
 */
function groupsOf(world: World, objectId: string): string[] {
  const groups = (world as World & { groups?: { objectId: string; members: string[] }[] }).groups ?? [];
  return groups
    .filter((g) => g.members.some((m) => m.toLowerCase() === objectId.toLowerCase()))
    .map((g) => g.objectId.toLowerCase());
}
