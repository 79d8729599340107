/**
 * What Resource Graph found, as typed rows: apps (web apps, container apps, Spring services), database
 * servers, private endpoints and user-assigned identities. IDs are kept as Azure returned them for
 * display and compared lower-case everywhere (`key`): Resource Graph and ARM do not agree on casing
 * (shared reference "fleet-audit.md" §5).
 */
import type { AppKind } from '../azure/resource-id.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { ARG_TYPES } from './kql.ts';

/** A managed identity an app carries, as Resource Graph shows it. */
export interface AppIdentityRow {
  system: string | null;
  users: { id: string; principalId: string | null; clientId: string | null }[];
}

/** An app to audit (a Spring app comes from its service, listed through ARM). */
export interface AppRow {
  id: string;
  key: string;
  kind: AppKind;
  name: string;
  /** App Service's `kind` (`app,linux`, `functionapp`...), when there is one. */
  platformKind: string | null;
  subscriptionId: string;
  resourceGroup: string;
  identity: AppIdentityRow;
}

export interface SpringServiceRow {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
}

export interface ServerRow {
  id: string;
  key: string;
  kind: DatabaseKind;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  fqdn: string;
  state: string | null;
  publicNetworkAccess: string | null;
  delegatedSubnet: string | null;
  entraAuth: string | null;
}

export interface EndpointConnectionRow {
  endpointId: string;
  /** Lower-case id of the server the endpoint points at. */
  target: string;
  status: string;
}

const SERVER_KIND_BY_TYPE: Record<string, DatabaseKind> = {
  [ARG_TYPES.postgres]: 'postgres',
  [ARG_TYPES.mysql]: 'mysql',
  [ARG_TYPES.sql]: 'sql',
};

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** An app row, a Spring service row, or undefined for a row the audit does not use. */
export function appRowOf(row: Record<string, unknown>): AppRow | SpringServiceRow | undefined {
  const id = str(row.id);
  const type = str(row.type)?.toLowerCase();
  if (!id || !type) return undefined;
  const base = {
    id,
    name: str(row.name) ?? id.split('/').pop() ?? id,
    subscriptionId: (str(row.subscriptionId) ?? '').toLowerCase(),
    resourceGroup: str(row.resourceGroup) ?? '',
  };
  if (type === ARG_TYPES.springService) return base;
  const kind: AppKind | undefined =
    type === ARG_TYPES.webapp ? 'webapp' : type === ARG_TYPES.containerapp ? 'containerapp' : undefined;
  if (!kind) return undefined;
  return {
    ...base,
    key: id.toLowerCase(),
    kind,
    platformKind: str(row.kind),
    identity: identityOf(row.identity),
  };
}

export function isAppRow(row: AppRow | SpringServiceRow): row is AppRow {
  return 'kind' in row;
}

/** The identity block of an app as ARM shapes it (both the web and the compact spellings). */
export function identityOf(identity: unknown): AppIdentityRow {
  const value = (identity ?? {}) as {
    type?: unknown;
    principalId?: unknown;
    userAssignedIdentities?: Record<string, { principalId?: unknown; clientId?: unknown } | null>;
  };
  const type = typeof value.type === 'string' ? value.type : '';
  return {
    system: /systemassigned/i.test(type) ? str(value.principalId) : null,
    users: /userassigned/i.test(type)
      ? Object.entries(value.userAssignedIdentities ?? {}).map(([id, user]) => ({
          id,
          principalId: str(user?.principalId),
          clientId: str(user?.clientId),
        }))
      : [],
  };
}

export function serverRowOf(row: Record<string, unknown>): ServerRow | undefined {
  const id = str(row.id);
  const kind = SERVER_KIND_BY_TYPE[str(row.type)?.toLowerCase() ?? ''];
  if (!id || !kind) return undefined;
  return {
    id,
    key: id.toLowerCase(),
    kind,
    name: str(row.name) ?? id.split('/').pop() ?? id,
    subscriptionId: (str(row.subscriptionId) ?? '').toLowerCase(),
    resourceGroup: str(row.resourceGroup) ?? '',
    fqdn: (str(row.fqdn) ?? '').toLowerCase(),
    state: str(row.state),
    publicNetworkAccess:
      kind === 'sql' ? str(row.sqlPublicNetworkAccess) : str(row.flexiblePublicNetworkAccess),
    delegatedSubnet: str(row.delegatedSubnet),
    entraAuth: str(row.entraAuth),
  };
}

/** Every connection of a private endpoint (automatic and manual) that targets something. */
export function endpointConnectionsOf(row: Record<string, unknown>): EndpointConnectionRow[] {
  const endpointId = str(row.id);
  if (!endpointId) return [];
  const all = [
    ...(Array.isArray(row.connections) ? row.connections : []),
    ...(Array.isArray(row.manualConnections) ? row.manualConnections : []),
  ] as {
    properties?: { privateLinkServiceId?: unknown; privateLinkServiceConnectionState?: { status?: unknown } };
  }[];
  return all.flatMap((connection) => {
    const target = str(connection.properties?.privateLinkServiceId);
    if (!target) return [];
    return [
      {
        endpointId,
        target: target.toLowerCase(),
        status: str(connection.properties?.privateLinkServiceConnectionState?.status) ?? 'Unknown',
      },
    ];
  });
}

/** The servers found, by lower-case id and by lower-case host name. */
export class ServerIndex {
  readonly #byId = new Map<string, ServerRow>();
  readonly #byHost = new Map<string, ServerRow>();

  add(server: ServerRow): void {
    this.#byId.set(server.key, server);
    if (server.fqdn) this.#byHost.set(server.fqdn, server);
  }

  byId(id: string): ServerRow | undefined {
    return this.#byId.get(id.toLowerCase());
  }

  byHost(host: string): ServerRow | undefined {
    return this.#byHost.get(host.toLowerCase());
  }

  get size(): number {
    return this.#byId.size;
  }

  values(): IterableIterator<ServerRow> {
    return this.#byId.values();
  }
}
