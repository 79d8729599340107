/**
 * A server resource as ARM returned it, turned into `ServerFacts`: what every kind reads the same
 * way here, what only one kind has in its adapter (`<kind>/server-facts.ts`).
 */
import { descriptorOf } from './descriptors.ts';
import type { PrivateEndpointFacts, ServerFacts } from './facts.ts';
import type { DatabaseKind } from './kind.ts';

/** The parts of a server resource sc-doctor reads (every kind's, each optional). */
export interface ServerResource {
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

/** The facts every kind reads alike; a kind's adapter adds or overrides its own. */
/** Without `database` (the check fills it in), which stays the last key of `--json`'s `data.server`. */
export function commonServerFacts(kind: DatabaseKind, resource: unknown): Omit<ServerFacts, 'database'> {
  const server = (resource ?? {}) as ServerResource;
  const props = server.properties ?? {};
  const id = server.id ?? '';
  const parts = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(id);
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
    port: descriptorOf(kind).port,
    state: props.state ?? 'Unknown',
    version: props.version ?? null,
    publicNetworkAccess: props.network?.publicNetworkAccess ?? null,
    delegatedSubnetId: props.network?.delegatedSubnetResourceId ?? null,
    privateDnsZoneId: null,
    privateEndpoints,
    authConfig: null,
    serverIdentities: Object.entries(server.identity?.userAssignedIdentities ?? {}).map(([id, value]) => ({
      id,
      principalId: value?.principalId || null,
    })),
  };
}
