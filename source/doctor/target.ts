/**
 * What the doctor looks at, from the target flags: a database server (by ARM id, or by name to be
 * found), the database on it, and the app. Parsing is pure and strict so that a malformed id is a
 * usage error before anything runs; finding a server by name is `findServer` in server-lookup.ts.
 */
import { armIds } from '../azure/resource-id.ts';
import { descriptorOf, kindOfArmType } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { type AppSelector, appSelectorFrom } from './target-app.ts';
import { clip, GUID, namesProblem, SEGMENT, SERVER_ID_SHAPE, type TargetProblem } from './target-names.ts';

export { APP_TARGET_FLAGS, type AppRef, type AppSelector, appRefOf } from './target-app.ts';
export type { TargetProblem } from './target-names.ts';

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

export type TargetParse = { ok: true; target: DoctorTarget } | { ok: false; problem: TargetProblem };

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

function problem(flag: string, message: string, hint: string): TargetParse {
  return { ok: false, problem: { flag, message, hint } };
}
