/**
 * How the three database resource providers are read: the api-versions the Azure SDK packages of
 * this project send (@azure/arm-postgresql-flexible, @azure/arm-mysql-flexible, @azure/arm-sql), and
 * the server resource turned into `ServerFacts`.
 */
import type { DatabaseKind, PrivateEndpointFacts, ServerFacts } from './facts.ts';
import { SERVER_TYPES } from './target.ts';

/**
 * Api-version per kind and resource: what the SDK package sends for that operation, so the twin and
 * the SDK-driven tests see the doctor's requests exactly as they see the SDK's.
 */
export const SERVER_API_VERSIONS: Record<
  DatabaseKind,
  {
    server: string;
    databases: string;
    firewallRules: string;
    administrators: string;
    /** MySQL's `aad_auth_only` server parameter. */
    configurations?: string;
    /** SQL's `azureADOnlyAuthentications`. */
    entraOnly?: string;
    connectionPolicies?: string;
  }
> = {
  postgres: {
    server: '2025-08-01',
    databases: '2025-08-01',
    firewallRules: '2025-08-01',
    administrators: '2025-08-01',
  },
  // The SDK sends 2021-05-01, which predates privateEndpointConnections on the server, the server's
  // identity and the administrators resource: those are read at 2023-12-30, the Azure CLI's version.
  mysql: {
    server: '2023-12-30',
    databases: '2021-05-01',
    firewallRules: '2021-05-01',
    administrators: '2023-12-30',
    configurations: '2021-05-01',
  },
  sql: {
    server: '2022-08-01-preview',
    databases: '2022-08-01-preview',
    firewallRules: '2020-11-01-preview',
    administrators: '2020-11-01-preview',
    entraOnly: '2020-11-01-preview',
    connectionPolicies: '2021-05-01-preview',
  },
};

/** The product name shown next to a version. */
export const ENGINE_NAMES: Record<DatabaseKind, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  sql: 'Azure SQL',
};

interface ServerResource {
  id?: string;
  name?: string;
  location?: string;
  identity?: {
    type?: string;
    principalId?: string;
    userAssignedIdentities?: Record<string, { principalId?: string } | null>;
  };
  properties?: {
    /** Azure SQL: the user-assigned identity that is the server identity. */
    primaryUserAssignedIdentityId?: string;
    authConfig?: { activeDirectoryAuth?: string; passwordAuth?: string };
    administratorLogin?: string;
    fullyQualifiedDomainName?: string;
    state?: string;
    version?: string;
    publicNetworkAccess?: string;
    /** Azure SQL's Entra admin, composed into the server object. */
    administrators?: { principalType?: string };
    network?: {
      publicNetworkAccess?: string;
      delegatedSubnetResourceId?: string;
      privateDnsZoneArmResourceId?: string;
      privateDnsZoneResourceId?: string;
    };
    privateEndpointConnections?: {
      id?: string;
      properties?: {
        privateEndpoint?: { id?: string };
        privateLinkServiceConnectionState?: { status?: string; description?: string };
      };
    }[];
  };
}

/** The facts every later check reads, from a server resource as ARM returned it. */
export function serverFactsFrom(kind: DatabaseKind, resource: unknown): ServerFacts {
  const server = (resource ?? {}) as ServerResource;
  const props = server.properties ?? {};
  const id = server.id ?? '';
  const parts = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(id);
  const network = props.network ?? {};
  const privateEndpoints: PrivateEndpointFacts[] = (props.privateEndpointConnections ?? []).map((c) => ({
    connectionId: c.id ?? '',
    privateEndpointId: c.properties?.privateEndpoint?.id ?? null,
    status: c.properties?.privateLinkServiceConnectionState?.status ?? 'Unknown',
    description: c.properties?.privateLinkServiceConnectionState?.description ?? null,
  }));
  return {
    kind,
    id,
    name: server.name ?? id.split('/').pop() ?? '',
    subscriptionId: parts?.[1] ?? '',
    resourceGroup: parts?.[2] ?? '',
    location: server.location ?? null,
    fqdn: props.fullyQualifiedDomainName ?? '',
    port: SERVER_TYPES[kind].port,
    // Azure SQL logical servers report Ready and have no stop; an absent state means the same there.
    state: props.state ?? (kind === 'sql' ? 'Ready' : 'Unknown'),
    version: props.version ?? null,
    publicNetworkAccess: (kind === 'sql' ? props.publicNetworkAccess : network.publicNetworkAccess) ?? null,
    delegatedSubnetId: kind === 'sql' ? null : (network.delegatedSubnetResourceId ?? null),
    privateDnsZoneId:
      kind === 'postgres'
        ? (network.privateDnsZoneArmResourceId ?? null)
        : kind === 'mysql'
          ? (network.privateDnsZoneResourceId ?? null)
          : null,
    privateEndpoints,
    authConfig:
      kind === 'postgres' && props.authConfig
        ? {
            activeDirectoryAuth: props.authConfig.activeDirectoryAuth ?? null,
            passwordAuth: props.authConfig.passwordAuth ?? null,
          }
        : null,
    serverIdentities: Object.entries(server.identity?.userAssignedIdentities ?? {}).map(([id, value]) => ({
      id,
      principalId: value?.principalId || null,
    })),
    ...(kind === 'sql'
      ? {
          entraAdminType: props.administrators?.principalType ?? null,
          sqlServerIdentity: sqlServerIdentityOf(server),
        }
      : {}),
    ...(kind === 'postgres' ? { administratorLogin: props.administratorLogin || null } : {}),
    database: null,
  };
}

/** Azure SQL's server identity: the primary user-assigned one, else the system-assigned one. */
function sqlServerIdentityOf(server: ServerResource): ServerFacts['sqlServerIdentity'] {
  const identity = server.identity;
  const primary = server.properties?.primaryUserAssignedIdentityId;
  if (primary) {
    const users = identity?.userAssignedIdentities ?? {};
    const key = Object.keys(users).find((id) => id.toLowerCase() === primary.toLowerCase());
    return { kind: 'user', id: primary, principalId: (key && users[key]?.principalId) || null };
  }
  if (/systemassigned/i.test(identity?.type ?? '') && identity?.principalId)
    return { kind: 'system', id: null, principalId: identity.principalId };
  return null;
}
