/**
 * The contract between the twin's framework (server, router, auth, RBAC, long-running operations,
 * faults) and the resource providers that plug into it (PostgreSQL, MySQL, SQL, Web, Container Apps,
 * Spring, identities, Service Connector, Graph). Providers only import from this file and from
 * `framework/*` helpers it names; the framework imports providers only through `providers/index.ts`.
 *
 * Conventions every provider follows:
 * - ARM ids are compared case-insensitively (Azure does); the stored resource keeps the casing it was
 *   created with. `ResourceStore` keys are lower-cased ids.
 * - Responses carry the shapes of the azure-rest-api-specs examples for the api-version the current
 *   SDK package sends; examples used are kept under `test/azure-twin/fixtures/<rp>/...` with their
 *   source path in `fixtures/SOURCES.md`.
 * - Errors are thrown as `AzureError`; the framework writes `{ "error": { "code", "message" } }`.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** An Entra principal known to the twin: a user, an app's service principal or a managed identity. */
export interface Principal {
  /** Object id (`oid` claim; Graph `id`; ARM `principalId`). */
  objectId: string;
  /** Application (client) id; for users, undefined. */
  appId?: string;
  tenantId: string;
  kind: 'user' | 'servicePrincipal' | 'managedIdentity';
  displayName: string;
  /** Users only. */
  userPrincipalName?: string;
  /** Users only: `Member` or `Guest`. */
  userType?: 'Member' | 'Guest';
  /** Managed identities: the ARM id of the identity (UAMI) or of the resource it belongs to (system). */
  alternativeId?: string;
  /**
   * Users only: the name the user signs in with when it differs from `userPrincipalName` here. A B2B
   * guest signs in with its home account (`kim@fabrikam.com`) while this tenant names it
   * `kim_fabrikam.com#EXT#@contoso...`; tokens and `az account show` carry this name.
   */
  signInName?: string;
  /**
   * Twin clock time (ms) from which Entra's directory (Graph, Azure SQL's name resolution) knows the
   * principal: set for identities created while `World.entraReplicationLagMs` is on. ARM, tokens and
   * the managed-identity endpoint know it at once, as in Azure.
   */
  replicatedAtMs?: number;
}

/** One RBAC role assignment: a built-in role by name at a scope (subscription, group or resource id). */
export interface RoleAssignment {
  principalId: string;
  roleName: string;
  scope: string;
}

/** Graph app role granted to a service principal (MySQL's server identity needs three). */
export interface AppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** A stored ARM resource: the full JSON body as GET returns it. */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  identity?: Record<string, unknown>;
  sku?: Record<string, unknown>;
  kind?: string;
  systemData?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ResourceStore {
  /** Resource by id (any casing) or undefined. */
  get(id: string): ArmResource | undefined;
  /** Creates or replaces; returns the stored copy. */
  put(resource: ArmResource): ArmResource;
  /** True when something was removed. Removes children too (ids under `id + '/'`). */
  delete(id: string): boolean;
  /** Direct children of `parentId` whose type equals `type` (case-insensitive), in insertion order. */
  children(parentId: string, type: string): ArmResource[];
  /** Every resource of `type` under a subscription or resource group scope. */
  listByScope(scope: string, type: string): ArmResource[];
  /** All resources (for the state endpoint). */
  all(): ArmResource[];
}

/** The whole simulated world; JSON-serialisable so `GET /_twin/state` can return it. */
export interface World {
  tenantId: string;
  tenantDomain: string;
  subscriptions: { subscriptionId: string; displayName: string; state: 'Enabled' | 'Disabled' | 'Warned' }[];
  resourceGroups: { subscriptionId: string; name: string; location: string }[];
  principals: Principal[];
  roleAssignments: RoleAssignment[];
  appRoleAssignments: AppRoleAssignment[];
  /** Who `az` is signed in as (object id), or null when signed out. */
  signedInAs: string | null;
  /** Scripted failure of the stand-in az for token and account commands. */
  azFailure: null | 'not-signed-in' | 'aadsts530003' | 'aadsts50076' | 'aadsts700082' | 'hang';
  /** Default subscription of the stand-in az. */
  defaultSubscriptionId: string;
  /**
   * The public address Azure sees the client connect from, checked against database firewall rules
   * and printed in their refusals (default 127.0.0.1). Settable per scenario and via `/_twin/client-ip`.
   */
  clientIp?: string;
  /** PostgreSQL roles that exist from before (scenarios `pg-role-exists`, `pg-stale-role`). */
  postgresRoles?: PostgresRoleSeed[];
  /**
   * How a scenario's PostgreSQL databases came to be, beyond ARM: who created them (an Entra admin's
   * `CREATE DATABASE` makes it the owner) and what their owner ran in them (the app's tables).
   */
  postgresDatabases?: PostgresDatabaseSeed[];
  /**
   * Custom role definitions of the tenant (served at `Microsoft.Authorization/roleDefinitions` and
   * evaluated by RBAC like built-in ones); assignments name them by `roleName` or id.
   */
  customRoles?: CustomRole[];
  /** Resource provider namespaces not registered in the subscriptions (ARM answers 409 `MissingSubscriptionRegistration`). */
  unregisteredProviders?: string[];
  /** Entra groups (Graph `/groups`, `memberOf`); members are object ids of users or service principals. */
  groups?: Group[];
  /**
   * How long a managed identity created from now on (a system identity switched on, a new user-assigned
   * identity) stays unknown to Entra's directory: Graph answers 404 for it and Azure SQL cannot resolve
   * it. Default 0. Azure takes seconds to minutes (Azure/azure-cli#32943; the passwordless extension
   * retries `az ad sp show` 15 × 10 s).
   */
  entraReplicationLagMs?: number;
  /**
   * How long a new Azure SQL server firewall rule takes to apply: logins from its addresses are still
   * refused (error 40615) until then. Default 0. Learn: "it may take up to five minutes".
   */
  sqlFirewallRuleDelayMs?: number;
  /**
   * The servers whose seeded admins and databases are replayed into the real databases behind the
   * twin (ids); all of them when absent. A large generated scenario backs only a few.
   */
  dataPlaneServers?: string[];
  /** Management groups (flat: each names its subscriptions), for Resource Graph's `managementGroups` scope. */
  managementGroups?: { name: string; displayName?: string; subscriptions: string[] }[];
  /** Resource Graph's behaviour (providers/resource-graph.ts); defaults are Azure's documented ones. */
  resourceGraph?: {
    /** Queries per window and user (default 15, Learn "Guidance for throttled requests"). */
    quota?: number;
    /** The quota window in ms (default 5000). */
    windowMs?: number;
    /** How long a change takes to reach the index (default 0): a new resource is missing, a deleted one still listed. */
    indexLagMs?: number;
  };
  /**
   * ARM's request limits per subscription and principal, as token buckets (Learn "Understand how Azure
   * Resource Manager throttles requests": reads 250 refilled 25/s, writes and deletes 200 refilled 10/s).
   * Off unless set: a twin answers every request, as the other scenarios expect.
   */
  armThrottling?: {
    reads: { bucket: number; refillPerSecond: number };
    writes: { bucket: number; refillPerSecond: number };
  };
}

/** A custom Azure role: a GUID, a name, permission blocks and the scopes it may be assigned at. */
export interface CustomRole {
  id: string;
  roleName: string;
  description: string;
  assignableScopes: string[];
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
}

/** An Entra security group. */
export interface Group {
  objectId: string;
  displayName: string;
  /** Object ids of the direct members. */
  members: string[];
}

export interface TwinRequest {
  method: string;
  url: URL;
  /** Decoded path without the query, a doubled leading slash collapsed. */
  path: string;
  /** Values of `{name}` placeholders of the route, decoded, casing as sent. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined. A malformed body never reaches a handler (400 InvalidRequestContent). */
  body: any;
  apiVersion: string | null;
  /** The principal of the bearer token (ARM and Graph routes always have one). */
  caller: Principal;
}

export interface TwinResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON; `undefined` sends no body; `null` sends the literal `null`. */
  body?: unknown;
}

/** Thrown by handlers; becomes `{ error: { code, message } }` with `status`. */
export class AzureError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface LroOptions {
  /** How the client is told to poll (`azure-async-operation` sends both headers for 202). */
  style: 'azure-async-operation' | 'location';
  /** HTTP status of the initial answer: 201 (PUT create), 200 (PUT update) or 202 (PATCH, DELETE, POST). */
  initialStatus: 200 | 201 | 202;
  /** Body of the initial answer (PUT: the resource with an in-progress provisioningState; else none). */
  initialBody?: unknown;
  /** The ARM id the operation is about (goes into the status body as `resourceId`). */
  resourceId: string;
  /** The change itself; runs once when the operation's delay has passed. Throw AzureError to fail it. */
  work: () => void | Promise<void>;
  /** For POST operations answered through `location`: the final result body. */
  result?: () => unknown;
  /** Extra fields for the terminal status body (Service Connector puts `properties` there). */
  statusExtras?: (state: 'InProgress' | LroOutcome) => Record<string, unknown>;
  /** Name of the in-progress status (`InProgress`, `Accepted`, `Deleting`...). Default `InProgress`. */
  runningStatus?: string;
  /**
   * Runs once the operation has ended, whatever the outcome (Succeeded, Failed, Canceled, also when an
   * injected LRO fault skipped `work`): puts back what the start of the operation changed, e.g. a
   * server's `Updating` state.
   */
  settle?: (outcome: LroOutcome) => void;
  /**
   * Last path segment of the status URL: ARM's generic `operationStatuses` (default) or
   * `azureAsyncOperation`, which the PostgreSQL and MySQL flexible-server RPs use.
   */
  statusSegment?: 'operationStatuses' | 'azureAsyncOperation';
}

/** How a long-running operation ended (ARM's terminal statuses). */
export type LroOutcome = 'Succeeded' | 'Failed' | 'Canceled';

/** What a handler gets besides the request. */
export interface TwinContext {
  world: World;
  store: ResourceStore;
  /** Base URL of the twin's HTTPS server, e.g. `https://127.0.0.1:41234` (no trailing slash). */
  baseUrl: string;
  /** Starts a long-running operation and returns the initial response to send. */
  startLro(req: TwinRequest, options: LroOptions): TwinResponse;
  /** Principal by object id, app id, or managed-identity resource id. */
  principal(idOrAppId: string): Principal | undefined;
  /** Twin clock, ms since the epoch (what `replicatedAtMs` is compared with). */
  nowMs?(): number;
  /**
   * The resources as Azure Resource Graph's index shows them now: the store as it was
   * `World.resourceGraph.indexLagMs` ago (framework/arg-index.ts). Absent: the store itself.
   */
  indexed?(): ArmResource[];
  /** Registers a new principal (a system identity being switched on, a new UAMI). */
  addPrincipal(principal: Principal): Principal;
  /** A new GUID. */
  uuid(): string;
  /** Current time as ISO string (from the twin's clock). */
  nowIso(): string;
  /** Backing databases, when the twin was started with them; providers call these on admin/role changes. */
  databases: DatabaseHooks;
  /**
   * The injected ending (`POST /_twin/lro-faults`) for an operation an RP runs itself (Service
   * Connector's), counted like the framework's own operations.
   */
  takeLroFault?(
    resourceId: string,
  ): { outcome?: 'Failed' | 'Canceled'; code?: string; message?: string } | undefined;
}

/**
 * How ARM changes reach the real database servers behind the twin. All optional: ARM-only runs omit them.
 * A server's running state is not pushed through a hook: the stored ARM resource's `properties.state`
 * (`Ready`, `Stopped`, `Starting`, `Stopping`, `Updating`...) is authoritative, and the database layer
 * reads it from the store when a client connects (see providers/server-state.ts).
 */
export interface DatabaseHooks {
  /** An Entra admin was added to a PostgreSQL server: create its login role (token = password). */
  postgresAdminAdded?(
    server: ArmResource,
    admin: { objectId: string; principalName: string; principalType: string },
  ): Promise<void>;
  postgresAdminRemoved?(server: ArmResource, principalName: string): Promise<void>;
  /** The single MySQL Entra admin was set or replaced. */
  mysqlAdminSet?(server: ArmResource, admin: { login: string; sid: string }): Promise<void>;
  mysqlAdminRemoved?(server: ArmResource, login: string): Promise<void>;
  /**
   * A database was created (PUT .../databases/{db}). PostgreSQL: owned by `owner` when given (a
   * scenario's database an Entra admin created), else as ARM makes it: by the server's
   * `administratorLogin`, or by `azuresu` when the server has none.
   */
  databaseCreated?(server: ArmResource, database: string, owner?: string): Promise<void>;
  /** A PostgreSQL server's password admin (`administratorLogin`) exists with this password. */
  postgresPasswordAdmin?(server: ArmResource, login: string, password: string): Promise<void>;
  /** Scenario seed: SQL `role` ran in `database` (its tables, owned by it). */
  postgresRunAs?(server: ArmResource, database: string, role: string, sql: string): Promise<void>;
  /** Scenario seed (`World.postgresRoles`): a database role from an earlier setup exists already. */
  postgresRoleSeeded?(server: ArmResource, role: PostgresRoleSeed): Promise<void>;
  /** Tests only: a read as the PostgreSQL superuser (what roles exist, whatever the ARM state). */
  postgresQuery?(sql: string, database?: string): Promise<{ rows: unknown[] }>;
  /** A query on the MySQL side's MariaDB as its root (tests read users and grants with it). */
  mysqlQuery?(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A PostgreSQL role a scenario puts into the server behind the twin (only when databases run). */
export interface PostgresRoleSeed {
  /** ARM id of the PostgreSQL flexible server. */
  serverId: string;
  roleName: string;
  /** The Entra object id the role is mapped to (its token is the role's password). */
  objectId: string;
  objectType: 'user' | 'service' | 'group';
  /** The Entra admin role that created it (holds ADMIN OPTION on it, PostgreSQL 16+ rules). */
  createdBy?: string;
  /**
   * Database the role was granted ALL on, with what a complete setup gives in it (USAGE and CREATE on
   * public, its tables and sequences, default privileges), all given by the database's owner.
   */
  database?: string;
}

/** A PostgreSQL database as a scenario left it (the database itself is seeded through ARM). */
export interface PostgresDatabaseSeed {
  /** ARM id of the PostgreSQL flexible server. */
  serverId: string;
  name: string;
  /** The role that created it and owns it; ARM's owner (the password admin, else azuresu) otherwise. */
  owner?: string;
  /** SQL the owner ran in it afterwards (the app's tables, made by its migrations). */
  sqlAsOwner?: string;
}

/** One route. Paths are ARM (or Graph) templates with `{name}` placeholders, matched case-insensitively. */
export interface RouteSpec {
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  /** e.g. `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}` */
  path: string;
  /** `arm` routes need an ARM-audience token and RBAC; `graph` routes need a Graph-audience token. */
  audience: 'arm' | 'graph';
  /**
   * The RBAC action checked before the handler runs (ARM only), e.g.
   * `Microsoft.DBforPostgreSQL/flexibleServers/firewallRules/write`. The scope checked is the request
   * path up to and including the last `{...}` resource name. A denied call answers 403
   * `AuthorizationFailed` naming action and scope, as Azure does.
   */
  action?: string;
  /**
   * Existence check done by the framework before RBAC: the ids (built from params) that must exist,
   * outermost first. A missing resource group gives `ResourceGroupNotFound`, a missing parent gives
   * `ParentResourceNotFound`. Providers may still throw `ResourceNotFound` for the resource itself.
   */
  parents?: (params: Record<string, string>) => string[];
  handler(req: TwinRequest, twin: TwinContext): TwinResponse | Promise<TwinResponse>;
}

/** A resource provider module exports one of these. */
export interface Provider {
  name: string;
  routes: RouteSpec[];
}
