/**
 * What the doctor looks at, from the target flags: a database server (by ARM id, or by name to be
 * found), the database on it, and the app. Parsing is pure and strict so that a malformed id is a
 * usage error before anything runs; finding a server by name is `findServer` in server-lookup.ts.
 */
import {
  APP_ARM_TYPES,
  type AppKind,
  armIds,
  type NameRuleOf,
  nameProblem,
  nameWhat,
} from '../azure/resource-id.ts';
import { descriptorOf, kindOfArmType } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';

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

/**
 * The app the flags name: by `--source-id`, or by `--app` with `--resource-group` and `--target`
 * (a Spring app is `<service>/<app>`, since Spring apps live inside a service). Only the subscription
 * of a named app is open: the run's subscription, known once the session has one (`appRefOf`).
 */
export type AppSelector =
  | ({ by: 'id'; subscriptionId: string; id: string } & AppParts)
  | ({ by: 'name' } & AppParts);

interface AppParts {
  kind: AppKind;
  resourceGroup: string;
  /** The app's name; for Spring, the app inside `service`. */
  name: string;
  /** The Spring Apps service the app belongs to (`kind: 'spring'` only). */
  service: string | null;
}

/** Where an app lives in ARM, before anything was asked of Azure. */
export interface AppRef extends AppParts {
  subscriptionId: string;
  /** The ARM id. */
  id: string;
}

/** The flags that name an app, for `skip` messages. */
export const APP_TARGET_FLAGS = '--source-id, or --app with --resource-group and --target';

const APP_TYPES = APP_ARM_TYPES;

/** The parsed target flags (or what was chosen at the prompt). */
export interface DoctorTarget {
  server: ServerSelector | null;
  /** `--database`. */
  database: string | null;
  app: AppSelector | null;
  /** Some target flag was given (a resource group alone too): nothing is asked then. */
  given: boolean;
}

/** No target flag at all. */
export const NO_TARGET: DoctorTarget = { server: null, database: null, app: null, given: false };

/** Target flags as the command line (or a chooser) gives them, keyed by `FlagSpec.targetKey`. */
export type TargetFlags = Readonly<Record<string, string | undefined>>;

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

/**
 * Parses `DoctorOptions.target` (flag values keyed by `FlagSpec.targetKey`). Every name is checked
 * against Azure's rule for its kind, so none reaches an ARM path it could escape; `kind` (setup's
 * database) makes the server and database rules exact before the server is found.
 */
export function parseTarget(flags: TargetFlags, kind?: DatabaseKind): TargetParse {
  const value = (key: string) => {
    const v = flags[key]?.trim();
    return v ? v : undefined;
  };
  const named = namesProblem([
    ['--resource-group', 'resource-group', value('resourceGroup')],
    ['--target-resource-group', 'resource-group', value('targetResourceGroup')],
  ]);
  if (named) return { ok: false, problem: named };
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
    const badName = namesProblem([
      ['--server-id', 'resource-group', ref.resourceGroup],
      ['--server-id', descriptorOf(ref.kind).names.server, ref.name],
    ]);
    if (badName) return { ok: false, problem: badName };
    if (kind !== undefined && ref.kind !== kind)
      return problem(
        '--server-id',
        `--server-id names a ${descriptorOf(ref.kind).label}, not a ${descriptorOf(kind).label}.`,
        `Run sc-doctor setup ${ref.kind}, or pass the id of a ${descriptorOf(kind).label}.`,
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
    const bad = namesProblem([['--server', kind ? descriptorOf(kind).names.server : 'server', serverName]]);
    if (bad) return { ok: false, problem: bad };
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
  const databaseKind = server?.by === 'id' ? server.ref.kind : kind;
  const badDatabase = namesProblem([
    [
      '--database',
      databaseKind ? descriptorOf(databaseKind).names.database : 'database',
      database ?? undefined,
    ],
  ]);
  if (badDatabase) return { ok: false, problem: badDatabase };

  const app = appSelectorFrom(value);
  if (app !== null && 'flag' in app) return { ok: false, problem: app };
  const given = Object.values(flags).some((v) => v !== undefined && v !== '');
  return { ok: true, target: { server, database, app, given } };
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
  const kind = kindOfArmType(`${namespace}/${type}`);
  if (!kind) return undefined;
  return {
    kind,
    subscriptionId: subscriptionId!.toLowerCase(),
    resourceGroup: resourceGroup!,
    name: name!,
    // As given, names unchecked: parseTarget checks them against Azure's rules before any use.
    id: `/subscriptions/${subscriptionId!.toLowerCase()}/resourceGroups/${resourceGroup}/providers/${descriptorOf(kind).armType}/${name}`,
  };
}

/** `/subscriptions/.../providers/<type>/<name>` of a server. */
export function serverArmId(
  kind: DatabaseKind,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): string {
  return armIds.server(descriptorOf(kind), subscriptionId, resourceGroup, name);
}

/** The app of `--source-id` or `--app`; null without app flags; a `TargetProblem` when they are wrong. */
function appSelectorFrom(value: (key: string) => string | undefined): AppSelector | TargetProblem | null {
  const kind = (value('target') as AppKind | undefined) ?? null;
  const sourceId = value('sourceId');
  if (sourceId !== undefined) {
    const parsed = parseSourceId(sourceId);
    if ('flag' in parsed) return parsed;
    if (kind !== null && kind !== parsed.kind)
      return {
        flag: '--target',
        message: `--target ${kind} does not match --source-id, which is a ${parsed.kind}.`,
        hint: 'Drop --target or fix it.',
      };
    return parsed;
  }
  const app = value('app');
  if (app === undefined) {
    if (kind === null) return null;
    return {
      flag: '--app',
      message: `--target ${kind} needs the app: pass --app <name> and --resource-group.`,
      hint: `Name the app with ${APP_TARGET_FLAGS}.`,
    };
  }
  const resourceGroup = value('resourceGroup');
  if (resourceGroup === undefined)
    return {
      flag: '--resource-group',
      message: `--app ${app} needs its resource group: pass --resource-group <name>.`,
      hint: 'Or name the app by its resource id with --source-id.',
    };
  if (kind === null)
    return {
      flag: '--target',
      message: `--app ${app} needs its kind: pass --target webapp, containerapp or spring.`,
      hint: 'Or name the app by its resource id with --source-id.',
    };
  if (kind === 'spring') {
    const [service, name, ...rest] = app.split('/');
    if (!service || !name || rest.length > 0)
      return {
        flag: '--app',
        message: `--app for a Spring app is <service>/<app>; got '${clip(app)}'.`,
        hint: 'e.g. --app spring-orders/orders-spring',
      };
    const bad = namesProblem([
      ['--app', 'spring-service', service],
      ['--app', 'spring-app', name],
    ]);
    return bad ?? { by: 'name', kind, resourceGroup, name, service };
  }
  if (!SEGMENT.test(app))
    return {
      flag: '--app',
      message: `--app is the app's name, not a path; got '${clip(app)}' (use --source-id for an id).`,
      hint: 'Pass the name only (e.g. orders-api), or the full id with --source-id.',
    };
  return (
    namesProblem([['--app', kind, app]]) ?? { by: 'name', kind, resourceGroup, name: app, service: null }
  );
}

function parseSourceId(id: string): AppSelector | TargetProblem {
  const bad = (message: string): TargetProblem => ({
    flag: '--source-id',
    message,
    hint: `Expected ${SOURCE_ID_SHAPE}`,
  });
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/(.+?)\/?$/i.exec(id.trim());
  if (!match || !GUID.test(match[1]!))
    return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const subscriptionId = match[1]!.toLowerCase();
  const resourceGroup = match[2]!;
  const rest = match[3]!.split('/');
  const type = `${rest[0]}/${rest[1]}`.toLowerCase();
  const kind = (Object.keys(APP_TYPES) as AppKind[]).find((k) => APP_TYPES[k].toLowerCase() === type);
  if (!kind || rest.some((part) => part === ''))
    return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const badGroup = namesProblem([['--source-id', 'resource-group', resourceGroup]]);
  if (badGroup) return badGroup;
  if (kind === 'spring') {
    if (rest.length !== 5 || rest[3]!.toLowerCase() !== 'apps')
      return bad(`--source-id of a Spring app ends in /Spring/<service>/apps/<app>; got '${clip(id)}'.`);
    const badName = namesProblem([
      ['--source-id', 'spring-service', rest[2]!],
      ['--source-id', 'spring-app', rest[4]!],
    ]);
    if (badName) return badName;
    const ref = appRefOf(
      { by: 'name', kind, resourceGroup, name: rest[4]!, service: rest[2]! },
      subscriptionId,
    );
    return { by: 'id', ...ref };
  }
  if (rest.length !== 3) return bad(`--source-id '${clip(id)}' is not the resource id of an app.`);
  const badName = namesProblem([['--source-id', kind, rest[2]!]]);
  if (badName) return badName;
  const ref = appRefOf({ by: 'name', kind, resourceGroup, name: rest[2]!, service: null }, subscriptionId);
  return { by: 'id', ...ref };
}

/**
 * Where the app lives: an app named by id carries its own subscription; one named by `--app` is in
 * `subscriptionId`, the run's subscription.
 */
export function appRefOf(app: AppSelector, subscriptionId: string): AppRef {
  const { kind, resourceGroup, name, service } = app;
  const owner = app.by === 'id' ? app.subscriptionId : subscriptionId;
  const id = armIds.app(kind, owner, resourceGroup, name, service);
  return { kind, subscriptionId: owner, resourceGroup, name, service, id };
}

/**
 * The first of `[flag, kind, value]` whose value breaks Azure's naming rule for its kind, as a
 * problem naming the flag and the rule; undefined when every value given is a valid name.
 */
function namesProblem(
  checks: [flag: string, kind: NameRuleOf, value: string | undefined][],
): TargetProblem | undefined {
  for (const [flag, kind, value] of checks) {
    if (value === undefined) continue;
    const rule = nameProblem(kind, value);
    if (rule !== undefined)
      return {
        flag,
        message: `${flag}: '${clip(value)}' is not a valid ${nameWhat(kind)}: Azure allows ${rule}.`,
        hint: 'Pass the name exactly as the Azure portal or az shows it.',
      };
  }
  return undefined;
}

function problem(flag: string, message: string, hint: string): TargetParse {
  return { ok: false, problem: { flag, message, hint } };
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
