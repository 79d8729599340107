/**
 * Route factories the three database resource providers (PostgreSQL flexible, MySQL flexible, Azure SQL)
 * share. Each provider describes itself once with `serverRp` and passes its real differences (RP
 * namespace, api-versions, synchronous or long-running writes, validation, resource shapes) as data.
 */
import type {
  ArmResource,
  AzureError,
  LroOptions,
  RouteSpec,
  TwinContext,
  TwinRequest,
  TwinResponse,
} from '../api.ts';
import {
  childId,
  listAnswer,
  requireApiVersion,
  resourceGroupId,
  resourceNotFound,
  serverId,
} from './database-common.ts';
import { holdState, type StateGate, serverState, setServerState } from './server-state.ts';

/** What tells one database RP from another. */
export interface ServerRpSpec {
  /** e.g. `Microsoft.DBforPostgreSQL`. */
  namespace: string;
  /** The server type below the namespace, e.g. `flexibleServers`. */
  type: string;
  /** Api-versions every route accepts unless the route names its own. */
  apiVersions: readonly string[];
  /** How the server's state gates operations (flexible servers); none for Azure SQL. */
  gate?: StateGate;
  /** Last segment of the status URL the RP's long-running operations name (see `LroOptions`). */
  statusSegment?: LroOptions['statusSegment'];
}

/** Options of one route made by `ServerRp.route`. */
export interface ServerRouteOptions {
  /** The framework's existence check; `false` for none. Defaults to the group, then the server. */
  parents?: RouteSpec['parents'] | false;
  /** Api-versions of a child type that appeared later than the server (`type` names it in the 400). */
  versions?: { type: string; accepted: readonly string[] };
  /**
   * Whether the server's state gates this route: writes are gated by default, reads only when `read`
   * (server parameters), and `false` for routes that check the state themselves (start, stop).
   */
  gate?: 'write' | 'read' | false;
  /** The RP's name of the operation, as state refusals print it; derived from method and path otherwise. */
  operation?: string;
}

/** One database RP: its paths, ids, lookups and a route builder with its api-version gate. */
export interface ServerRp {
  /** e.g. `Microsoft.Sql/servers`. */
  serverType: string;
  /** Path template of the servers of a resource group. */
  base: string;
  /** Path template of one server. */
  server: string;
  ids(params: Record<string, string>): { rg: string; server: string };
  /** Server-level routes: only the group must exist; a missing server is the provider's own 404. */
  rgOnly(params: Record<string, string>): string[];
  /** The RP's refusal of `operation` on `server` in its current state, or undefined. */
  stateRefusal(server: ArmResource, operation: string): AzureError | undefined;
  /** The stored server or ARM's 404 naming it. */
  getServer(twin: { store: TwinContext['store'] }, params: Record<string, string>): ArmResource;
  /** ARM's 404 for a missing child, named `type/server/childType` as ARM does. */
  childNotFound(params: Record<string, string>, childType: string, name: string): AzureError;
  /** An ARM route whose action is `serverType + action`, with the RP's api-version gate first. */
  route(
    method: RouteSpec['method'],
    path: string,
    action: string,
    handler: RouteSpec['handler'],
    options?: ServerRouteOptions,
  ): RouteSpec;
  /** The 202 with `Azure-AsyncOperation` + `Location` the RPs answer for a long-running write. */
  accepted(
    req: TwinRequest,
    twin: TwinContext,
    resourceId: string,
    work: () => void | Promise<void>,
    settle?: LroOptions['settle'],
  ): TwinResponse;
}

const VERBS: Record<string, string> = {
  PUT: 'CreateOrUpdate',
  PATCH: 'Update',
  DELETE: 'Delete',
  GET: 'Get',
};
const NOUNS: Record<string, string> = {
  firewallRules: 'FirewallRule',
  administrators: 'Administrator',
  databases: 'Database',
  configurations: 'ServerParameter',
};

/** `UpdateServer`, `CreateOrUpdateFirewallRule`, `GetServerParameters`... from a route's method and path. */
function operationName(method: string, path: string): string {
  const segments = path.split('/');
  const serverIndex = segments.indexOf('{serverName}');
  const child = segments[serverIndex + 1];
  if (method === 'POST') return `${child?.[0]?.toUpperCase()}${child?.slice(1)}Server`;
  const noun = child ? (NOUNS[child] ?? child) : 'Server';
  const plural = method === 'GET' && segments.length === serverIndex + 2 ? 's' : '';
  return `${VERBS[method] ?? method}${noun}${plural}`;
}

/** Builds the shared pieces of a database RP from its namespace, type and api-versions. */
export function serverRp(spec: ServerRpSpec): ServerRp {
  const serverType = `${spec.namespace}/${spec.type}`;
  const base = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${serverType}`;
  const ids = (params: Record<string, string>) => ({
    rg: resourceGroupId(params),
    server: serverId(params, spec.namespace, spec.type),
  });
  /** Resource group, then (for child routes) the server: the framework answers 404s for missing ones. */
  const parents = (params: Record<string, string>): string[] => {
    const { rg, server } = ids(params);
    return params.serverName === undefined ? [rg] : [rg, server];
  };
  return {
    serverType,
    base,
    server: `${base}/{serverName}`,
    ids,
    rgOnly: (params) => [resourceGroupId(params)],
    stateRefusal: (server, operation) => spec.gate?.refusal(server, operation, false),
    getServer(twin, params) {
      const server = twin.store.get(ids(params).server);
      if (!server) throw resourceNotFound(serverType, params.serverName!, params.resourceGroupName!);
      return server;
    },
    childNotFound(params, childType, name) {
      return resourceNotFound(
        `${serverType}/${params.serverName}/${childType}`,
        name,
        params.resourceGroupName!,
      );
    },
    route(method, path, action, handler, options = {}) {
      const versions = options.versions ?? { type: spec.type, accepted: spec.apiVersions };
      return {
        method,
        path,
        audience: 'arm',
        action: `${serverType}${action}`,
        ...(options.parents === false ? {} : { parents: options.parents ?? parents }),
        handler(req, twin) {
          requireApiVersion(req, versions.type, versions.accepted);
          const gate = options.gate ?? (method === 'GET' ? false : 'write');
          if (spec.gate && gate && req.params.serverName !== undefined) {
            const server = twin.store.get(ids(req.params).server);
            const refusal =
              server &&
              spec.gate.refusal(server, options.operation ?? operationName(method, path), gate === 'read');
            if (refusal) throw refusal;
          }
          return handler(req, twin);
        },
      };
    },
    accepted(req, twin, resourceId, work, settle) {
      return twin.startLro(req, {
        style: 'azure-async-operation',
        initialStatus: 202,
        resourceId,
        work,
        ...(settle ? { settle } : {}),
        ...(spec.statusSegment ? { statusSegment: spec.statusSegment } : {}),
      });
    },
  };
}

/**
 * GET of one server and the lists by group and by subscription. `view` turns a stored server into what
 * GET answers (Azure SQL composes its `administrators`; the flexible servers answer the stored one).
 */
export function serverReadRoutes(
  rp: ServerRp,
  view: (twin: TwinContext, stored: ArmResource) => ArmResource = (_twin, stored) => stored,
): RouteSpec[] {
  return [
    rp.route(
      'GET',
      rp.server,
      '/read',
      (req, twin) => ({ status: 200, body: view(twin, rp.getServer(twin, req.params)) }),
      { parents: rp.rgOnly },
    ),
    rp.route('GET', rp.base, '/read', (req, twin) =>
      listAnswer(
        req,
        twin.store.listByScope(resourceGroupId(req.params), rp.serverType).map((s) => view(twin, s)),
      ),
    ),
    rp.route(
      'GET',
      `/subscriptions/{subscriptionId}/providers/${rp.serverType}`,
      '/read',
      (req, twin) =>
        listAnswer(
          req,
          twin.store
            .listByScope(`/subscriptions/${req.params.subscriptionId}`, rp.serverType)
            .map((s) => view(twin, s)),
        ),
      { parents: false },
    ),
  ];
}

/** List and GET of a child type kept as its own resources in the store (`{childType}/{paramName}`). */
export function storedChildReadRoutes(rp: ServerRp, childType: string, paramName: string): RouteSpec[] {
  return [
    rp.route('GET', `${rp.server}/${childType}`, `/${childType}/read`, (req, twin) =>
      listAnswer(req, twin.store.children(rp.ids(req.params).server, `${rp.serverType}/${childType}`)),
    ),
    rp.route('GET', `${rp.server}/${childType}/{${paramName}}`, `/${childType}/read`, (req, twin) => {
      const name = req.params[paramName]!;
      const child = twin.store.get(childId(rp.ids(req.params).server, childType, name));
      if (!child) throw rp.childNotFound(req.params, childType, name);
      return { status: 200, body: child };
    }),
  ];
}

/** A firewall rule resource in the shape all three RPs answer. */
export function firewallRule(
  serverType: string,
  server: string,
  name: string,
  startIpAddress: string,
  endIpAddress: string,
): ArmResource {
  return {
    id: childId(server, 'firewallRules', name),
    name,
    type: `${serverType}/firewallRules`,
    properties: { startIpAddress, endIpAddress },
  };
}

/** How an RP's firewall rules differ. */
export interface FirewallRuleOptions {
  /** Checks name and body with the RP's own rules and error texts; returns the range. */
  validate(name: string, body: unknown): { startIpAddress: string; endIpAddress: string };
  /**
   * `long-running`: PUT and DELETE answer 202 (flexible servers). `synchronous`: PUT answers 201 or 200
   * and DELETE 200, after `guard` has accepted the server (Azure SQL refuses with public access off).
   */
  writes:
    | { style: 'long-running' }
    | {
        style: 'synchronous';
        guard(server: ArmResource): void;
        /** Told of each rule a PUT created or changed (Azure SQL: the rule applies only later). */
        written?(twin: TwinContext, rule: ArmResource, before: ArmResource | undefined): void;
      };
}

/** List, GET, PUT and DELETE of `firewallRules/{firewallRuleName}`. */
export function firewallRuleRoutes(rp: ServerRp, options: FirewallRuleOptions): RouteSpec[] {
  const { writes } = options;
  const path = `${rp.server}/firewallRules/{firewallRuleName}`;
  const rule = (server: ArmResource, name: string, body: unknown) => {
    const range = options.validate(name, body);
    return firewallRule(rp.serverType, server.id, name, range.startIpAddress, range.endIpAddress);
  };
  const write =
    writes.style === 'long-running'
      ? rp.route('PUT', path, '/firewallRules/write', (req, twin) => {
          const server = rp.getServer(twin, req.params);
          const built = rule(server, req.params.firewallRuleName!, req.body);
          return rp.accepted(req, twin, built.id, () => {
            twin.store.put(built);
          });
        })
      : rp.route('PUT', path, '/firewallRules/write', (req, twin) => {
          const server = rp.getServer(twin, req.params);
          writes.guard(server);
          const name = req.params.firewallRuleName!;
          const built = rule(server, name, req.body);
          const before = twin.store.get(childId(server.id, 'firewallRules', name));
          const stored = twin.store.put(built);
          writes.written?.(twin, stored, before);
          return { status: before !== undefined ? 200 : 201, body: stored };
        });
  const remove =
    writes.style === 'long-running'
      ? rp.route('DELETE', path, '/firewallRules/delete', (req, twin) => {
          const id = childId(rp.ids(req.params).server, 'firewallRules', req.params.firewallRuleName!);
          if (!twin.store.get(id)) return { status: 204 };
          return rp.accepted(req, twin, id, () => {
            twin.store.delete(id);
          });
        })
      : rp.route('DELETE', path, '/firewallRules/delete', (req, twin) => {
          const server = rp.getServer(twin, req.params);
          const id = childId(server.id, 'firewallRules', req.params.firewallRuleName!);
          if (!twin.store.get(id)) return { status: 204 };
          writes.guard(server);
          twin.store.delete(id);
          return { status: 200 };
        });
  return [...storedChildReadRoutes(rp, 'firewallRules', 'firewallRuleName'), write, remove];
}

/** How an RP's databases differ. */
export interface DatabaseOptions {
  /** The database a PUT creates, in the RP's shape (defaults and what the body may set). */
  build(server: ArmResource, name: string, body: any): ArmResource;
  /** Whether the RP serves DELETE (long-running) for databases. */
  deletable: boolean;
}

/** List, GET, long-running PUT (which creates the real database too) and optionally DELETE. */
export function databaseRoutes(rp: ServerRp, options: DatabaseOptions): RouteSpec[] {
  const path = `${rp.server}/databases/{databaseName}`;
  const routes = [
    ...storedChildReadRoutes(rp, 'databases', 'databaseName'),
    rp.route('PUT', path, '/databases/write', (req, twin) => {
      const server = rp.getServer(twin, req.params);
      const db = options.build(server, req.params.databaseName!, req.body);
      return rp.accepted(req, twin, db.id, async () => {
        twin.store.put(db);
        await twin.databases.databaseCreated?.(server, db.name);
      });
    }),
  ];
  if (!options.deletable) return routes;
  return [
    ...routes,
    rp.route('DELETE', path, '/databases/delete', (req, twin) => {
      const id = childId(rp.ids(req.params).server, 'databases', req.params.databaseName!);
      if (!twin.store.get(id)) return { status: 204 };
      return rp.accepted(req, twin, id, () => {
        twin.store.delete(id);
      });
    }),
  ];
}

/** Server parameters an RP knows, by name: the default value and what the RP says about each. */
export type ParameterCatalogue = Record<
  string,
  { value: string; description: string; dataType: string; allowedValues: string }
>;

/**
 * List and GET of the server parameters the twin knows (`names`); `lookup` answers one by name, case
 * insensitive, or undefined for an unknown one (a 404).
 */
export function configurationReadRoutes(
  rp: ServerRp,
  names: readonly string[],
  lookup: (twin: TwinContext, server: ArmResource, name: string) => ArmResource | undefined,
): RouteSpec[] {
  return [
    rp.route(
      'GET',
      `${rp.server}/configurations`,
      '/configurations/read',
      (req, twin) => {
        const server = rp.getServer(twin, req.params);
        return listAnswer(
          req,
          names.map((name) => lookup(twin, server, name)),
        );
      },
      { gate: 'read' },
    ),
    rp.route(
      'GET',
      `${rp.server}/configurations/{configurationName}`,
      '/configurations/read',
      (req, twin) => {
        const found = lookup(twin, rp.getServer(twin, req.params), req.params.configurationName!);
        if (!found) throw rp.childNotFound(req.params, 'configurations', req.params.configurationName!);
        return { status: 200, body: found };
      },
      { gate: 'read' },
    ),
  ];
}

function endpointConnections(server: ArmResource): ArmResource[] {
  return (server.properties?.privateEndpointConnections as ArmResource[] | undefined) ?? [];
}

/**
 * List and GET of the private endpoint connections kept on the server object. `view` is what each one
 * answers (Azure SQL names them by their id); GET finds one by that view's name, case insensitive.
 */
export function privateEndpointRoutes(
  rp: ServerRp,
  view: (connection: ArmResource) => ArmResource = (connection) => connection,
): RouteSpec[] {
  return [
    rp.route(
      'GET',
      `${rp.server}/privateEndpointConnections`,
      '/privateEndpointConnections/read',
      (req, twin) => listAnswer(req, endpointConnections(rp.getServer(twin, req.params)).map(view)),
    ),
    rp.route(
      'GET',
      `${rp.server}/privateEndpointConnections/{privateEndpointConnectionName}`,
      '/privateEndpointConnections/read',
      (req, twin) => {
        const wanted = req.params.privateEndpointConnectionName!.toLowerCase();
        const found = endpointConnections(rp.getServer(twin, req.params))
          .map(view)
          .find((c) => c.name.toLowerCase() === wanted);
        if (!found)
          throw rp.childNotFound(
            req.params,
            'privateEndpointConnections',
            req.params.privateEndpointConnectionName!,
          );
        return { status: 200, body: found };
      },
    ),
  ];
}

/** How an RP starts and stops a server: which states each accepts, and how it refuses the others. */
export interface StartStopOptions {
  /** The refusal of a stop of a server that is not started, or undefined to let the RP's gate answer. */
  stopRefusal?(server: ArmResource): AzureError;
}

/**
 * `POST .../start` and `.../stop`: long-running (202, both headers, as `ServersStop.json` shows), the
 * server `Starting`/`Stopping` while they run, then `Ready`/`Stopped`. Starting a server that is not
 * stopped changes nothing (not documented; the idempotent neighbour of DELETE on a missing resource).
 */
export function startStopRoutes(rp: ServerRp, options: StartStopOptions): RouteSpec[] {
  const stop = rp.route(
    'POST',
    `${rp.server}/stop`,
    '/stop/action',
    (req, twin) => {
      const server = rp.getServer(twin, req.params);
      const ready = serverState(server).toLowerCase() === 'ready';
      if (!ready && options.stopRefusal) {
        // PostgreSQL accepts the request and fails the operation (the captured behaviour).
        const refusal = options.stopRefusal(server);
        return rp.accepted(req, twin, server.id, () => {
          throw refusal;
        });
      }
      const settle = holdState(twin.store, server, 'Stopping');
      return rp.accepted(
        req,
        twin,
        server.id,
        () => setServerState(twin.store, server.id, 'Stopped'),
        settle,
      );
    },
    { parents: rp.rgOnly, gate: options.stopRefusal ? false : 'write', operation: 'StopServer' },
  );
  const start = rp.route(
    'POST',
    `${rp.server}/start`,
    '/start/action',
    (req, twin) => {
      const server = rp.getServer(twin, req.params);
      if (serverState(server).toLowerCase() !== 'stopped') {
        const refusal = rp.stateRefusal(server, 'StartServer');
        if (refusal) throw refusal;
        return rp.accepted(req, twin, server.id, () => {});
      }
      const settle = holdState(twin.store, server, 'Starting');
      return rp.accepted(req, twin, server.id, () => setServerState(twin.store, server.id, 'Ready'), settle);
    },
    { parents: rp.rgOnly, gate: false, operation: 'StartServer' },
  );
  return [start, stop];
}
