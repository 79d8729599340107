/**
 * The ARM state the twin's database servers obey, read afresh on every connection attempt: which ARM
 * server a client means, whether it runs, whether its firewall covers the client's address, whether
 * a secret is an Entra token. ARM (the twin's resource store and world) stays the single source of
 * truth; nothing is copied into the databases, so flipping a property through ARM (REST or the
 * store) changes the very next login. The engine rules are in postgres-gate.ts and mysql-gate.ts.
 */
import type { ArmResource, ResourceStore, World } from '../azure-twin/api.ts';

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

/**
 * Object ids (lower case) of the Entra groups `objectId` is a member of, directly or through nested
 * groups (what Graph's `transitiveMemberOf` lists): a group admin's members sign in to PostgreSQL and
 * MySQL with the group's name and their own token.
 */
export function transitiveGroups(view: Pick<ArmView, 'world'>, objectId: string): string[] {
  const groups = view.world.groups ?? [];
  const found = new Set<string>();
  const visit = (id: string) => {
    for (const group of groups) {
      const key = group.objectId.toLowerCase();
      if (found.has(key) || !group.members.some((m) => m.toLowerCase() === id.toLowerCase())) continue;
      found.add(key);
      visit(group.objectId);
    }
  };
  visit(objectId);
  return [...found];
}
