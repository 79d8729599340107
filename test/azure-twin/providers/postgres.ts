/**
 * `Microsoft.DBforPostgreSQL/flexibleServers` as @azure/arm-postgresql-flexible 9.x calls it
 * (api-version 2025-08-01; older stable versions accepted): servers (get, list, PATCH), Microsoft Entra
 * administrators, firewall rules, databases, configurations and private endpoint connections.
 * Shapes follow fixtures/postgresql/2025-08-01 (see fixtures/SOURCES.md). Every write that the spec marks
 * long-running answers 202 with `Azure-AsyncOperation` + `Location`, as the RP does.
 */
import {
  type ArmResource,
  AzureError,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type TwinRequest,
  type World,
} from '../api.ts';
import {
  childId,
  listAnswer,
  mergePatch,
  requireApiVersion,
  resourceGroupId,
  resourceNotFound,
  serverId,
  stableGuid,
  validateFlexibleFirewallRule,
} from './database-common.ts';

const NS = 'Microsoft.DBforPostgreSQL';
const SERVER_TYPE = `${NS}/flexibleServers`;
/** 2025-08-01 is what the installed SDK sends; the others are earlier stable/preview versions of the RP. */
export const POSTGRES_API_VERSIONS = [
  '2021-06-01',
  '2022-12-01',
  '2023-06-01-preview',
  '2023-12-01-preview',
  '2024-08-01',
  '2025-08-01',
] as const;
const FIREWALL_NAME = /^[-\w._]+$/;
const BASE =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers';
const SERVER = `${BASE}/{serverName}`;

/** Server parameters the twin knows; GET of any other name is a 404 as for an unknown parameter. */
const CONFIGURATIONS: Record<
  string,
  { value: string; description: string; dataType: string; allowedValues: string }
> = {
  require_secure_transport: {
    value: 'on',
    description:
      'Whether client connections to the server are required to use some form of secure transport.',
    dataType: 'Boolean',
    allowedValues: 'on,off',
  },
  'azure.extensions': {
    value: '',
    description: 'Specifies which extensions are allowed to be created in the server.',
    dataType: 'Set',
    allowedValues: 'pgcrypto,uuid-ossp,vector',
  },
  password_encryption: {
    value: 'scram-sha-256',
    description: 'Chooses the algorithm for encrypting passwords.',
    dataType: 'Enumeration',
    allowedValues: 'md5,scram-sha-256',
  },
  ssl_min_protocol_version: {
    value: 'TLSv1.2',
    description: 'Sets the minimum SSL/TLS protocol version to use.',
    dataType: 'Enumeration',
    allowedValues: 'TLSv1.2,TLSv1.3',
  },
};

function ids(params: Record<string, string>) {
  const server = serverId(params, NS, 'flexibleServers');
  return { rg: resourceGroupId(params), server };
}

/** Resource group, then (for child routes) the server: the framework answers 404s for missing ones. */
function parents(params: Record<string, string>): string[] {
  const { rg, server } = ids(params);
  return params.serverName === undefined ? [rg] : [rg, server];
}

/** Server-level routes: only the group must exist; a missing server is the provider's own 404. */
function rgOnly(params: Record<string, string>): string[] {
  return [resourceGroupId(params)];
}

function checkVersion(req: TwinRequest): void {
  requireApiVersion(req, 'flexibleServers', POSTGRES_API_VERSIONS);
}

function getServer(twin: TwinContext, params: Record<string, string>): ArmResource {
  const server = twin.store.get(ids(params).server);
  if (!server) throw resourceNotFound(SERVER_TYPE, params.serverName!, params.resourceGroupName!);
  return server;
}

function childNotFound(params: Record<string, string>, childType: string, name: string): AzureError {
  return resourceNotFound(
    `${SERVER_TYPE}/${params.serverName}/${childType}`,
    name,
    params.resourceGroupName!,
  );
}

/** A PostgreSQL route with the RP's api-version gate in front of the handler. */
function route(
  method: RouteSpec['method'],
  path: string,
  action: string,
  handler: RouteSpec['handler'],
  existing: RouteSpec['parents'] | false = parents,
): RouteSpec {
  return {
    method,
    path,
    audience: 'arm',
    action: `${SERVER_TYPE}${action}`,
    ...(existing ? { parents: existing } : {}),
    handler(req, twin) {
      checkVersion(req);
      return handler(req, twin);
    },
  };
}

/** The 202 the RP answers for every long-running write. */
function accepted(req: TwinRequest, twin: TwinContext, resourceId: string, work: () => void | Promise<void>) {
  return twin.startLro(req, { style: 'azure-async-operation', initialStatus: 202, resourceId, work });
}

const serverRoutes: RouteSpec[] = [
  route('GET', SERVER, '/read', (req, twin) => ({ status: 200, body: getServer(twin, req.params) }), rgOnly),
  route('GET', BASE, '/read', (req, twin) =>
    listAnswer(req, twin.store.listByScope(resourceGroupId(req.params), SERVER_TYPE)),
  ),
  route(
    'GET',
    '/subscriptions/{subscriptionId}/providers/Microsoft.DBforPostgreSQL/flexibleServers',
    '/read',
    (req, twin) =>
      listAnswer(req, twin.store.listByScope(`/subscriptions/${req.params.subscriptionId}`, SERVER_TYPE)),
    false,
  ),
  route(
    'PATCH',
    SERVER,
    '/write',
    (req, twin) => {
      const server = getServer(twin, req.params);
      const patch = (req.body ?? {}) as Record<string, any>;
      const auth = {
        ...(server.properties?.authConfig as Record<string, string>),
        ...(patch.properties?.authConfig ?? {}),
      };
      if (auth.activeDirectoryAuth === 'Disabled' && auth.passwordAuth === 'Disabled') {
        throw new AzureError(
          400,
          'InvalidParameterValue',
          'Invalid value given for parameter authConfig. At least one of passwordAuth or activeDirectoryAuth must be Enabled.',
        );
      }
      const publicAccess = patch.properties?.network?.publicNetworkAccess;
      if (publicAccess !== undefined && publicAccess !== 'Enabled' && publicAccess !== 'Disabled')
        throw new AzureError(
          400,
          'InvalidParameterValue',
          'Invalid value given for parameter publicNetworkAccess. Specify a valid parameter value.',
        );
      if (
        publicAccess === 'Enabled' &&
        (server.properties?.network as Record<string, unknown>)?.delegatedSubnetResourceId
      ) {
        throw new AzureError(
          400,
          'InvalidParameterValue',
          'Invalid value given for parameter publicNetworkAccess. Public access cannot be enabled on a server integrated into a virtual network.',
        );
      }
      const previousState = server.properties!.state;
      // Switching Entra auth on restarts the server: it shows Updating until the operation ends.
      twin.store.put({ ...server, properties: { ...server.properties, state: 'Updating' } });
      return accepted(req, twin, server.id, () => {
        const current = twin.store.get(server.id) ?? server;
        const { identity, sku, tags, properties } = patch;
        const next = structuredClone(current) as ArmResource;
        if (properties) {
          const { administratorLoginPassword: _secret, createMode: _mode, ...rest } = properties;
          mergePatch(next.properties as Record<string, unknown>, rest);
          if (
            auth.activeDirectoryAuth === 'Enabled' &&
            !(next.properties!.authConfig as Record<string, unknown>).tenantId
          ) {
            (next.properties!.authConfig as Record<string, unknown>).tenantId = twin.world.tenantId;
          }
        }
        if (sku) next.sku = { ...next.sku, ...sku };
        if (tags) next.tags = tags;
        if (identity) next.identity = identity;
        next.properties!.state = previousState;
        twin.store.put(next);
      });
    },
    rgOnly,
  ),
];

const administratorRoutes: RouteSpec[] = [
  route('GET', `${SERVER}/administrators`, '/administrators/read', (req, twin) =>
    listAnswer(req, twin.store.children(ids(req.params).server, `${SERVER_TYPE}/administrators`)),
  ),
  route('GET', `${SERVER}/administrators/{objectId}`, '/administrators/read', (req, twin) => {
    const admin = twin.store.get(childId(ids(req.params).server, 'administrators', req.params.objectId!));
    if (!admin) throw childNotFound(req.params, 'administrators', req.params.objectId!);
    return { status: 200, body: admin };
  }),
  route('PUT', `${SERVER}/administrators/{objectId}`, '/administrators/write', (req, twin) => {
    const server = getServer(twin, req.params);
    const props = req.body?.properties ?? {};
    if (typeof props.principalName !== 'string' || props.principalName === '')
      throw new AzureError(
        400,
        'InvalidParameterValue',
        'Invalid value given for parameter principalName. Specify a valid parameter value.',
      );
    const principalType = props.principalType ?? 'Unknown';
    if (!['Unknown', 'User', 'Group', 'ServicePrincipal'].includes(principalType))
      throw new AzureError(
        400,
        'InvalidParameterValue',
        'Invalid value given for parameter principalType. Specify a valid parameter value.',
      );
    if ((server.properties?.authConfig as Record<string, string>)?.activeDirectoryAuth !== 'Enabled') {
      throw new AzureError(
        400,
        'AadAuthDisabled',
        `Microsoft Entra authentication is not enabled on server '${server.name}'. Enable it before adding a Microsoft Entra administrator.`,
      );
    }
    const objectId = req.params.objectId!;
    const admin: ArmResource = {
      id: childId(server.id, 'administrators', objectId),
      name: props.principalName,
      type: `${SERVER_TYPE}/administrators`,
      properties: {
        principalType,
        principalName: props.principalName,
        objectId,
        tenantId: props.tenantId ?? twin.world.tenantId,
      },
    };
    return accepted(req, twin, admin.id, async () => {
      twin.store.put(admin);
      await twin.databases.postgresAdminAdded?.(twin.store.get(server.id) ?? server, {
        objectId,
        principalName: props.principalName,
        principalType,
      });
    });
  }),
  route('DELETE', `${SERVER}/administrators/{objectId}`, '/administrators/delete', (req, twin) => {
    const server = getServer(twin, req.params);
    const id = childId(server.id, 'administrators', req.params.objectId!);
    const admin = twin.store.get(id);
    if (!admin) return { status: 204 };
    return accepted(req, twin, id, async () => {
      twin.store.delete(id);
      await twin.databases.postgresAdminRemoved?.(server, String(admin.properties?.principalName));
    });
  }),
];

const firewallRoutes: RouteSpec[] = [
  route('GET', `${SERVER}/firewallRules`, '/firewallRules/read', (req, twin) =>
    listAnswer(req, twin.store.children(ids(req.params).server, `${SERVER_TYPE}/firewallRules`)),
  ),
  route('GET', `${SERVER}/firewallRules/{firewallRuleName}`, '/firewallRules/read', (req, twin) => {
    const rule = twin.store.get(
      childId(ids(req.params).server, 'firewallRules', req.params.firewallRuleName!),
    );
    if (!rule) throw childNotFound(req.params, 'firewallRules', req.params.firewallRuleName!);
    return { status: 200, body: rule };
  }),
  route('PUT', `${SERVER}/firewallRules/{firewallRuleName}`, '/firewallRules/write', (req, twin) => {
    const server = getServer(twin, req.params);
    const name = req.params.firewallRuleName!;
    const range = validateFlexibleFirewallRule(name, FIREWALL_NAME, req.body);
    const rule = firewallRule(server.id, name, range.startIpAddress, range.endIpAddress);
    return accepted(req, twin, rule.id, () => {
      twin.store.put(rule);
    });
  }),
  route('DELETE', `${SERVER}/firewallRules/{firewallRuleName}`, '/firewallRules/delete', (req, twin) => {
    const id = childId(ids(req.params).server, 'firewallRules', req.params.firewallRuleName!);
    if (!twin.store.get(id)) return { status: 204 };
    return accepted(req, twin, id, () => {
      twin.store.delete(id);
    });
  }),
];

const databaseRoutes: RouteSpec[] = [
  route('GET', `${SERVER}/databases`, '/databases/read', (req, twin) =>
    listAnswer(req, twin.store.children(ids(req.params).server, `${SERVER_TYPE}/databases`)),
  ),
  route('GET', `${SERVER}/databases/{databaseName}`, '/databases/read', (req, twin) => {
    const db = twin.store.get(childId(ids(req.params).server, 'databases', req.params.databaseName!));
    if (!db) throw childNotFound(req.params, 'databases', req.params.databaseName!);
    return { status: 200, body: db };
  }),
  route('PUT', `${SERVER}/databases/{databaseName}`, '/databases/write', (req, twin) => {
    const server = getServer(twin, req.params);
    const db = database(
      server.id,
      req.params.databaseName!,
      req.body?.properties?.charset,
      req.body?.properties?.collation,
    );
    return accepted(req, twin, db.id, async () => {
      twin.store.put(db);
      await twin.databases.databaseCreated?.(server, db.name);
    });
  }),
  route('DELETE', `${SERVER}/databases/{databaseName}`, '/databases/delete', (req, twin) => {
    const id = childId(ids(req.params).server, 'databases', req.params.databaseName!);
    if (!twin.store.get(id)) return { status: 204 };
    return accepted(req, twin, id, () => {
      twin.store.delete(id);
    });
  }),
];

function configuration(server: ArmResource, name: string): ArmResource | undefined {
  const known = Object.entries(CONFIGURATIONS).find(([key]) => key.toLowerCase() === name.toLowerCase());
  if (!known) return undefined;
  const [key, info] = known;
  return {
    id: childId(server.id, 'configurations', key),
    name: key,
    type: `${SERVER_TYPE}/configurations`,
    properties: {
      description: info.description,
      allowedValues: info.allowedValues,
      dataType: info.dataType,
      defaultValue: info.value,
      documentationLink: 'https://www.postgresql.org/docs/current/runtime-config.html',
      isConfigPendingRestart: false,
      isDynamicConfig: true,
      isReadOnly: false,
      source: 'system-default',
      value: info.value,
    },
  };
}

const configurationRoutes: RouteSpec[] = [
  route('GET', `${SERVER}/configurations`, '/configurations/read', (req, twin) => {
    const server = getServer(twin, req.params);
    return listAnswer(
      req,
      Object.keys(CONFIGURATIONS).map((name) => configuration(server, name)),
    );
  }),
  route('GET', `${SERVER}/configurations/{configurationName}`, '/configurations/read', (req, twin) => {
    const found = configuration(getServer(twin, req.params), req.params.configurationName!);
    if (!found) throw childNotFound(req.params, 'configurations', req.params.configurationName!);
    return { status: 200, body: found };
  }),
];

function endpointConnections(server: ArmResource): ArmResource[] {
  return (server.properties?.privateEndpointConnections as ArmResource[] | undefined) ?? [];
}

const privateEndpointRoutes: RouteSpec[] = [
  route('GET', `${SERVER}/privateEndpointConnections`, '/privateEndpointConnections/read', (req, twin) =>
    listAnswer(req, endpointConnections(getServer(twin, req.params))),
  ),
  route(
    'GET',
    `${SERVER}/privateEndpointConnections/{privateEndpointConnectionName}`,
    '/privateEndpointConnections/read',
    (req, twin) => {
      const wanted = req.params.privateEndpointConnectionName!.toLowerCase();
      const found = endpointConnections(getServer(twin, req.params)).find(
        (c) => c.name.toLowerCase() === wanted,
      );
      if (!found)
        throw childNotFound(
          req.params,
          'privateEndpointConnections',
          req.params.privateEndpointConnectionName!,
        );
      return { status: 200, body: found };
    },
  ),
];

/** The provider the framework mounts (`providers/index.ts` picks `provider`). */
export const provider: Provider = {
  name: 'postgres',
  routes: [
    ...serverRoutes,
    ...administratorRoutes,
    ...firewallRoutes,
    ...databaseRoutes,
    ...configurationRoutes,
    ...privateEndpointRoutes,
  ],
};

function firewallRule(
  server: string,
  name: string,
  startIpAddress: string,
  endIpAddress: string,
): ArmResource {
  return {
    id: childId(server, 'firewallRules', name),
    name,
    type: `${SERVER_TYPE}/firewallRules`,
    properties: { startIpAddress, endIpAddress },
  };
}

function database(server: string, name: string, charset = 'UTF8', collation = 'en_US.utf8'): ArmResource {
  return {
    id: childId(server, 'databases', name),
    name,
    type: `${SERVER_TYPE}/databases`,
    properties: { charset, collation },
  };
}

/** Options of `seedPostgresServer`. */
export interface PostgresSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  state?: 'Ready' | 'Stopped' | 'Starting' | 'Stopping' | 'Updating' | 'Disabled' | 'Dropping';
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** Subnet id: makes the server VNet-integrated (private access); public access then defaults to Disabled. */
  delegatedSubnet?: string;
  /** Private DNS zone id for a VNet-integrated server; defaults to `<name>.private.postgres.database.azure.com` in the group. */
  privateDnsZone?: string;
  /** Private endpoint id (or several), each connected with status Approved unless given. */
  privateEndpoint?: string | { id: string; status?: 'Approved' | 'Pending' | 'Rejected' | 'Disconnected' }[];
  entraAuth?: boolean;
  passwordAuth?: boolean;
  admins?: {
    objectId: string;
    principalName: string;
    principalType?: 'User' | 'Group' | 'ServicePrincipal' | 'Unknown';
  }[];
  firewallRules?: { name: string; startIpAddress: string; endIpAddress: string }[];
  databases?: string[];
  tags?: Record<string, string>;
}

/**
 * Puts a PostgreSQL flexible server (and its admins, rules, databases) into the store with exactly the
 * shapes the GET routes return. Does not call the database hooks: scenarios with a backing server set
 * the roles up themselves.
 */
export function seedPostgresServer(
  twin: { store: TwinContext['store']; world: World },
  opts: PostgresSeed,
): ArmResource {
  const id = `/subscriptions/${opts.subscriptionId}/resourceGroups/${opts.resourceGroup}/providers/${SERVER_TYPE}/${opts.name}`;
  const entra = opts.entraAuth ?? false;
  const network: Record<string, string> = {
    publicNetworkAccess: opts.publicNetworkAccess ?? (opts.delegatedSubnet ? 'Disabled' : 'Enabled'),
  };
  if (opts.delegatedSubnet) {
    network.delegatedSubnetResourceId = opts.delegatedSubnet;
    network.privateDnsZoneArmResourceId =
      opts.privateDnsZone ??
      `/subscriptions/${opts.subscriptionId}/resourceGroups/${opts.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${opts.name}.private.postgres.database.azure.com`;
  }
  const endpoints =
    typeof opts.privateEndpoint === 'string' ? [{ id: opts.privateEndpoint }] : (opts.privateEndpoint ?? []);
  const server: ArmResource = {
    id,
    name: opts.name,
    type: SERVER_TYPE,
    location: opts.location ?? 'eastus',
    tags: opts.tags ?? {},
    sku: { name: 'Standard_D2ds_v5', tier: 'GeneralPurpose' },
    systemData: { createdAt: '2026-01-05T09:30:00.000000Z' },
    properties: {
      replica: { role: 'Primary', capacity: 5 },
      storage: { type: '', iops: 500, tier: 'P10', storageSizeGB: 128, autoGrow: 'Disabled' },
      network,
      privateEndpointConnections: endpoints.map((endpoint) => {
        const endpointName = endpoint.id.split('/').pop()!;
        const name = `${endpointName}.${stableGuid(endpoint.id)}`;
        return {
          id: `${id}/privateEndpointConnections/${name}`,
          name,
          type: `${SERVER_TYPE}/privateEndpointConnections`,
          properties: {
            groupIds: ['postgresqlServer'],
            privateEndpoint: { id: endpoint.id },
            privateLinkServiceConnectionState: {
              status: endpoint.status ?? 'Approved',
              description: 'Auto-Approved',
              actionsRequired: 'None',
            },
            provisioningState: 'Succeeded',
          },
        };
      }),
      dataEncryption: { type: 'SystemManaged' },
      authConfig: {
        activeDirectoryAuth: entra ? 'Enabled' : 'Disabled',
        passwordAuth: opts.passwordAuth === false ? 'Disabled' : 'Enabled',
        ...(entra ? { tenantId: twin.world.tenantId } : {}),
      },
      fullyQualifiedDomainName: `${opts.name}.postgres.twin.test`,
      version: '17',
      minorVersion: '5',
      administratorLogin: 'pgadmin',
      state: opts.state ?? 'Ready',
      availabilityZone: '1',
      backup: {
        backupRetentionDays: 7,
        geoRedundantBackup: 'Disabled',
        earliestRestoreDate: '2026-01-05T09:35:00.000000Z',
      },
      highAvailability: { mode: 'Disabled', state: 'NotEnabled' },
      maintenanceWindow: { customWindow: 'Disabled', dayOfWeek: 0, startHour: 0, startMinute: 0 },
      replicationRole: 'Primary',
      replicaCapacity: 5,
    },
  };
  twin.store.put(server);
  for (const admin of opts.admins ?? []) {
    twin.store.put({
      id: childId(id, 'administrators', admin.objectId),
      name: admin.principalName,
      type: `${SERVER_TYPE}/administrators`,
      properties: {
        principalType: admin.principalType ?? 'User',
        principalName: admin.principalName,
        objectId: admin.objectId,
        tenantId: twin.world.tenantId,
      },
    });
  }
  for (const rule of opts.firewallRules ?? [])
    twin.store.put(firewallRule(id, rule.name, rule.startIpAddress, rule.endIpAddress));
  for (const name of ['postgres', ...(opts.databases ?? [])]) twin.store.put(database(id, name));
  return server;
}
