/**
 * Which databases an app uses, from ARM (Resource Graph holds neither linkers nor settings): its
 * Service Connector linkers name the target database by id; its settings (`AZURE_POSTGRESQL_HOST`,
 * `AZURE_SQL_CONNECTIONSTRING`, `spring.datasource.url`, any connection string or URL) name a host,
 * which is matched to a server Resource Graph found. A host Resource Graph does not know is looked for
 * through ARM before anything is concluded: the index may lag, and it never proves absence.
 */
import type { AzureSession } from '../azure/session.ts';
import { adapterOf } from '../databases/index.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { type ConfigRead, type LinkerRow, readApp, readConfig, readLinkers } from './app-config.ts';
import type { AppRow, ServerIndex, ServerRow } from './inventory.ts';
import { linkerTarget, namedDatabases, type UnplacedHost } from './named-targets.ts';

export type { UnplacedHost } from './named-targets.ts';

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
