/**
 * `Microsoft.DBforPostgreSQL/flexibleServers` as @azure/arm-postgresql-flexible 9.x calls it
 * (api-version 2025-08-01; older stable versions accepted): servers (get, list, PATCH), Microsoft Entra
 * administrators, firewall rules, databases, configurations and private endpoint connections.
 * Shapes follow fixtures/postgresql/2025-08-01 (see fixtures/SOURCES.md). Every write that the spec marks
 * long-running answers 202 with `Azure-AsyncOperation` + `Location`, as the RP does.
 */
import { type ArmResource, AzureError, type Provider, type TwinContext, type World } from '../api.ts';
import {
  childId,
  type FlexibleServerSeed,
  invalidParameter,
  mergePatch,
  seededEndpoints,
  seededFlexibleNetwork,
  seededServerId,
  stableGuid,
  validateFlexibleFirewallRule,
} from './database-common.ts';
import {
  configurationReadRoutes,
  databaseRoutes,
  firewallRule,
  firewallRuleRoutes,
  type ParameterCatalogue,
  privateEndpointRoutes,
  serverReadRoutes,
  serverRp,
  startStopRoutes,
  storedChildReadRoutes,
} from './database-routes.ts';
import { connectionState } from './network.ts';
import { holdState, POSTGRES_GATE, postgresServerNotReady } from './server-state.ts';

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
const rp = serverRp({
  namespace: 'Microsoft.DBforPostgreSQL',
  type: 'flexibleServers',
  apiVersions: POSTGRES_API_VERSIONS,
  gate: POSTGRES_GATE,
  statusSegment: 'azureAsyncOperation',
});
const SERVER_TYPE = rp.serverType;
const SERVER = rp.server;

/** Server parameters the twin knows; GET of any other name is a 404 as for an unknown parameter. */
const CONFIGURATIONS: ParameterCatalogue = {
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

const serverRoutes = [
  ...serverReadRoutes(rp),
  rp.route(
    'PATCH',
    SERVER,
    '/write',
    (req, twin) => {
      const server = rp.getServer(twin, req.params);
      const patch = (req.body ?? {}) as Record<string, any>;
      const auth = {
        ...(server.properties?.authConfig as Record<string, string>),
        ...(patch.properties?.authConfig ?? {}),
      };
      // The spec's enums are exactly `Enabled`/`Disabled` and Azure's JSON values are case-sensitive
      // (api-guidelines json-field-values-case-sensitivity); whether the RP folds case is not documented.
      for (const field of ['activeDirectoryAuth', 'passwordAuth'] as const) {
        const value = patch.properties?.authConfig?.[field];
        if (value !== undefined && value !== 'Enabled' && value !== 'Disabled')
          throw invalidParameter(`authConfig.${field}`);
      }
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
      const settle = holdState(twin.store, server, 'Updating');
      return rp.accepted(
        req,
        twin,
        server.id,
        async () => {
          const current = twin.store.get(server.id) ?? server;
          const { identity, sku, tags, properties } = patch;
          const next = structuredClone(current) as ArmResource;
          if (properties) {
            const { administratorLoginPassword: password, createMode: _mode, ...rest } = properties;
            // A new password for the password admin (the portal's "Reset password"); never stored in ARM.
            const login = current.properties?.administratorLogin;
            if (typeof password === 'string' && typeof login === 'string')
              await twin.databases.postgresPasswordAdmin?.(current, login, password);
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
        },
        settle,
      );
    },
    { parents: rp.rgOnly },
  ),
  ...startStopRoutes(rp, { stopRefusal: postgresServerNotReady }),
];

const administratorRoutes = [
  ...storedChildReadRoutes(rp, 'administrators', 'objectId'),
  rp.route('PUT', `${SERVER}/administrators/{objectId}`, '/administrators/write', (req, twin) => {
    const server = rp.getServer(twin, req.params);
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
    // Azure's answer here is not documented; the twin refuses in the RP's own validation template
    // (InvalidParameterValue "Invalid value given for parameter <x>. Specify a valid parameter value.",
    // MicrosoftDocs/azure-docs#124887) naming the setting that has to change.
    if ((server.properties?.authConfig as Record<string, string>)?.activeDirectoryAuth !== 'Enabled') {
      throw invalidParameter('authConfig.activeDirectoryAuth');
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
    // The RP validates the principal against Entra while the operation runs: an object id Graph does
    // not know fails it as captured when validation fails (MicrosoftDocs/azure-docs#121503).
    const known =
      twin.principal(objectId) !== undefined ||
      (twin.world.groups ?? []).some((g) => g.objectId.toLowerCase() === objectId.toLowerCase());
    return rp.accepted(req, twin, admin.id, async () => {
      if (!known)
        throw new AzureError(
          500,
          'InternalServerError',
          'Failed to create Azure AD Principal. Reason - 0LP01: An unexpected error occurred while trying to validate user.',
        );
      twin.store.put(admin);
      await twin.databases.postgresAdminAdded?.(twin.store.get(server.id) ?? server, {
        objectId,
        principalName: props.principalName,
        principalType,
      });
    });
  }),
  rp.route('DELETE', `${SERVER}/administrators/{objectId}`, '/administrators/delete', (req, twin) => {
    const server = rp.getServer(twin, req.params);
    const id = childId(server.id, 'administrators', req.params.objectId!);
    const admin = twin.store.get(id);
    if (!admin) return { status: 204 };
    return rp.accepted(req, twin, id, async () => {
      twin.store.delete(id);
      await twin.databases.postgresAdminRemoved?.(server, String(admin.properties?.principalName));
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

/** The provider the framework mounts (`providers/index.ts` picks `provider`). */
export const provider: Provider = {
  name: 'postgres',
  routes: [
    ...serverRoutes,
    ...administratorRoutes,
    ...firewallRuleRoutes(rp, {
      validate: (name, body) => validateFlexibleFirewallRule(name, FIREWALL_NAME, body),
      writes: { style: 'long-running' },
    }),
    ...databaseRoutes(rp, {
      build: (server, name, body) =>
        database(server.id, name, body?.properties?.charset, body?.properties?.collation),
      deletable: true,
    }),
    ...configurationReadRoutes(rp, Object.keys(CONFIGURATIONS), (_twin, server, name) =>
      configuration(server, name),
    ),
    ...privateEndpointRoutes(rp),
  ],
};

function database(server: string, name: string, charset = 'UTF8', collation = 'en_US.utf8'): ArmResource {
  return {
    id: childId(server, 'databases', name),
    name,
    type: `${SERVER_TYPE}/databases`,
    properties: { charset, collation },
  };
}

/**
 * The password admin every seeded server has unless its seed says `administratorLogin: null`. ARM never
 * returns the password (the spec marks `administratorLoginPassword` write-only); the twin's real
 * PostgreSQL has the role with this password, so a test can log in as the owner of the databases.
 */
export const PG_PASSWORD_ADMIN = { login: 'pgadmin', password: 'Twin-Owner-Pw-1' } as const;

/** Options of `seedPostgresServer` (a VNet-integrated server's DNS zone defaults to `<name>.private.postgres.database.azure.com`). */
export interface PostgresSeed extends FlexibleServerSeed {
  entraAuth?: boolean;
  passwordAuth?: boolean;
  /**
   * The password admin (`administratorLogin`), `pgadmin` by default; null for a server created with
   * Microsoft Entra authentication only, which has none (its ARM databases then belong to azuresu).
   */
  administratorLogin?: string | null;
  admins?: {
    objectId: string;
    principalName: string;
    principalType?: 'User' | 'Group' | 'ServicePrincipal' | 'Unknown';
  }[];
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
  const id = seededServerId(SERVER_TYPE, opts);
  const entra = opts.entraAuth ?? false;
  const network = seededFlexibleNetwork(opts, 'privateDnsZoneArmResourceId', 'postgres');
  const endpoints = seededEndpoints(opts.privateEndpoint);
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
            // The same state the endpoint's side shows (providers/network.ts).
            privateLinkServiceConnectionState: connectionState(endpoint.status ?? 'Approved'),
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
      ...(opts.administratorLogin === null
        ? {}
        : { administratorLogin: opts.administratorLogin ?? PG_PASSWORD_ADMIN.login }),
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
    twin.store.put(firewallRule(SERVER_TYPE, id, rule.name, rule.startIpAddress, rule.endIpAddress));
  for (const name of ['postgres', ...(opts.databases ?? [])]) twin.store.put(database(id, name));
  return server;
}
