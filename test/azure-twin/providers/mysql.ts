/**
 * `Microsoft.DBforMySQL/flexibleServers`: servers (get, list, PATCH incl. the user-assigned identity),
 * the single Microsoft Entra administrator `administrators/ActiveDirectory`, firewall rules, databases,
 * configurations (`aad_auth_only`...) and private endpoint connections.
 *
 * @azure/arm-mysql-flexible 3.1.0 sends api-version 2021-05-01 for every operation group it has (it has
 * no administrators and no server identity); the tool calls those with 2023-12-30. The twin answers the
 * 2023-12-30 shapes (a superset) for every accepted version; administrators exist from 2021-12-01-preview.
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
import { requireIdentityAssign } from '../framework/linked-access.ts';
import {
  childId,
  type FlexibleServerSeed,
  invalidParameter,
  listAnswer,
  mergePatch,
  seededEndpoints,
  seededFlexibleNetwork,
  seededServerId,
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
} from './database-routes.ts';
import { connectionState } from './network.ts';
import { holdState, MYSQL_GATE } from './server-state.ts';
import { checkIdentityKeys } from './source-apps.ts';

/** 2021-05-01 is what the installed SDK sends; 2023-12-30 is what the Azure CLI uses. */
export const MYSQL_API_VERSIONS = [
  '2021-05-01',
  '2021-12-01-preview',
  '2022-01-01',
  '2022-09-30-preview',
  '2023-06-30',
  '2023-12-30',
] as const;
/** The administrators resource type appeared in 2021-12-01-preview. */
const ADMIN_ROUTE = {
  versions: {
    type: 'flexibleServers/administrators',
    accepted: MYSQL_API_VERSIONS.filter((v) => v !== '2021-05-01'),
  },
};
const FIREWALL_NAME = /^[a-zA-Z0-9][-_a-zA-Z0-9]{0,79}$/;
const rp = serverRp({
  namespace: 'Microsoft.DBforMySQL',
  type: 'flexibleServers',
  apiVersions: MYSQL_API_VERSIONS,
  gate: MYSQL_GATE,
  statusSegment: 'azureAsyncOperation',
});
const SERVER_TYPE = rp.serverType;
const SERVER = rp.server;

const CONFIGURATIONS: ParameterCatalogue = {
  aad_auth_only: {
    value: 'OFF',
    description:
      'Enable or disable Microsoft Entra authentication only mode (ON disables MySQL password logins).',
    dataType: 'Enumeration',
    allowedValues: 'ON,OFF',
  },
  aad_auth_validate_oids_in_tenant: {
    value: 'ON',
    description: 'Validate that object ids of Microsoft Entra principals belong to the server tenant.',
    dataType: 'Enumeration',
    allowedValues: 'ON,OFF',
  },
  require_secure_transport: {
    value: 'ON',
    description:
      'Whether client connections to the server are required to use some form of secure transport.',
    dataType: 'Enumeration',
    allowedValues: 'ON,OFF',
  },
  tls_version: {
    value: 'TLSv1.2,TLSv1.3',
    description: 'Which protocols the server permits for encrypted connections.',
    dataType: 'Set',
    allowedValues: 'TLSv1.2,TLSv1.3',
  },
  event_scheduler: {
    value: 'OFF',
    description: 'Indicates the status of the Event Scheduler.',
    dataType: 'Enumeration',
    allowedValues: 'ON,OFF',
  },
};

/** `identity` as the RP returns it: each UAMI with its principal and client ids. */
function identityBody(twin: { world: World }, uamiIds: string[]): Record<string, unknown> {
  const userAssignedIdentities: Record<string, unknown> = {};
  for (const id of uamiIds) {
    const principal = twin.world.principals.find((p) => p.alternativeId?.toLowerCase() === id.toLowerCase());
    userAssignedIdentities[id] = {
      principalId: principal?.objectId ?? '',
      clientId: principal?.appId ?? '',
      tenantId: twin.world.tenantId,
    };
  }
  return {
    type: 'UserAssigned',
    userAssignedIdentities,
    principalId: '00000000-0000-0000-0000-000000000000',
    tenantId: '00000000-0000-0000-0000-000000000000',
  };
}

function serverIdentityIds(server: ArmResource): string[] {
  const map = (server.identity?.userAssignedIdentities ?? {}) as Record<string, unknown>;
  return Object.keys(map);
}

const serverRoutes = [
  ...serverReadRoutes(rp),
  rp.route(
    'PATCH',
    SERVER,
    '/write',
    (req, twin) => {
      const server = rp.getServer(twin, req.params);
      const patch = (req.body ?? {}) as Record<string, any>;
      let identity: Record<string, unknown> | undefined;
      // Removing every identity takes `type: None` (Azure/azure-cli#24042).
      const removeIdentity = String(patch.identity?.type).toLowerCase() === 'none';
      if (removeIdentity) {
        if (twin.store.get(childId(server.id, 'administrators', 'ActiveDirectory')))
          throw invalidParameter('identity.type');
      } else if (patch.identity !== undefined) {
        checkIdentityKeys(patch.identity);
        // MySQL flexible server 2023-12-30 knows one type, `UserAssigned` (its spec's enum), in any case.
        if (String(patch.identity?.type).toLowerCase() !== 'userassigned')
          throw invalidParameter('identity.type');
        requireIdentityAssign(
          twin.world,
          req.caller,
          `${SERVER_TYPE}/write`,
          server.id,
          patch.identity as { userAssignedIdentities?: Record<string, unknown> },
        );
        const wanted = Object.keys(patch.identity.userAssignedIdentities ?? {});
        for (const id of wanted) {
          if (!twin.world.principals.some((p) => p.alternativeId?.toLowerCase() === id.toLowerCase())) {
            throw new AzureError(
              400,
              'InvalidParameterValue',
              `Invalid value given for parameter userAssignedIdentities. The identity '${id}' was not found.`,
            );
          }
        }
        // The Entra admin signs in to Graph as its identity: what Azure does when that identity is
        // removed is not documented; the twin refuses it in the RP's validation template (the same
        // rule that makes an admin PUT name an attached identity) rather than break Entra logins.
        const adminIdentity = twin.store.get(childId(server.id, 'administrators', 'ActiveDirectory'))
          ?.properties?.identityResourceId as string | undefined;
        const removed = Object.entries(patch.identity.userAssignedIdentities ?? {})
          .filter(([, value]) => value === null)
          .map(([id]) => id.toLowerCase());
        if (adminIdentity && removed.includes(adminIdentity.toLowerCase()))
          throw invalidParameter('identity.userAssignedIdentities');
        // ARM PATCH semantics for the map: listed ids are added, ids mapped to null are removed.
        const kept = serverIdentityIds(server).filter(
          (id) =>
            !(
              id in patch.identity.userAssignedIdentities &&
              patch.identity.userAssignedIdentities[id] === null
            ),
        );
        const added = wanted.filter(
          (id) =>
            patch.identity.userAssignedIdentities[id] !== null &&
            !kept.some((k) => k.toLowerCase() === id.toLowerCase()),
        );
        identity = identityBody(twin, [...kept, ...added]);
      }
      const publicAccess = patch.properties?.network?.publicNetworkAccess;
      if (publicAccess !== undefined && publicAccess !== 'Enabled' && publicAccess !== 'Disabled')
        throw invalidParameter('publicNetworkAccess');
      const settle = holdState(twin.store, server, 'Updating');
      return rp.accepted(
        req,
        twin,
        server.id,
        () => {
          const next = structuredClone(twin.store.get(server.id) ?? server) as ArmResource;
          if (patch.properties) {
            const { administratorLoginPassword: _secret, ...rest } = patch.properties;
            mergePatch(next.properties as Record<string, unknown>, rest);
          }
          if (patch.sku) next.sku = { ...next.sku, ...patch.sku };
          if (patch.tags) next.tags = patch.tags;
          if (identity) next.identity = identity;
          if (removeIdentity) delete next.identity;
          next.properties!.state = 'Ready';
          twin.store.put(next);
        },
        settle,
      );
    },
    { parents: rp.rgOnly },
  ),
  ...startStopRoutes(rp, {}),
];

const ADMIN = `${SERVER}/administrators/{administratorName}`;

/** True when `sid` is the object id of a user, group or service principal of the tenant. */
function knownSid(twin: TwinContext, sid: string): boolean {
  const wanted = sid.toLowerCase();
  return (
    twin.world.principals.some((p) => p.objectId.toLowerCase() === wanted) ||
    (twin.world.groups ?? []).some((g) => g.objectId.toLowerCase() === wanted)
  );
}

function checkAdminName(name: string): void {
  if (name.toLowerCase() !== 'activedirectory') throw invalidParameter('administratorName');
}

const administratorRoutes: RouteSpec[] = [
  rp.route(
    'GET',
    `${SERVER}/administrators`,
    '/administrators/read',
    (req, twin) =>
      listAnswer(req, twin.store.children(rp.ids(req.params).server, `${SERVER_TYPE}/administrators`)),
    ADMIN_ROUTE,
  ),
  rp.route(
    'GET',
    ADMIN,
    '/administrators/read',
    (req, twin) => {
      checkAdminName(req.params.administratorName!);
      const admin = twin.store.get(childId(rp.ids(req.params).server, 'administrators', 'ActiveDirectory'));
      if (!admin) throw rp.childNotFound(req.params, 'administrators', 'ActiveDirectory');
      return { status: 200, body: admin };
    },
    ADMIN_ROUTE,
  ),
  rp.route(
    'PUT',
    ADMIN,
    '/administrators/write',
    (req, twin) => {
      checkAdminName(req.params.administratorName!);
      const server = rp.getServer(twin, req.params);
      const props = req.body?.properties ?? {};
      if (props.administratorType !== 'ActiveDirectory') throw invalidParameter('administratorType');
      if (typeof props.login !== 'string' || props.login === '') throw invalidParameter('login');
      if (typeof props.sid !== 'string' || props.sid === '') throw invalidParameter('sid');
      // The server resolves its admin in Entra (as its identity does at every sign-in): a sid that
      // names no user, group or service principal of the tenant is refused at the PUT. Azure's answer
      // is not captured publicly; the RP's own validation template is used (see SOURCES.md).
      if (!knownSid(twin, props.sid)) throw invalidParameter('sid');
      // Entra sign-in on MySQL reads Graph as the server's user-assigned identity: it must be attached.
      const identityId = props.identityResourceId;
      if (
        typeof identityId !== 'string' ||
        !serverIdentityIds(server).some((id) => id.toLowerCase() === identityId.toLowerCase())
      ) {
        throw invalidParameter('identityResourceId');
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
          identityResourceId: identityId,
        },
      };
      const previous = twin.store.get(admin.id);
      return rp.accepted(req, twin, admin.id, async () => {
        twin.store.put(admin);
        const current = twin.store.get(server.id) ?? server;
        if (previous && previous.properties?.login !== props.login)
          await twin.databases.mysqlAdminRemoved?.(current, String(previous.properties?.login));
        await twin.databases.mysqlAdminSet?.(current, { login: props.login, sid: props.sid });
      });
    },
    ADMIN_ROUTE,
  ),
  rp.route(
    'DELETE',
    ADMIN,
    '/administrators/delete',
    (req, twin) => {
      checkAdminName(req.params.administratorName!);
      const server = rp.getServer(twin, req.params);
      const id = childId(server.id, 'administrators', 'ActiveDirectory');
      const admin = twin.store.get(id);
      if (!admin) return { status: 204 };
      return rp.accepted(req, twin, id, async () => {
        twin.store.delete(id);
        await twin.databases.mysqlAdminRemoved?.(server, String(admin.properties?.login));
      });
    },
    ADMIN_ROUTE,
  ),
];

function database(
  server: string,
  name: string,
  charset = 'utf8mb4',
  collation = 'utf8mb4_0900_ai_ci',
): ArmResource {
  return {
    id: childId(server, 'databases', name),
    name,
    type: `${SERVER_TYPE}/databases`,
    properties: { charset, collation },
  };
}

/** Current value of a server parameter: a stored override or the catalogue default. */
function configuration(
  twin: { store: TwinContext['store'] },
  server: ArmResource,
  name: string,
): ArmResource | undefined {
  const known = Object.entries(CONFIGURATIONS).find(([key]) => key.toLowerCase() === name.toLowerCase());
  if (!known) return undefined;
  const [key, info] = known;
  const override = twin.store.get(childId(server.id, 'configurations', key));
  const value = (override?.properties?.value as string | undefined) ?? info.value;
  return {
    id: childId(server.id, 'configurations', key),
    name: key,
    type: `${SERVER_TYPE}/configurations`,
    properties: {
      value,
      description: info.description,
      defaultValue: info.value,
      dataType: info.dataType,
      allowedValues: info.allowedValues,
      source: override ? 'user-override' : 'system-default',
      isConfigPendingRestart: 'False',
      isDynamicConfig: 'True',
      isReadOnly: 'False',
    },
  };
}

function setConfiguration(req: TwinRequest, twin: TwinContext) {
  const server = rp.getServer(twin, req.params);
  const current = configuration(twin, server, req.params.configurationName!);
  if (!current) throw rp.childNotFound(req.params, 'configurations', req.params.configurationName!);
  const value = req.body?.properties?.value;
  const allowed = String(current.properties!.allowedValues).split(',');
  if (
    typeof value !== 'string' ||
    (current.properties!.dataType === 'Enumeration' && !allowed.includes(value.toUpperCase()))
  ) {
    throw invalidParameter('value');
  }
  if (
    current.name === 'aad_auth_only' &&
    value.toUpperCase() === 'ON' &&
    !twin.store.get(childId(server.id, 'administrators', 'ActiveDirectory'))
  ) {
    throw new AzureError(
      400,
      'InvalidParameterValue',
      'Invalid value given for parameter aad_auth_only. A Microsoft Entra administrator must be set before enabling Microsoft Entra authentication only.',
    );
  }
  const stored: ArmResource = {
    id: current.id,
    name: current.name,
    type: current.type,
    properties: { value: current.properties!.dataType === 'Enumeration' ? value.toUpperCase() : value },
  };
  return rp.accepted(req, twin, current.id, () => {
    twin.store.put(stored);
  });
}

const configurationRoutes = [
  ...configurationReadRoutes(rp, Object.keys(CONFIGURATIONS), configuration),
  rp.route('PUT', `${SERVER}/configurations/{configurationName}`, '/configurations/write', setConfiguration),
  rp.route(
    'PATCH',
    `${SERVER}/configurations/{configurationName}`,
    '/configurations/write',
    setConfiguration,
  ),
];

/** The provider the framework mounts (`providers/index.ts` picks `provider`). */
export const provider: Provider = {
  name: 'mysql',
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
    ...configurationRoutes,
    ...privateEndpointRoutes(rp),
  ],
};

/** Options of `seedMysqlServer` (a VNet-integrated server's DNS zone defaults to `<name>.private.mysql.database.azure.com`). */
export interface MysqlSeed extends FlexibleServerSeed {
  /** UAMI resource ids attached to the server (register the principals in the world first). */
  identities?: string[];
  /** The Entra admin; `identityResourceId` defaults to the first attached identity. */
  admin?: { login: string; sid: string; identityResourceId?: string };
  /** `aad_auth_only` = ON. */
  entraOnly?: boolean;
}

/** Puts a MySQL flexible server (identity, admin, rules, databases) into the store in the GET shapes. */
export function seedMysqlServer(
  twin: { store: TwinContext['store']; world: World },
  opts: MysqlSeed,
): ArmResource {
  const id = seededServerId(SERVER_TYPE, opts);
  const network = seededFlexibleNetwork(opts, 'privateDnsZoneResourceId', 'mysql');
  const endpoints = seededEndpoints(opts.privateEndpoint);
  const server: ArmResource = {
    id,
    name: opts.name,
    type: SERVER_TYPE,
    location: opts.location ?? 'eastus',
    tags: opts.tags ?? {},
    sku: { name: 'Standard_B1ms', tier: 'Burstable' },
    systemData: { createdAt: '2026-01-05T09:30:00.0000000Z' },
    ...(opts.identities?.length ? { identity: identityBody(twin, opts.identities) } : {}),
    properties: {
      administratorLogin: 'mysqladmin',
      storage: {
        storageSizeGB: 32,
        iops: 396,
        autoGrow: 'Enabled',
        autoIoScaling: 'Enabled',
        storageSku: 'Premium_LRS',
      },
      version: '8.0.21',
      state: opts.state ?? 'Ready',
      fullyQualifiedDomainName: `${opts.name}.mysql.twin.test`,
      availabilityZone: '1',
      maintenanceWindow: { customWindow: 'Disabled', dayOfWeek: 0, startHour: 0, startMinute: 0 },
      replicationRole: 'None',
      replicaCapacity: 10,
      network,
      privateEndpointConnections: endpoints.map((endpoint, index) => {
        const name = `${endpoint.id.split('/').pop()}.${index}`;
        return {
          id: `${id}/privateEndpointConnections/${name}`,
          name,
          type: `${SERVER_TYPE}/privateEndpointConnections`,
          properties: {
            groupIds: ['mysqlServer'],
            privateEndpoint: { id: endpoint.id },
            // The same state the endpoint's side shows (providers/network.ts).
            privateLinkServiceConnectionState: connectionState(endpoint.status ?? 'Approved'),
            provisioningState: 'Succeeded',
          },
        };
      }),
      backup: {
        backupRetentionDays: 7,
        backupIntervalHours: 24,
        geoRedundantBackup: 'Disabled',
        earliestRestoreDate: '2026-01-05T09:35:00.0000000+00:00',
      },
      highAvailability: { mode: 'Disabled', state: 'NotEnabled' },
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
        identityResourceId: opts.admin.identityResourceId ?? opts.identities?.[0] ?? '',
      },
    });
  }
  if (opts.entraOnly) {
    twin.store.put({
      id: childId(id, 'configurations', 'aad_auth_only'),
      name: 'aad_auth_only',
      type: `${SERVER_TYPE}/configurations`,
      properties: { value: 'ON' },
    });
  }
  for (const rule of opts.firewallRules ?? [])
    twin.store.put(firewallRule(SERVER_TYPE, id, rule.name, rule.startIpAddress, rule.endIpAddress));
  for (const name of opts.databases ?? []) twin.store.put(database(id, name));
  return server;
}
