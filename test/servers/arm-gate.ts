/**
 * The ARM state the twin's database servers obey, read afresh on every connection attempt: which ARM
 * server a client means, whether it runs, whether its firewall covers the client's address, which
 * kinds of login it accepts. ARM (the twin's resource store and world) stays the single source of
 * truth; nothing here is copied into the databases, so flipping a property through ARM (REST or the
 * store) changes the very next login.
 */
import type { ArmResource, ResourceStore, World } from '../azure-twin/api.ts';
import type { MysqlGate, MysqlRefusal } from './mysql-aad-proxy.ts';
import { hbaRefusal, type PgLoginAttempt, type PgRefusal, type PostgresGate } from './postgres-front.ts';

/** What the gates read: the twin's store and world. */
export interface ArmView {
  store: Pick<ResourceStore, 'all' | 'get' | 'children'>;
  world: World;
}

export type Engine = 'postgres' | 'mysql';

const SERVER_TYPES: Record<Engine, string> = {
  postgres: 'microsoft.dbforpostgresql/flexibleservers',
  mysql: 'microsoft.dbformysql/flexibleservers',
};

/** The address the client "has" as Azure would see it: `world.clientIp`, else 127.0.0.1. */
export function clientIp(world: World): string {
  return world.clientIp ?? '127.0.0.1';
}

/**
 * The ARM server a connection is for: the one whose host name (or name) the client sent as TLS SNI;
 * without a usable SNI (a client dialling 127.0.0.1), the only server of that engine.
 */
export function serverFor(view: ArmView, engine: Engine, sni: string | undefined): ArmResource | undefined {
  const servers = view.store.all().filter((r) => r.type.toLowerCase() === SERVER_TYPES[engine]);
  const host = sni?.toLowerCase();
  if (host) {
    const named = servers.find((s) => {
      const fqdn = String((s.properties as { fullyQualifiedDomainName?: string })?.fullyQualifiedDomainName);
      return fqdn.toLowerCase() === host || host.split('.')[0] === s.name.toLowerCase();
    });
    if (named) return named;
  }
  return servers.length === 1 ? servers[0] : undefined;
}

/** Azure serves connections only while the server is Ready (Updating keeps serving until its restart). */
export function isServing(server: ArmResource): boolean {
  const state = String(server.properties?.state ?? 'Ready');
  return state === 'Ready' || state === 'Updating';
}

/** Public access on and a firewall rule whose inclusive IPv4 range holds `ip`. */
export function firewallAdmits(view: ArmView, server: ArmResource, ip: string): boolean {
  const network = server.properties?.network as { publicNetworkAccess?: string } | undefined;
  if (network?.publicNetworkAccess && network.publicNetworkAccess !== 'Enabled') return false;
  const address = ipv4(ip);
  if (address === undefined) return false;
  return view.store.children(server.id, `${server.type}/firewallRules`).some((rule) => {
    const props = rule.properties as { startIpAddress?: string; endIpAddress?: string } | undefined;
    const start = ipv4(props?.startIpAddress);
    const end = ipv4(props?.endIpAddress);
    return start !== undefined && end !== undefined && start <= address && address <= end;
  });
}

function ipv4(text: string | undefined): number | undefined {
  const parts = text?.split('.').map(Number);
  if (parts?.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

/**
 * True when a password is a JWT (three base64url parts whose first is a JSON header naming `alg`):
 * the servers tell Entra token logins from password logins by the shape of what was sent.
 */
export function isJwt(secret: string): boolean {
  const parts = secret.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[-\w]+$/.test(p))) return false;
  return typeof jwtPart(parts[0]!)?.alg === 'string';
}

/** The decoded payload of a JWT, or undefined. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  return jwtPart(token.split('.')[1] ?? '');
}

function jwtPart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `properties.authConfig` of a PostgreSQL flexible server: is this kind of login enabled? */
export function postgresAuthEnabled(server: ArmResource, kind: 'token' | 'password'): boolean {
  const auth = (server.properties?.authConfig ?? {}) as {
    activeDirectoryAuth?: string;
    passwordAuth?: string;
  };
  return kind === 'token' ? auth.activeDirectoryAuth === 'Enabled' : auth.passwordAuth !== 'Disabled';
}

/** A MySQL server parameter as ARM reports it (a stored override, else `fallback`). */
export function mysqlParameter(view: ArmView, server: ArmResource, name: string, fallback: string): string {
  const stored = view.store.get(`${server.id}/configurations/${name}`);
  return String(stored?.properties?.value ?? fallback);
}

/** The MySQL server's Entra admin (`administrators/ActiveDirectory`), if ARM has one. */
export function mysqlAdmin(view: ArmView, server: ArmResource): ArmResource | undefined {
  return view.store.get(`${server.id}/administrators/ActiveDirectory`);
}

/** Object ids (principalId) of the user-assigned identities attached to a MySQL server. */
export function mysqlIdentityPrincipals(view: ArmView, server: ArmResource): string[] {
  const map = (server.identity?.userAssignedIdentities ?? {}) as Record<string, { principalId?: string }>;
  return Object.entries(map)
    .map(([id, value]) => {
      const known = view.world.principals.find((p) => p.alternativeId?.toLowerCase() === id.toLowerCase());
      return known?.objectId ?? value?.principalId ?? '';
    })
    .filter(Boolean);
}

/** Graph application permissions Azure MySQL needs on its identity to resolve Entra users. */
export const MYSQL_GRAPH_ROLES = {
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
} as const;

/** True when one of the server's identities holds all three Graph roles. */
export function mysqlIdentityCanReadGraph(view: ArmView, server: ArmResource): boolean {
  return mysqlIdentityPrincipals(view, server).some((principalId) =>
    Object.values(MYSQL_GRAPH_ROLES).every((roleId) =>
      view.world.appRoleAssignments.some(
        (a) => a.principalId.toLowerCase() === principalId.toLowerCase() && a.appRoleId === roleId,
      ),
    ),
  );
}

/**
 * PostgreSQL flexible server's login rules, from ARM:
 * - not Ready/Updating: the connection is reset. Azure's answer for a stopped server is not captured;
 *   a host that does not answer (refused/timeout) is what clients see, so a TCP-level failure it is.
 * - public access off or no firewall rule covering `world.clientIp`: FATAL 28000 `no pg_hba.conf entry
 *   for host "<ip>", user "<user>", database "<db>", SSL encryption` (Learn, PostgreSQL flexible
 *   "Networking with public access": the refusal names the client's public address).
 * - a token while `authConfig.activeDirectoryAuth` is Disabled, or a password while `passwordAuth` is
 *   Disabled: FATAL 28P01 `password authentication failed for user "<user>"`. Azure's wording here is
 *   not captured anywhere public; PostgreSQL's own failed-password text is the documented neighbour.
 * - a token for another audience: Azure's text (microsoft/azuredatastudio-postgresql#505).
 */
export function postgresGate(view: ArmView, ossrdbmsAudience: string): PostgresGate {
  const server = (name: string | undefined) => serverFor(view, 'postgres', name);
  const ip = () => clientIp(view.world);
  return {
    clientIp: ip,
    serving(name) {
      const found = server(name);
      return found !== undefined && isServing(found);
    },
    admit(attempt: PgLoginAttempt): PgRefusal | undefined {
      const found = server(attempt.serverName);
      if (found && firewallAdmits(view, found, ip())) return undefined;
      return hbaRefusal(ip(), attempt.user, attempt.database, 'SSL encryption');
    },
    authenticate(attempt, password) {
      const found = server(attempt.serverName);
      if (!found) return hbaRefusal(ip(), attempt.user, attempt.database, 'SSL encryption');
      const kind = isJwt(password) ? 'token' : 'password';
      if (!postgresAuthEnabled(found, kind)) {
        return { code: '28P01', message: `password authentication failed for user "${attempt.user}"` };
      }
      if (kind === 'token') {
        const audience = String(jwtPayload(password)?.aud ?? '');
        if (audience.replace(/\/$/, '') !== ossrdbmsAudience.replace(/\/$/, '')) {
          return {
            code: '28000',
            message: `The access token does not have a valid audience claim. Please acquire a new token for the resource "${ossrdbmsAudience}".`,
          };
        }
      }
      return undefined;
    },
  };
}

/**
 * MySQL flexible server's login rules, from ARM:
 * - not Ready/Updating: the connection is reset (no capture of Azure's answer; a host that does not
 *   answer is what clients see).
 * - public access off or no firewall rule covering `world.clientIp`: ERROR 9000 (HY000) `Client with IP
 *   address '<ip>' is not allowed to connect to this MySQL server.` This is Azure's single-server
 *   gateway wording; the flexible server's is not captured publicly, so the documented neighbour is used.
 * - a password (not a JWT) while the server parameter aad_auth_only is ON: ERROR 9107 (HY000) `Only
 *   Microsoft Entra accounts are allowed to connect to server` (Learn, MySQL flexible "What's new",
 *   2022 known issue; older pages say "Azure Active Directory").
 * - a token while the server has no user-assigned identity or no Entra admin: Entra sign-in is not
 *   configured, so the token is just a wrong password: ERROR 1045 `Access denied for user ...`
 *   (Learn, MySQL flexible "Microsoft Entra authentication": both are required).
 * - CREATE AADUSER while no attached identity holds User.Read.All, GroupMember.Read.All and
 *   Application.Read.All: ERROR 9102 `An unexpected error occurred while trying to validate user
 *   '<name>'.` (petoju/terraform-provider-mysql#79; single-server capture, flexible wording unverified).
 */
export function mysqlGate(view: ArmView): MysqlGate {
  const server = (name: string | undefined) => serverFor(view, 'mysql', name);
  const ip = () => clientIp(view.world);
  const denied = (user: string): MysqlRefusal => ({
    errno: 1045,
    sqlState: '28000',
    message: `Access denied for user '${user}'@'${ip()}' (using password: YES)`,
  });
  return {
    clientIp: ip,
    serving(name) {
      const found = server(name);
      return found !== undefined && isServing(found);
    },
    admit(name) {
      const found = server(name);
      if (found && firewallAdmits(view, found, ip())) return undefined;
      return {
        errno: 9000,
        sqlState: 'HY000',
        message: `Client with IP address '${ip()}' is not allowed to connect to this MySQL server.`,
      };
    },
    authenticate(name, user, secret) {
      const found = server(name);
      if (!found) return denied(user);
      if (!isJwt(secret)) {
        if (mysqlParameter(view, found, 'aad_auth_only', 'OFF').toUpperCase() === 'ON') {
          return {
            errno: 9107,
            sqlState: 'HY000',
            message: 'Only Microsoft Entra accounts are allowed to connect to server',
          };
        }
        return undefined;
      }
      if (mysqlIdentityPrincipals(view, found).length === 0 || !mysqlAdmin(view, found)) return denied(user);
      return undefined;
    },
    createAadUser(name, user) {
      const found = server(name);
      if (found && mysqlIdentityCanReadGraph(view, found)) return undefined;
      return {
        errno: 9102,
        sqlState: 'HY000',
        message: `An unexpected error occurred while trying to validate user '${user}'.`,
      };
    },
  };
}
