/**
 * `Microsoft.Sql/servers` as @azure/arm-sql 10.0.0 calls it. That package pins a version per operation
 * group: servers and databases 2022-08-01-preview; firewallRules, serverAzureADAdministrators,
 * serverAzureADOnlyAuthentications and privateEndpointConnections 2020-11-01-preview;
 * serverConnectionPolicies 2021-05-01-preview. The RP serves one resource model across versions, so
 * every route accepts all of `SQL_API_VERSIONS` (2021-11-01 and 2023-08-01 are what the CLI uses).
 *
 * The server object carries `administrators` (the Entra admin plus the Entra-only flag) composed from
 * the `administrators/ActiveDirectory` and `azureADOnlyAuthentications/Default` children, as Azure does.
 */
import {
  type ArmResource,
  AzureError,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type World,
} from '../api.ts';
import {
  childId,
  type DatabaseServerSeed,
  ipv4ToNumber,
  isIpv4,
  listAnswer,
  seededEndpoints,
  seededServerId,
  stableGuid,
} from './database-common.ts';
import {
  databaseRoutes,
  firewallRule,
  firewallRuleRoutes,
  privateEndpointRoutes,
  serverReadRoutes,
  serverRp,
} from './database-routes.ts';
import { ruleWritten } from './sql-firewall-apply.ts';

export const SQL_API_VERSIONS = [
  '2014-04-01',
  '2020-11-01-preview',
  '2021-02-01-preview',
  '2021-05-01-preview',
  '2021-08-01-preview',
  '2021-11-01',
  '2022-05-01-preview',
  '2022-08-01-preview',
  '2023-05-01-preview',
  '2023-08-01',
  '2023-08-01-preview',
] as const;
const rp = serverRp({ namespace: 'Microsoft.Sql', type: 'servers', apiVersions: SQL_API_VERSIONS });
const SERVER_TYPE = rp.serverType;
const SERVER = rp.server;

function adminOf(twin: { store: TwinContext['store'] }, server: string): ArmResource | undefined {
  return twin.store.get(childId(server, 'administrators', 'ActiveDirectory'));
}

function entraOnly(twin: { store: TwinContext['store'] }, server: string): boolean {
  return (
    twin.store.get(childId(server, 'azureADOnlyAuthentications', 'Default'))?.properties
      ?.azureADOnlyAuthentication === true
  );
}

/** The server as GET returns it: the stored resource plus the composed `administrators` object. */
function serverView(twin: { store: TwinContext['store']; world: World }, stored: ArmResource): ArmResource {
  // The seeded connection type is served by connectionPolicies/Default, not by the server object.
  const { twinConnectionType: _type, ...properties } = stored.properties ?? {};
  const server = { ...stored, properties };
  const admin = adminOf(twin, server.id);
  if (!admin) return server;
  // An app or managed identity is made admin by its application (client) id, a user or group by
  // object id; Azure reports apps (and managed identities) as `Application`.
  const sid = String(admin.properties?.sid).toLowerCase();
  const principal = twin.world.principals.find(
    (p) => p.objectId.toLowerCase() === sid || p.appId?.toLowerCase() === sid,
  );
  const principalType = principal?.kind === 'user' ? 'User' : principal ? 'Application' : 'Group';
  return {
    ...server,
    properties: {
      ...server.properties,
      administrators: {
        administratorType: 'ActiveDirectory',
        principalType,
        login: admin.properties?.login,
        sid: admin.properties?.sid,
        tenantId: admin.properties?.tenantId,
        azureADOnlyAuthentication: entraOnly(twin, server.id),
      },
    },
  };
}

function adminView(twin: { store: TwinContext['store'] }, admin: ArmResource, server: string): ArmResource {
  return {
    ...admin,
    properties: { ...admin.properties, azureADOnlyAuthentication: entraOnly(twin, server) },
  };
}

const ADMIN = `${SERVER}/administrators/{administratorName}`;

function checkAdminName(name: string): void {
  if (name.toLowerCase() !== 'activedirectory') {
    throw new AzureError(
      400,
      'InvalidServerAADAdminName',
      "The server Azure Active Directory administrator name should be 'ActiveDirectory'.",
    );
  }
}

const administratorRoutes: RouteSpec[] = [
  rp.route('GET', `${SERVER}/administrators`, '/administrators/read', (req, twin) => {
    const server = rp.getServer(twin, req.params);
    const admin = adminOf(twin, server.id);
    return listAnswer(req, admin ? [adminView(twin, admin, server.id)] : []);
  }),
  rp.route('GET', ADMIN, '/administrators/read', (req, twin) => {
    checkAdminName(req.params.administratorName!);
    const server = rp.getServer(twin, req.params);
    const admin = adminOf(twin, server.id);
    if (!admin) throw rp.childNotFound(req.params, 'administrators', 'ActiveDirectory');
    return { status: 200, body: adminView(twin, admin, server.id) };
  }),
  rp.route('PUT', ADMIN, '/administrators/write', (req, twin) => {
    checkAdminName(req.params.administratorName!);
    const server = rp.getServer(twin, req.params);
    const props = req.body?.properties ?? {};
    // Codes and texts from the error list of 2023-08-01 ServerAzureADAdministrators.json.
    if (props.administratorType !== 'ActiveDirectory') {
      throw new AzureError(
        400,
        'InvalidServerAdministratorTypePropertyName',
        'Server active directory administrator type should be ActiveDirectory',
      );
    }
    if (
      typeof props.login !== 'string' ||
      props.login === '' ||
      typeof props.sid !== 'string' ||
      props.sid === ''
    ) {
      throw new AzureError(
        400,
        'InvalidResourceRequestBody',
        'The resource or resource properties in the request body is empty or invalid.',
      );
    }
    if (props.azureADOnlyAuthentication === false) {
      throw new AzureError(
        400,
        'InvalidServerAzureADOnlyAuthenticationParameter',
        'User tried to set AzureADOnlyAuthentication parameter to false which is not allowed, please use azureADOnlyAuthentications API instead.',
      );
    }
    const admin: ArmResource = {
      id: childId(server.id, 'administrators', 'ActiveDirectory'),
      name: 'ActiveDirectory',
      type: `${SERVER_TYPE}/administrators`,
      properties: {
        administratorType: 'ActiveDirectory',
        login: props.login,
        sid: props.sid,
        tenantId: props.tenantId ?? twin.world.tenantId,
      },
    };
    return rp.accepted(req, twin, admin.id, () => {
      twin.store.put(admin);
    });
  }),
  rp.route('DELETE', ADMIN, '/administrators/delete', (req, twin) => {
    checkAdminName(req.params.administratorName!);
    const server = rp.getServer(twin, req.params);
    const id = childId(server.id, 'administrators', 'ActiveDirectory');
    if (!twin.store.get(id)) return { status: 204 };
    if (entraOnly(twin, server.id)) {
      throw new AzureError(
        400,
        'InvalidServerAzureADAdminDeleteOperation',
        'Cannot delete the Azure Active Directory administrator while Azure Active Directory only authentication is enabled. Disable Azure Active Directory only authentication first.',
      );
    }
    return rp.accepted(req, twin, id, () => {
      twin.store.delete(id);
    });
  }),
];

const ONLY = `${SERVER}/azureADOnlyAuthentications/{authenticationName}`;

function onlyView(server: string, enabled: boolean): ArmResource {
  return {
    id: childId(server, 'azureADOnlyAuthentications', 'Default'),
    name: 'Default',
    type: `${SERVER_TYPE}/azureADOnlyAuthentications`,
    properties: { azureADOnlyAuthentication: enabled },
  };
}

function checkOnlyName(name: string): void {
  if (name.toLowerCase() !== 'default') {
    throw new AzureError(
      400,
      'InvalidServerAADOnlyAuthTypePropertyName',
      'Server Azure Active Directory only authentication type should be Default',
    );
  }
}

const entraOnlyRoutes: RouteSpec[] = [
  rp.route('GET', `${SERVER}/azureADOnlyAuthentications`, '/azureADOnlyAuthentications/read', (req, twin) => {
    const server = rp.getServer(twin, req.params);
    return listAnswer(req, [onlyView(server.id, entraOnly(twin, server.id))]);
  }),
  rp.route('GET', ONLY, '/azureADOnlyAuthentications/read', (req, twin) => {
    checkOnlyName(req.params.authenticationName!);
    const server = rp.getServer(twin, req.params);
    return { status: 200, body: onlyView(server.id, entraOnly(twin, server.id)) };
  }),
  rp.route('PUT', ONLY, '/azureADOnlyAuthentications/write', (req, twin) => {
    checkOnlyName(req.params.authenticationName!);
    const server = rp.getServer(twin, req.params);
    const enabled = req.body?.properties?.azureADOnlyAuthentication;
    if (typeof enabled !== 'boolean') {
      throw new AzureError(
        400,
        'InvalidServerAADOnlyAuthParameters',
        'The azureADOnlyAuthentication property must be true or false.',
      );
    }
    if (!adminOf(twin, server.id)) {
      throw new AzureError(
        400,
        'InvalidServerAADOnlyAuthNoAADAdminPropertyName',
        'AAD Admin is not configured, AAD Admin must be set before enabling/disabling AAD Only Authentication.',
      );
    }
    const view = onlyView(server.id, enabled);
    return rp.accepted(req, twin, view.id, () => {
      twin.store.put(view);
    });
  }),
];

const FIREWALL_DENIED =
  'Unable to create or modify firewall rules when public network interface for the server is disabled. To manage server or database level firewall rules, please enable the public network interface.';

function validateSqlFirewallRule(name: string, body: any): { startIpAddress: string; endIpAddress: string } {
  if (name === '')
    throw new AzureError(400, 'FirewallRuleNameEmpty', 'The provided firewall rule name is empty');
  if (name.length > 128)
    throw new AzureError(400, 'FirewallRuleNameTooLong', 'The provided firewall rule name is too long');
  const start = body?.properties?.startIpAddress;
  const end = body?.properties?.endIpAddress;
  if (!isIpv4(start) || !isIpv4(end))
    throw new AzureError(400, 'FirewallRuleNotIPv4Address', 'The provided firewall rule address is not IPv4');
  if (ipv4ToNumber(start) > ipv4ToNumber(end))
    throw new AzureError(400, 'FirewallRuleInvalidRange', 'The specified firewall rule range is invalid.');
  return { startIpAddress: start, endIpAddress: end };
}

/** Firewall edits on a server whose public endpoint is off fail (SQL error 42101). */
function requirePublicEndpoint(server: ArmResource): void {
  if (server.properties?.publicNetworkAccess === 'Disabled')
    throw new AzureError(400, 'DenyPublicEndpointEnabled', FIREWALL_DENIED);
}

function database(server: ArmResource, name: string, system = false): ArmResource {
  const sku = system
    ? { name: 'System', tier: 'System', capacity: 0 }
    : { name: 'GP_S_Gen5', tier: 'GeneralPurpose', family: 'Gen5', capacity: 1 };
  return {
    id: childId(server.id, 'databases', name),
    name,
    type: `${SERVER_TYPE}/databases`,
    location: server.location,
    kind: system ? 'v12.0,system' : 'v12.0,user,vcore,serverless',
    sku,
    properties: {
      collation: 'SQL_Latin1_General_CP1_CI_AS',
      maxSizeBytes: 34359738368,
      status: 'Online',
      databaseId: stableGuid(`${server.id}/${name}`),
      creationDate: '2026-01-05T09:40:00.000Z',
      currentServiceObjectiveName: system ? 'System0' : 'GP_S_Gen5_1',
      requestedServiceObjectiveName: system ? 'System0' : 'GP_S_Gen5_1',
      defaultSecondaryLocation: 'westus',
      catalogCollation: 'SQL_Latin1_General_CP1_CI_AS',
      licenseType: 'LicenseIncluded',
      maxLogSizeBytes: 68718428160,
      isInfraEncryptionEnabled: false,
      zoneRedundant: false,
      readScale: 'Disabled',
      earliestRestoreDate: '2026-01-05T09:50:00.000Z',
      maintenanceConfigurationId: `/subscriptions/${server.id.split('/')[2]}/providers/Microsoft.Maintenance/publicMaintenanceConfigurations/SQL_Default`,
      currentSku: sku,
      currentBackupStorageRedundancy: 'Local',
      requestedBackupStorageRedundancy: 'Local',
      isLedgerOn: false,
    },
  };
}

const connectionPolicyRoutes: RouteSpec[] = [
  rp.route(
    'GET',
    `${SERVER}/connectionPolicies/{connectionPolicyName}`,
    '/connectionPolicies/read',
    (req, twin) => {
      const server = rp.getServer(twin, req.params);
      if (req.params.connectionPolicyName!.toLowerCase() !== 'default')
        throw rp.childNotFound(req.params, 'connectionPolicies', req.params.connectionPolicyName!);
      return {
        status: 200,
        body: {
          id: childId(server.id, 'connectionPolicies', 'default'),
          name: 'default',
          kind: null,
          location: server.location,
          type: `${SERVER_TYPE}/connectionPolicies`,
          properties: {
            // Lower-case, as the spec example ServerConnectionPoliciesGet.json answers ("redirect"):
            // clients must compare it case-insensitively (fixtures/SOURCES.md).
            connectionType: (
              (server.properties?.twinConnectionType as string | undefined) ?? 'Default'
            ).toLowerCase(),
          },
        },
      };
    },
  ),
];

/** The provider the framework mounts (`providers/index.ts` picks `provider`). */
export const provider: Provider = {
  name: 'sql',
  routes: [
    ...serverReadRoutes(rp, serverView),
    ...administratorRoutes,
    ...entraOnlyRoutes,
    // Synchronous in the RP: 201 when created, 200 when replaced.
    ...firewallRuleRoutes(rp, {
      validate: validateSqlFirewallRule,
      writes: {
        style: 'synchronous',
        guard: requirePublicEndpoint,
        // A new or changed rule applies only after `sqlFirewallRuleDelayMs` (up to five minutes in Azure).
        written(twin, rule, before) {
          const range = (r: ArmResource | undefined) =>
            `${r?.properties?.startIpAddress}-${r?.properties?.endIpAddress}`;
          if (before && range(before) === range(rule)) return;
          const now = twin.nowMs?.() ?? Date.now();
          ruleWritten(twin.store, rule, now, twin.world.sqlFirewallRuleDelayMs ?? 0);
        },
      },
    }),
    ...databaseRoutes(rp, {
      build(server, name, body) {
        const db = database(server, name);
        if (body?.properties?.collation) db.properties!.collation = body.properties.collation;
        return db;
      },
      deletable: false,
    }),
    ...connectionPolicyRoutes,
    // The RP names each connection by the last segment of its id.
    ...privateEndpointRoutes(rp, (connection) => ({
      ...connection,
      name: connection.id.split('/').pop()!,
      type: `${SERVER_TYPE}/privateEndpointConnections`,
    })),
  ],
};

/** Options of `seedSqlServer`. */
export interface SqlSeed extends DatabaseServerSeed {
  minimalTlsVersion?: '1.0' | '1.1' | '1.2';
  /** The single Entra admin (login = display name, sid = object id). */
  admin?: { login: string; sid: string };
  /** `azureADOnlyAuthentications/Default` = true (needs `admin`). */
  entraOnly?: boolean;
  connectionType?: 'Default' | 'Redirect' | 'Proxy';
  /** User databases (`master` always exists). */
  databases?: string[];
  /**
   * The server's managed identities: a system-assigned one, and/or user-assigned ones (ARM ids of
   * existing identities) with `primary` the one Azure SQL uses as the server identity.
   */
  identity?: { system?: boolean; userAssigned?: string[]; primary?: string };
}

/**
 * The `identity` block and `primaryUserAssignedIdentityId` of a seeded server, in the GET shape
 * (ServerGet example, 2022-08-01-preview); a system identity registers its service principal.
 */
function seededIdentity(
  twin: { world: World },
  serverId: string,
  name: string,
  seed: NonNullable<SqlSeed['identity']>,
): { identity?: Record<string, unknown>; primary?: string } {
  const users = seed.userAssigned ?? [];
  if (!seed.system && users.length === 0) return {};
  const identity: Record<string, unknown> = {
    type:
      seed.system && users.length > 0
        ? 'SystemAssigned,UserAssigned'
        : seed.system
          ? 'SystemAssigned'
          : 'UserAssigned',
  };
  if (seed.system) {
    const principal = {
      objectId: stableGuid(`${serverId}/system-identity`),
      appId: stableGuid(`${serverId}/system-identity/app`),
      tenantId: twin.world.tenantId,
      kind: 'managedIdentity' as const,
      displayName: name,
      alternativeId: serverId,
    };
    if (!twin.world.principals.some((p) => p.objectId === principal.objectId))
      twin.world.principals.push(principal);
    identity.principalId = principal.objectId;
    identity.tenantId = twin.world.tenantId;
  }
  if (users.length > 0) {
    identity.userAssignedIdentities = Object.fromEntries(
      users.map((id) => {
        const p = twin.world.principals.find((q) => q.alternativeId?.toLowerCase() === id.toLowerCase());
        return [id, { principalId: p?.objectId ?? '', clientId: p?.appId ?? '' }];
      }),
    );
  }
  return { identity, ...(seed.primary ? { primary: seed.primary } : {}) };
}

/** Puts an Azure SQL logical server (admin, Entra-only, rules, databases) into the store in the GET shapes. */
export function seedSqlServer(
  twin: { store: TwinContext['store']; world: World },
  opts: SqlSeed,
): ArmResource {
  if (opts.entraOnly && !opts.admin) throw new Error('seedSqlServer: entraOnly needs an admin, as in Azure');
  const id = seededServerId(SERVER_TYPE, opts);
  const endpoints = seededEndpoints(opts.privateEndpoint);
  const identity = opts.identity ? seededIdentity(twin, id, opts.name, opts.identity) : {};
  const server: ArmResource = {
    id,
    name: opts.name,
    type: SERVER_TYPE,
    location: opts.location ?? 'eastus',
    kind: 'v12.0',
    tags: opts.tags ?? {},
    ...(identity.identity ? { identity: identity.identity } : {}),
    properties: {
      ...(identity.primary ? { primaryUserAssignedIdentityId: identity.primary } : {}),
      fullyQualifiedDomainName: `${opts.name}.database.twin.test`,
      administratorLogin: 'sqladmin',
      version: '12.0',
      state: 'Ready',
      workspaceFeature: 'Connected',
      publicNetworkAccess: opts.publicNetworkAccess ?? 'Enabled',
      restrictOutboundNetworkAccess: 'Disabled',
      // Read-only since 2022-08-01-preview (ServerList.json); Purview governance is off unless turned on.
      externalGovernanceStatus: 'Disabled',
      minimalTlsVersion: opts.minimalTlsVersion ?? '1.2',
      privateEndpointConnections: endpoints.map((endpoint) => ({
        id: `${id}/privateEndpointConnections/${endpoint.id.split('/').pop()}-${stableGuid(endpoint.id)}`,
        properties: {
          provisioningState: 'Ready',
          privateEndpoint: { id: endpoint.id },
          privateLinkServiceConnectionState: {
            status: endpoint.status ?? 'Approved',
            description: 'Auto-approved',
            actionsRequired: 'None',
          },
        },
      })),
      ...(opts.connectionType ? { twinConnectionType: opts.connectionType } : {}),
    },
  };
  twin.store.put(server);
  if (opts.admin) {
    twin.store.put({
      id: childId(id, 'administrators', 'ActiveDirectory'),
      name: 'ActiveDirectory',
      type: `${SERVER_TYPE}/administrators`,
      properties: {
        administratorType: 'ActiveDirectory',
        login: opts.admin.login,
        sid: opts.admin.sid,
        tenantId: twin.world.tenantId,
      },
    });
  }
  if (opts.entraOnly) twin.store.put(onlyView(id, true));
  for (const rule of opts.firewallRules ?? [])
    twin.store.put(firewallRule(SERVER_TYPE, id, rule.name, rule.startIpAddress, rule.endIpAddress));
  twin.store.put(database(server, 'master', true));
  for (const name of opts.databases ?? []) twin.store.put(database(server, name));
  return serverView(twin, twin.store.get(id)!);
}
