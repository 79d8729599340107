/**
 * Where an app's connections point, read from what the app holds: a Service Connector linker's
 * target id, and the settings that name a database host (Service Connector's `AZURE_<TYPE>_...`
 * groups, connection strings, JDBC and `scheme://` URLs). Pure: no request.
 */
import { kindOfArmType } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { endpointOf } from '../doctor/connection-string.ts';
import type { ConfigEntry } from './app-config.ts';

/** A database the app names that could not be placed: no server in reach has that host name. */
export interface UnplacedHost {
  kind: DatabaseKind;
  host: string;
  database: string | null;
  settings: string[];
}

const PREFIXES: Record<DatabaseKind, string> = {
  postgres: 'AZURE_POSTGRESQL_',
  mysql: 'AZURE_MYSQL_',
  sql: 'AZURE_SQL_',
};
const HOST_PARTS = new Set(['HOST', 'SERVER']);
const DATABASE_PARTS = new Set(['DATABASE', 'DBNAME', 'NAME']);
/** The server and database a linker's target id names, or undefined for another kind of target. */
export function linkerTarget(targetId: string):
  | {
      kind: DatabaseKind;
      serverId: string;
      serverName: string;
      subscriptionId: string;
      resourceGroup: string;
      database: string | null;
    }
  | undefined {
  const match =
    /^(\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+))(?:\/databases\/([^/]+))?\/?$/i.exec(
      targetId.trim(),
    );
  if (!match) return undefined;
  const [, serverId, subscriptionId, resourceGroup, type, serverName, database] =
    match as unknown as string[];
  const kind = kindOfArmType(type ?? '');
  if (!kind) return undefined;
  return {
    kind,
    serverId: serverId!,
    serverName: serverName!,
    subscriptionId: subscriptionId!.toLowerCase(),
    resourceGroup: resourceGroup!,
    database: database ?? null,
  };
}

/** The (host, database) pairs an app's settings name, grouped as Service Connector groups them. */
export function namedDatabases(
  entries: readonly ConfigEntry[],
  suffixes: Record<DatabaseKind, string>,
): UnplacedHost[] {
  const found = new Map<string, UnplacedHost>();
  const note = (kind: DatabaseKind, host: string, database: string | null, setting: string) => {
    const key = `${kind}|${host.toLowerCase()}|${(database ?? '').toLowerCase()}`;
    const entry = found.get(key) ?? { kind, host: host.toLowerCase(), database, settings: [] };
    if (!entry.settings.includes(setting)) entry.settings.push(setting);
    found.set(key, entry);
  };
  // Service Connector's groups: AZURE_<TYPE>[_<CONNECTION>]_HOST with _DATABASE (or _NAME, _DBNAME).
  const groups = new Map<string, { kind: DatabaseKind; host?: string; database?: string; names: string[] }>();
  for (const entry of entries) {
    if (entry.value === undefined) continue;
    const kind = (Object.keys(PREFIXES) as DatabaseKind[]).find((k) =>
      entry.name.toUpperCase().startsWith(PREFIXES[k]),
    );
    if (kind) {
      const rest = entry.name.toUpperCase().slice(PREFIXES[kind].length);
      const part = rest.split('_').pop() ?? '';
      const connection = rest.slice(0, Math.max(0, rest.length - part.length - 1));
      const key = `${kind}|${connection}`;
      const group = groups.get(key) ?? { kind, names: [] };
      if (HOST_PARTS.has(part)) group.host = entry.value.trim();
      else if (DATABASE_PARTS.has(part)) group.database = entry.value.trim();
      else if (part !== 'CONNECTIONSTRING') continue;
      group.names.push(entry.name);
      groups.set(key, group);
      if (part !== 'CONNECTIONSTRING') continue;
    }
    // Any value that reads as a connection string or URL to a database service's host name.
    const endpoint = endpointOrUrl(entry.value);
    if (!endpoint.host) continue;
    const hostKind = kindOfHost(endpoint.host, suffixes);
    if (hostKind) note(hostKind, endpoint.host, endpoint.database ?? null, entry.name);
  }
  for (const group of groups.values()) {
    if (!group.host) continue;
    const host = group.host.replace(/^tcp:/i, '').split(/[,:]/)[0]!;
    for (const name of group.names) note(group.kind, host, group.database ?? null, name);
  }
  return [...found.values()];
}

/** A connection string, JDBC URL or `scheme://user@host:port/db` URL's host and database. */
function endpointOrUrl(value: string): { host?: string; database?: string } {
  const endpoint = endpointOf(value);
  if (endpoint.host) return endpoint;
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([^:/?\s]+)(?::\d+)?(?:\/([^?\s]*))?/i.exec(value.trim());
  return url ? { host: url[1]!, ...(url[2] ? { database: decodeURIComponent(url[2]) } : {}) } : {};
}

function kindOfHost(host: string, suffixes: Record<DatabaseKind, string>): DatabaseKind | undefined {
  const name = host.toLowerCase();
  return (Object.keys(suffixes) as DatabaseKind[]).find((kind) =>
    name.endsWith(suffixes[kind].toLowerCase()),
  );
}
