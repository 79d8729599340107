import type { AzureSession } from '../azure/session.ts';
import { kindOfArmType } from '../databases/descriptors.ts';
import { adapterOf } from '../databases/index.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { endpointOf } from '../doctor/connection-string.ts';
import {
  type ConfigEntry,
  type ConfigRead,
  type LinkerRow,
  readApp,
  readConfig,
  readLinkers,
} from './app-config.ts';
import type { AppRow, ServerIndex, ServerRow } from './inventory.ts';

/** The database side of a pair. */
export interface DatabaseRef {
  kind: DatabaseKind;
  serverId: string;
  serverName: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Null when the app names the server only. */
  database: string | null;
  /** Where the server was found: Resource Graph, ARM (not indexed yet), or only the linker's id. */
  foundIn: 'resource-graph' | 'arm' | 'linker';
}

/** One app → database pair to check. */
export interface PairPlan {
  database: DatabaseRef;
  /** The linkers that name this database. */
  linkers: LinkerRow[];
  /** The settings that name it (names only). */
  settings: string[];
}

/** A database the app names that could not be placed: no server in reach has that host name. */
export interface UnplacedHost {
  kind: DatabaseKind;
  host: string;
  database: string | null;
  settings: string[];
}

export type AppConnections =
  /** ARM confirms the app Resource Graph listed no longer exists. */
  | { kind: 'gone' }
  | {
      kind: 'found';
      pairs: PairPlan[];
      unplaced: UnplacedHost[];
      /** Why the app's databases may be more than `pairs` show (a read Azure refused), or null. */
      undetermined: string | null;
    };

export interface ConnectionContext {
  servers: ServerIndex;
  /** Host-name suffixes of the cloud's database services (`.postgres.database.azure.com`...). */
  suffixes: Record<DatabaseKind, string>;
  /** Kinds asked for (`--database`). */
  kinds: readonly DatabaseKind[];
  /** Subscriptions to look in through ARM for a host Resource Graph does not know. */
  subscriptions: readonly string[];
  /** ARM lists of servers per subscription and kind, shared by every app of the run. */
  armServers: Map<string, Promise<ServerRow[]>>;
}

const PREFIXES: Record<DatabaseKind, string> = {
  postgres: 'AZURE_POSTGRESQL_',
  mysql: 'AZURE_MYSQL_',
  sql: 'AZURE_SQL_',
};
const HOST_PARTS = new Set(['HOST', 'SERVER']);
const DATABASE_PARTS = new Set(['DATABASE', 'DBNAME', 'NAME']);
const SETTINGS_ACTION = 'Microsoft.Web/sites/config/list/action';

/** Finds the app's pairs; reads go through `azure` (the app's cached session). */
export async function connectionsOf(
  azure: AzureSession,
  app: AppRow,
  context: ConnectionContext,
  signal?: AbortSignal,
): Promise<AppConnections> {
  const [linkers, config] = await Promise.all([
    readLinkers(azure, app, signal),
    readConfig(azure, app, signal),
  ]);
  if ((!linkers.ok && linkers.gone) || (!config.ok && config.gone)) {
    const confirm = await readApp(azure, app, signal);
    if (confirm.status === 404) return { kind: 'gone' };
  }
  const pairs = new Map<string, PairPlan>();
  const add = (database: DatabaseRef, linker: LinkerRow | null, setting: string | null) => {
    if (!context.kinds.includes(database.kind)) return;
    const key = `${database.serverId.toLowerCase()}|${(database.database ?? '').toLowerCase()}`;
    const pair = pairs.get(key) ?? { database, linkers: [], settings: [] };
    if (linker) pair.linkers.push(linker);
    if (setting && !pair.settings.includes(setting)) pair.settings.push(setting);
    pairs.set(key, pair);
  };
  if (linkers.ok)
    for (const linker of linkers.linkers) {
      const target = linkerTarget(linker.targetId);
      if (!target) continue;
      const known = context.servers.byId(target.serverId);
      add(
        known
          ? refOf(known, target.database, 'resource-graph')
          : {
              kind: target.kind,
              serverId: target.serverId,
              serverName: target.serverName,
              subscriptionId: target.subscriptionId,
              resourceGroup: target.resourceGroup,
              database: target.database,
              foundIn: 'linker',
            },
        linker,
        null,
      );
    }
  const unplaced: UnplacedHost[] = [];
  if (config.ok) {
    for (const named of namedDatabases(config.entries, context.suffixes)) {
      const server = await findServer(azure, named.kind, named.host, context, signal);
      // A pair needs a database: a host alone joins the pair of a linker to the same server, if any.
      if (server) {
        const database = named.database ?? sameServerDatabase(pairs, server.key);
        for (const setting of named.settings) add(refOf(server, database, server.foundIn), null, setting);
      } else if (context.kinds.includes(named.kind)) unplaced.push(named);
    }
  }
  return {
    kind: 'found',
    pairs: [...pairs.values()],
    unplaced,
    undetermined: undeterminedReason(app, linkers, config),
  };
}

function undeterminedReason(
  app: AppRow,
  linkers: Awaited<ReturnType<typeof readLinkers>>,
  config: ConfigRead,
): string | null {
  const refused: string[] = [];
  if (!linkers.ok)
    refused.push(
      `its Service Connector linkers (${linkers.problem.status}${linkers.problem.code ? ` ${linkers.problem.code}` : ''})`,
    );
  if (!config.ok)
    refused.push(
      app.kind === 'webapp'
        ? `its app settings (${config.problem.status}${config.problem.code ? ` ${config.problem.code}` : ''}; reading them needs ${SETTINGS_ACTION})`
        : `its environment variables (${config.problem.status}${config.problem.code ? ` ${config.problem.code}` : ''})`,
    );
  return refused.length > 0 ? `Azure would not show ${refused.join(' or ')}` : null;
}

function refOf(server: ServerRow, database: string | null, foundIn: DatabaseRef['foundIn']): DatabaseRef {
  return {
    kind: server.kind,
    serverId: server.id,
    serverName: server.name,
    subscriptionId: server.subscriptionId,
    resourceGroup: server.resourceGroup,
    database,
    foundIn,
  };
}

function sameServerDatabase(pairs: Map<string, PairPlan>, serverKey: string): string | null {
  for (const pair of pairs.values())
    if (pair.database.serverId.toLowerCase() === serverKey) return pair.database.database;
  return null;
}

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

/**
 * The server with this host name: from Resource Graph, else from ARM's lists of that kind in each
 * subscription of the scope (read once per subscription and kind for the whole run).
 */
async function findServer(
  azure: AzureSession,
  kind: DatabaseKind,
  host: string,
  context: ConnectionContext,
  signal: AbortSignal | undefined,
): Promise<(ServerRow & { foundIn: DatabaseRef['foundIn'] }) | undefined> {
  const indexed = context.servers.byHost(host);
  if (indexed) return { ...indexed, foundIn: 'resource-graph' };
  for (const subscriptionId of context.subscriptions) {
    const key = `${subscriptionId}|${kind}`;
    let listed = context.armServers.get(key);
    if (!listed) {
      listed = listServers(azure, subscriptionId, kind, signal);
      context.armServers.set(key, listed);
    }
    const match = (await listed).find((server) => server.fqdn === host.toLowerCase());
    if (match) return { ...match, foundIn: 'arm' };
  }
  return undefined;
}

async function listServers(
  azure: AzureSession,
  subscriptionId: string,
  kind: DatabaseKind,
  signal: AbortSignal | undefined,
): Promise<ServerRow[]> {
  // Through the kind's adapter, as the doctor's pickers list them (the same read, shared).
  const listed = await adapterOf(kind)
    .arm.listServers(azure, `/subscriptions/${subscriptionId}`, signal)
    .catch(() => undefined);
  if (!listed?.ok) return [];
  return listed.items.flatMap((item) => {
    const server = item as {
      id?: unknown;
      name?: unknown;
      properties?: { fullyQualifiedDomainName?: unknown };
    };
    if (typeof server.id !== 'string') return [];
    const parts = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(server.id);
    return [
      {
        id: server.id,
        key: server.id.toLowerCase(),
        kind,
        name: typeof server.name === 'string' ? server.name : (server.id.split('/').pop() ?? ''),
        subscriptionId: (parts?.[1] ?? subscriptionId).toLowerCase(),
        resourceGroup: parts?.[2] ?? '',
        fqdn: String(server.properties?.fullyQualifiedDomainName ?? '').toLowerCase(),
        state: null,
        publicNetworkAccess: null,
        delegatedSubnet: null,
        entraAuth: null,
      },
    ];
  });
}
