/**
 * What the doctor looks at, from the target flags: a database server (by ARM id, or by name to be
 * found), the database on it, and the app. Parsing is pure and strict so that a malformed id is a
 * usage error before anything runs; finding a server by name is `findServer` in server-lookup.ts.
 */
import type { AppKind, DatabaseKind } from './facts.ts';

/** Each database kind's ARM type, default port and what people call it. */
export const SERVER_TYPES: Record<DatabaseKind, { type: string; port: number; label: string }> = {
  postgres: {
    type: 'Microsoft.DBforPostgreSQL/flexibleServers',
    port: 5432,
    label: 'PostgreSQL flexible server',
  },
  mysql: { type: 'Microsoft.DBforMySQL/flexibleServers', port: 3306, label: 'MySQL flexible server' },
  sql: { type: 'Microsoft.Sql/servers', port: 1433, label: 'Azure SQL server' },
};

/** A server named exactly by its ARM id. */
export interface ServerRef {
  kind: DatabaseKind;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Canonical ARM id rebuilt from the parts. */
  id: string;
}

/** How the server was asked for. */
export type ServerSelector =
  | { by: 'id'; ref: ServerRef }
  | {
      by: 'name';
      name: string;
      /** Where to look: `--target-resource-group`, else `-g`; null means the whole subscription. */
      resourceGroup: string | null;
    };

/** How the app was asked for (the app checks resolve it). */
export type AppSelector =
  | {
      by: 'id';
      kind: AppKind;
      subscriptionId: string;
      resourceGroup: string;
      name: string;
      /** The Spring Apps service the app belongs to (`kind: 'spring'` only). */
      service: string | null;
      id: string;
    }
  | { by: 'name'; kind: AppKind | null; resourceGroup: string | null; name: string };

/** The parsed target flags. */
export interface DoctorTarget {
  server: ServerSelector | null;
  /** `--database`. */
  database: string | null;
  app: AppSelector | null;
}

/** A target flag that cannot be right: the flag, what is wrong, and the shape it expects. */
export interface TargetProblem {
  flag: string;
  message: string;
  hint: string;
}

export type TargetParse = { ok: true; target: DoctorTarget } | { ok: false; problem: TargetProblem };

const SEGMENT = /^[^/?#]+$/;
const SERVER_ID_SHAPE =
  '/subscriptions/<guid>/resourceGroups/<group>/providers/<type>/<name>, where <type> is\n' +
  '  Microsoft.DBforPostgreSQL/flexibleServers, Microsoft.DBforMySQL/flexibleServers or Microsoft.Sql/servers';
const SOURCE_ID_SHAPE =
  '/subscriptions/<guid>/resourceGroups/<group>/providers/<type>/<name>, where <type> is\n' +
  '  Microsoft.Web/sites or Microsoft.App/containerApps (Spring: .../Microsoft.AppPlatform/Spring/<service>/apps/<name>)';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses `DoctorOptions.target` (flag values keyed by `FlagSpec.targetKey`). */
export function parseTarget(flags: Readonly<Record<string, string | undefined>>): TargetParse {
  const value = (key: string) => {
    const v = flags[key]?.trim();
    return v ? v : undefined;
  };
  let server: ServerSelector | null = null;
  const serverId = value('serverId');
  const serverName = value('server');
  if (serverId !== undefined) {
    const ref = parseServerId(serverId);
    if (!ref)
      return problem(
        '--server-id',
        `--server-id '${clip(serverId)}' is not the resource id of a database server.`,
        `Expected ${SERVER_ID_SHAPE}`,
      );
    if (serverName !== undefined && serverName.toLowerCase() !== ref.name.toLowerCase())
      return problem(
        '--server',
        `--server ${serverName} and --server-id (${ref.name}) name different servers.`,
        'Pass one of them.',
      );
    server = { by: 'id', ref };
  } else if (serverName !== undefined) {
    if (!SEGMENT.test(serverName))
      return problem(
        '--server',
        `--server '${clip(serverName)}' is not a server name.`,
        'Pass the name only (e.g. pg-orders), or the full id with --server-id.',
      );
    server = {
      by: 'name',
      name: serverName,
      resourceGroup: value('targetResourceGroup') ?? value('resourceGroup') ?? null,
    };
  }

  const database = value('database') ?? null;
  if (database !== null && server === null)
    return problem(
      '--database',
      '--database needs the server it is on.',
      'Add --server <name> or --server-id <id>.',
    );

  let app: AppSelector | null = null;
  const sourceId = value('sourceId');
  const kind = (value('target') as AppKind | undefined) ?? null;
  if (sourceId !== undefined) {
    const parsed = parseSourceId(sourceId);
    if (!parsed)
      return problem(
        '--source-id',
        `--source-id '${clip(sourceId)}' is not the resource id of an app.`,
        `Expected ${SOURCE_ID_SHAPE}`,
      );
    if (kind !== null && kind !== parsed.kind)
      return problem(
        '--target',
        `--target ${kind} does not match --source-id, which is a ${parsed.kind}.`,
        'Drop --target or fix it.',
      );
    app = parsed;
  } else if (value('app') !== undefined) {
    app = { by: 'name', kind, resourceGroup: value('resourceGroup') ?? null, name: value('app')! };
  }
  return { ok: true, target: { server, database, app } };
}

/** The server of a `--server-id`, or undefined when it is not one of the three database types. */
export function parseServerId(id: string): ServerRef | undefined {
  const match =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i.exec(
      id.trim(),
    );
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, namespace, type, name] = match as unknown as string[];
  if (!GUID.test(subscriptionId!)) return undefined;
  const wanted = `${namespace}/${type}`.toLowerCase();
  const kind = (Object.keys(SERVER_TYPES) as DatabaseKind[]).find(
    (k) => SERVER_TYPES[k].type.toLowerCase() === wanted,
  );
  if (!kind) return undefined;
  return {
    kind,
    subscriptionId: subscriptionId!.toLowerCase(),
    resourceGroup: resourceGroup!,
    name: name!,
    id: serverArmId(kind, subscriptionId!.toLowerCase(), resourceGroup!, name!),
  };
}

/** `/subscriptions/.../providers/<type>/<name>` of a server. */
export function serverArmId(
  kind: DatabaseKind,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${SERVER_TYPES[kind].type}/${name}`;
}

function parseSourceId(id: string): AppSelector | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/(.+?)\/?$/i.exec(id.trim());
  if (!match || !GUID.test(match[1]!)) return undefined;
  const subscriptionId = match[1]!.toLowerCase();
  const resourceGroup = match[2]!;
  const rest = match[3]!.split('/');
  const base = { by: 'id' as const, subscriptionId, resourceGroup };
  if (rest.length === 3 && `${rest[0]}/${rest[1]}`.toLowerCase() === 'microsoft.web/sites')
    return { ...base, kind: 'webapp', name: rest[2]!, service: null, id: id.trim() };
  if (rest.length === 3 && `${rest[0]}/${rest[1]}`.toLowerCase() === 'microsoft.app/containerapps')
    return { ...base, kind: 'containerapp', name: rest[2]!, service: null, id: id.trim() };
  if (
    rest.length === 5 &&
    `${rest[0]}/${rest[1]}`.toLowerCase() === 'microsoft.appplatform/spring' &&
    rest[3]!.toLowerCase() === 'apps'
  )
    return { ...base, kind: 'spring', name: rest[4]!, service: rest[2]!, id: id.trim() };
  return undefined;
}

function problem(flag: string, message: string, hint: string): TargetParse {
  return { ok: false, problem: { flag, message, hint } };
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
