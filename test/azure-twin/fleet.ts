/**
 * The `fleet` scenario: a platform team's estate for `sc-doctor audit`, generated (deterministically)
 * on top of the `healthy` world: four more subscriptions, 2,000 apps (web apps, container apps, Spring
 * apps), 300 database servers, and a mix of healthy and broken app → database pairs. `fleetPlan()` is
 * the ground truth: every pair the audit must find, its verdict and the checks behind it, and the apps
 * that make no pair. FLEET.md is rendered from it (fleet.test.ts keeps the two equal).
 *
 * Who looks: Dana, Owner of the healthy world's subscription, holds the custom role "Fleet Auditor"
 * (`*\/read` plus `Microsoft.Web/sites/config/list/action`: Reader and the settings list action, the
 * rights the audit asks for) on Fleet 1-3, and only Reader on Fleet 4, where web apps' settings are
 * not determinable. Fleet 1-2 and the healthy world's subscription form management group mg-platform.
 * Data-plane logins work only for the healthy world's three servers (rg-orders).
 */
import type { ArmResource, Principal } from './api.ts';
import { GRAPH_APP_ID, IDS } from './framework/world.ts';
import { seedContainerApp } from './providers/containerapps.ts';
import { GRAPH_APP_ROLES } from './providers/graph.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { type AuthKind, settingsFor, type TargetKind } from './providers/linker-settings.ts';
import { seedMysqlServer } from './providers/mysql.ts';
import { seedPostgresServer } from './providers/postgres.ts';
import { seedLinker } from './providers/servicelinker.ts';
import { seedSpringApp } from './providers/spring.ts';
import { seedSqlServer } from './providers/sql.ts';
import { seedWebApp } from './providers/web.ts';
import { NAMES, RESOURCE_IDS, type Scenario, type ScenarioTarget, scenarios } from './scenarios.ts';

export const FLEET_SUBSCRIPTIONS = [
  { subscriptionId: '3c2b1a00-5d4e-4f60-8a7b-0c0de00000f1', displayName: 'Fleet 1' },
  { subscriptionId: '3c2b1a00-5d4e-4f60-8a7b-0c0de00000f2', displayName: 'Fleet 2' },
  { subscriptionId: '3c2b1a00-5d4e-4f60-8a7b-0c0de00000f3', displayName: 'Fleet 3' },
  { subscriptionId: '3c2b1a00-5d4e-4f60-8a7b-0c0de00000f4', displayName: 'Fleet 4' },
] as const;
/** The subscription where Dana is only a Reader. */
export const READER_SUBSCRIPTION = FLEET_SUBSCRIPTIONS[3].subscriptionId;
export const MANAGEMENT_GROUP = 'mg-platform';
export const MANAGEMENT_GROUP_SUBSCRIPTIONS = [
  IDS.subscriptionId,
  FLEET_SUBSCRIPTIONS[0].subscriptionId,
  FLEET_SUBSCRIPTIONS[1].subscriptionId,
];
export const FLEET_AUDITOR_ROLE = {
  id: 'f1ee7a0d-17e2-4c3b-9a55-0a0d17000001',
  roleName: 'Fleet Auditor',
  description: 'Reader plus the right to list web app settings: what sc-doctor audit needs.',
  assignableScopes: ['/'],
  permissions: [
    {
      actions: ['*/read', 'Microsoft.Web/sites/config/list/action'],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    },
  ],
};
const GROUPS = 5;
/** How big a fleet is: `fleet` is 2,000 apps and 300 servers; the benchmark's `fleet-10k` five times that. */
export interface FleetSize {
  apps: number;
  servers: number;
}
export const FLEET_SIZE: FleetSize = { apps: 2000, servers: 300 };
export const FLEET_10K_SIZE: FleetSize = { apps: 10_000, servers: 1500 };

export type DatabaseKind = 'postgres' | 'mysql' | 'sql';
export type ServerProblem = 'entra-off' | 'public-allow-all' | 'pe-pending' | 'stopped' | 'mysql-no-graph';
export type AppProblem = 'password' | 'no-identity' | 'deleted-database' | 'no-database' | 'outside-scope';
export type Verdict = 'fail' | 'unknown' | 'warn' | 'pass';

export interface FleetServer {
  kind: DatabaseKind;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  id: string;
  problem: ServerProblem | null;
}

export interface FleetApp {
  kind: 'webapp' | 'containerapp' | 'spring';
  subscriptionId: string;
  resourceGroup: string;
  /** The app's name (a Spring app's without its service). */
  name: string;
  service: string | null;
  id: string;
  identity: 'system' | 'user' | 'none';
  /** How it names its database. */
  style: 'linker' | 'settings';
  problem: AppProblem | null;
  /** Its databases (the first is its main one; a few apps have a second, of another kind). */
  connections: { server: FleetServer; database: string }[];
}

/** One pair the audit must find. */
export interface ExpectedPair {
  app: string;
  server: string;
  database: string;
  verdict: Verdict;
  /** Ids of the checks behind the verdict, in check order. */
  causes: string[];
}

export interface ExpectedApp {
  app: string;
  status: 'undetermined' | 'outside-scope';
}

export interface FleetPlan {
  servers: FleetServer[];
  apps: FleetApp[];
  pairs: ExpectedPair[];
  appEntries: ExpectedApp[];
  /** Apps with no database connection (no pair, no entry). */
  withoutDatabase: number;
}

/** The check order of a pair (source/audit/check-pair.ts): the verdict's causes come in this order. */
const CHECK_ORDER = [
  'server',
  'entra-config',
  'app-identity',
  'app-settings',
  'password-settings',
  'linker-target',
  'public-network',
  'private-endpoints',
];

const SERVER_KINDS: DatabaseKind[] = ['postgres', 'postgres', 'mysql', 'sql'];
const ARM_TYPES: Record<DatabaseKind, string> = {
  postgres: 'Microsoft.DBforPostgreSQL/flexibleServers',
  mysql: 'Microsoft.DBforMySQL/flexibleServers',
  sql: 'Microsoft.Sql/servers',
};
const LINKER_TARGETS: Record<DatabaseKind, TargetKind> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  sql: 'sql',
};
const DOMAINS: Record<DatabaseKind, string> = {
  postgres: '.postgres.twin.test',
  mysql: '.mysql.twin.test',
  sql: '.database.twin.test',
};

const pad = (n: number, width = 4) => String(n).padStart(width, '0');
/** A well-spread hash of an index (Knuth's multiplicative), so roles do not line up with subscriptions or groups. */
const mix = (i: number) => Math.imul(i + 1, 2654435761) >>> 0;
const groupName = (g: number) => `rg-fleet-${g + 1}`;

function serverProblem(j: number, kind: DatabaseKind): ServerProblem | null {
  const r = j % 12;
  if (kind === 'postgres')
    return r === 1 ? 'entra-off' : r === 5 ? 'public-allow-all' : r === 9 ? 'pe-pending' : null;
  if (kind === 'mysql')
    return r === 2 ? 'mysql-no-graph' : r === 6 ? (j % 24 === 6 ? 'stopped' : 'pe-pending') : null;
  return r === 7 ? 'public-allow-all' : null;
}

/** What the app's role is, from a hash of its index (spreads the roles over kinds and subscriptions). */
function appProblem(i: number): AppProblem | null {
  const r = mix(i * 7 + 3) % 100;
  if (r < 5) return 'no-database';
  if (r < 11) return 'password';
  if (r < 14) return 'no-identity';
  if (r < 17) return 'deleted-database';
  if (r < 18) return 'outside-scope';
  return null;
}

/** The fleet and its ground truth; pure and deterministic (tests and the benchmark call it too). */
export function fleetPlan(size: FleetSize = FLEET_SIZE): FleetPlan {
  // 70 % web apps, 25 % container apps, 5 % Spring apps in services of ten.
  const APPS = size.apps;
  const WEB_APPS = Math.round(APPS * 0.7);
  const CONTAINER_APPS = Math.round(APPS * 0.25);
  const SPRING_SERVICES = Math.max(1, Math.round((APPS - WEB_APPS - CONTAINER_APPS) / 10));
  const servers: FleetServer[] = [];
  for (let j = 0; j < size.servers; j++) {
    const kind = SERVER_KINDS[j % 4]!;
    const subscription = FLEET_SUBSCRIPTIONS[Math.floor(j / 4) % 4]!.subscriptionId;
    const resourceGroup = groupName(Math.floor(j / 16) % GROUPS);
    const name = `${kind === 'postgres' ? 'pg' : kind}-fleet-${pad(j, 3)}`;
    servers.push({
      kind,
      subscriptionId: subscription,
      resourceGroup,
      name,
      id: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/${ARM_TYPES[kind]}/${name}`,
      problem: serverProblem(j, kind),
    });
  }
  const healthyServers = servers.filter((server) => server.problem === null);
  const healthyOf = (kind: DatabaseKind, subscriptionId: string, i: number) => {
    const matching = healthyServers.filter((s) => s.kind === kind && s.subscriptionId === subscriptionId);
    return matching[i % matching.length]!;
  };
  const serversOf = (subscriptionId: string) => servers.filter((s) => s.subscriptionId === subscriptionId);

  const apps: FleetApp[] = [];
  for (let i = 0; i < APPS; i++) {
    const kind = i < WEB_APPS ? 'webapp' : i < WEB_APPS + CONTAINER_APPS ? 'containerapp' : 'spring';
    const springIndex = i - WEB_APPS - CONTAINER_APPS;
    const serviceNumber = springIndex % SPRING_SERVICES;
    const subscriptionId =
      kind === 'spring'
        ? FLEET_SUBSCRIPTIONS[serviceNumber % 4]!.subscriptionId
        : FLEET_SUBSCRIPTIONS[i % 4]!.subscriptionId;
    const resourceGroup =
      kind === 'spring' ? groupName(serviceNumber % GROUPS) : groupName(Math.floor(i / 4) % GROUPS);
    const service = kind === 'spring' ? `asa-fleet-${pad(serviceNumber, 2)}` : null;
    const name =
      kind === 'webapp' ? `web-${pad(i)}` : kind === 'containerapp' ? `ca-${pad(i)}` : `app-${pad(i)}`;
    const problem = appProblem(i);
    const style: FleetApp['style'] =
      problem === 'deleted-database'
        ? 'linker'
        : problem !== null
          ? 'settings'
          : mix(i) % 10 < 6
            ? 'linker'
            : 'settings';
    const identity: FleetApp['identity'] =
      problem === 'no-identity' ? 'none' : i % 10 === 7 ? 'user' : 'system';
    const connections: FleetApp['connections'] = [];
    if (problem !== 'no-database' && problem !== 'outside-scope') {
      const candidates = serversOf(subscriptionId);
      const server =
        problem === null
          ? candidates[(Math.floor(i / 4) * 29 + 7) % candidates.length]!
          : healthyOf(SERVER_KINDS[Math.floor(i / 4) % 4]!, subscriptionId, Math.floor(i / 4));
      connections.push({ server, database: problem === 'deleted-database' ? 'olddb' : 'appdb' });
      // A few web apps also use a second database, of another kind (its own AZURE_<TYPE>_* settings).
      if (problem === null && kind === 'webapp' && i % 40 === 3) {
        const other: DatabaseKind = server.kind === 'sql' ? 'postgres' : 'sql';
        connections.push({ server: healthyOf(other, subscriptionId, i + 1), database: 'appdb' });
      }
    }
    apps.push({
      kind,
      subscriptionId,
      resourceGroup,
      name,
      service,
      id:
        kind === 'spring'
          ? `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.AppPlatform/Spring/${service}/apps/${name}`
          : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${kind === 'webapp' ? 'Microsoft.Web/sites' : 'Microsoft.App/containerApps'}/${name}`,
      identity,
      style,
      problem,
      connections,
    });
  }

  const pairs: ExpectedPair[] = [];
  const appEntries: ExpectedApp[] = [];
  let withoutDatabase = 0;
  for (const app of apps) {
    const settingsHidden = app.kind === 'webapp' && app.subscriptionId === READER_SUBSCRIPTION;
    if (settingsHidden && app.style === 'settings') {
      // Reader cannot list a web app's settings and there is no linker: what it uses is not determinable.
      appEntries.push({ app: app.id, status: 'undetermined' });
      continue;
    }
    if (app.problem === 'outside-scope') {
      appEntries.push({ app: app.id, status: 'outside-scope' });
      continue;
    }
    if (app.connections.length === 0) {
      withoutDatabase += 1;
      continue;
    }
    for (const connection of app.connections) {
      const failing = new Set<string>();
      const { server } = connection;
      if (app.problem === 'no-identity') failing.add('app-identity');
      if (app.problem === 'password') failing.add('password-settings');
      if (app.problem === 'deleted-database') {
        failing.add('server');
        failing.add('linker-target');
      }
      if (server.problem === 'entra-off' || server.problem === 'mysql-no-graph') failing.add('entra-config');
      if (server.problem === 'public-allow-all') failing.add('public-network');
      if (server.problem === 'pe-pending') failing.add('private-endpoints');
      if (server.problem === 'stopped') failing.add('server');
      const ordered = (ids: Set<string>) => CHECK_ORDER.filter((id) => ids.has(id));
      let verdict: Verdict;
      let causes: string[];
      if (failing.size > 0) {
        verdict = 'fail';
        causes = ordered(failing);
      } else if (settingsHidden) {
        verdict = 'unknown';
        causes = ['app-settings', 'password-settings'];
      } else {
        verdict = 'pass';
        causes = [];
      }
      pairs.push({ app: app.id, server: server.id, database: connection.database, verdict, causes });
    }
  }
  // The healthy world's own apps: two pairs whose databases answer, and a Spring app with none.
  for (const pair of ORDERS_PAIRS) pairs.push({ ...pair, verdict: 'pass', causes: [] });
  withoutDatabase += 1;
  return { servers, apps, pairs, appEntries, withoutDatabase };
}

/** The settings the app carries for one connection (what Service Connector writes, or by hand). */
function connectionSettings(
  app: FleetApp,
  connection: FleetApp['connections'][number],
  uami: { clientId: string } | undefined,
  tenantId: string,
): { name: string; value: string }[] {
  const auth: AuthKind = app.identity === 'user' ? 'userAssignedIdentity' : 'systemAssignedIdentity';
  const host = `${connection.server.name}${DOMAINS[connection.server.kind]}`;
  const clientType = app.kind === 'spring' ? 'springBoot' : 'none';
  const written =
    settingsFor(LINKER_TARGETS[connection.server.kind], clientType, auth, {
      host,
      db: connection.database,
      user: app.name,
      clientId: uami?.clientId ?? '',
      tenantId,
      secret: '',
    }) ?? [];
  const settings = written.map((setting) => ({ name: setting.key, value: setting.value }));
  if (app.problem === 'password') {
    // A connection made with a password: the secret sits in the settings (named, never shown).
    const token = LINKER_TARGETS[connection.server.kind].toUpperCase();
    settings.push({ name: `AZURE_${token}_PASSWORD`, value: `Fleet-${app.name}-Pw1` });
  }
  return settings;
}

/** Seeds the fleet on top of the healthy world. */
export const fleetScenario: Scenario = (t) => seedFleet(t, FLEET_SIZE);
/** The benchmark's estate of 10,000 apps (peak memory of an audit of that size). */
export const fleet10kScenario: Scenario = (t) => seedFleet(t, FLEET_10K_SIZE);

function seedFleet(t: ScenarioTarget, size: FleetSize): void {
  scenarios.healthy!(t);
  seedOrdersConnections(t);
  const { world } = t;
  const plan = fleetPlan(size);
  world.subscriptions.push(...FLEET_SUBSCRIPTIONS.map((s) => ({ ...s, state: 'Enabled' as const })));
  for (const s of FLEET_SUBSCRIPTIONS)
    for (let g = 0; g < GROUPS; g++)
      world.resourceGroups.push({ subscriptionId: s.subscriptionId, name: groupName(g), location: 'eastus' });
  world.customRoles = [...(world.customRoles ?? []), FLEET_AUDITOR_ROLE];
  for (const s of FLEET_SUBSCRIPTIONS)
    world.roleAssignments.push({
      principalId: IDS.dana,
      roleName: s.subscriptionId === READER_SUBSCRIPTION ? 'Reader' : FLEET_AUDITOR_ROLE.roleName,
      scope: `/subscriptions/${s.subscriptionId}`,
    });
  // Data-plane logins work for the healthy world's servers only; the fleet's answer ARM reads.
  world.dataPlaneServers = [RESOURCE_IDS.postgres, RESOURCE_IDS.mysql, RESOURCE_IDS.sql];
  world.managementGroups = [
    { name: MANAGEMENT_GROUP, displayName: 'Platform', subscriptions: [...MANAGEMENT_GROUP_SUBSCRIPTIONS] },
  ];

  const dana = {
    objectId: IDS.dana,
    principalName: 'dana@contoso.twin.test',
    principalType: 'User' as const,
  };
  const uamis = new Map<string, ArmResource>();
  const uamiOf = (subscriptionId: string, resourceGroup: string, name: string) => {
    const key = `${subscriptionId}|${resourceGroup}|${name}`;
    let found = uamis.get(key);
    if (!found) {
      found = seedUserAssignedIdentity(t, { subscriptionId, resourceGroup, name });
      uamis.set(key, found);
    }
    return found;
  };
  const principalOf = (resourceId: string): Principal | undefined =>
    world.principals.find((p) => p.alternativeId?.toLowerCase() === resourceId.toLowerCase());
  const grantGraph = (principal: Principal | undefined) => {
    if (!principal) return;
    for (const role of GRAPH_APP_ROLES)
      world.appRoleAssignments.push({
        id: `${role.id.slice(0, 8)}-grant-${principal.objectId.slice(0, 8)}`,
        principalId: principal.objectId,
        resourceId: IDS.graphServicePrincipal,
        appRoleId: role.id,
      });
  };

  for (const server of plan.servers) {
    const place = {
      subscriptionId: server.subscriptionId,
      resourceGroup: server.resourceGroup,
      name: server.name,
    };
    const rules = [
      {
        name: 'AllowAllAzureServicesAndResourcesWithinAzureIps',
        startIpAddress: '0.0.0.0',
        endIpAddress: '0.0.0.0',
      },
      ...(server.problem === 'public-allow-all'
        ? [{ name: 'allow-everyone', startIpAddress: '0.0.0.0', endIpAddress: '255.255.255.255' }]
        : [{ name: 'office', startIpAddress: '203.0.113.0', endIpAddress: '203.0.113.255' }]),
    ];
    const behindEndpoint = server.problem === 'pe-pending';
    const endpointId = `/subscriptions/${server.subscriptionId}/resourceGroups/${server.resourceGroup}/providers/Microsoft.Network/privateEndpoints/pe-${server.name}`;
    const network = behindEndpoint
      ? {
          publicNetworkAccess: 'Disabled' as const,
          privateEndpoint: [{ id: endpointId, status: 'Pending' as const }],
          firewallRules: [],
        }
      : { firewallRules: rules };
    const state = server.problem === 'stopped' ? ({ state: 'Stopped' } as const) : {};
    if (server.kind === 'postgres') {
      seedPostgresServer(t, {
        ...place,
        ...network,
        ...state,
        entraAuth: server.problem !== 'entra-off',
        passwordAuth: true,
        admins: server.problem === 'entra-off' ? [] : [dana],
        databases: ['appdb'],
      });
    } else if (server.kind === 'mysql') {
      const identity =
        server.problem === 'mysql-no-graph'
          ? uamiOf(server.subscriptionId, server.resourceGroup, `id-${server.name}`)
          : uamiOf(server.subscriptionId, server.resourceGroup, `id-mysql-${server.resourceGroup}`);
      if (
        server.problem !== 'mysql-no-graph' &&
        !world.appRoleAssignments.some((a) => a.principalId === principalOf(identity.id)?.objectId)
      )
        grantGraph(principalOf(identity.id));
      seedMysqlServer(t, {
        ...place,
        ...network,
        ...state,
        identities: [identity.id],
        admin: { login: dana.principalName, sid: dana.objectId, identityResourceId: identity.id },
        databases: ['appdb'],
      });
    } else {
      seedSqlServer(t, {
        ...place,
        ...network,
        admin: { login: dana.principalName, sid: dana.objectId },
        databases: ['appdb'],
      });
    }
    if (behindEndpoint)
      t.store.put({
        id: endpointId,
        name: `pe-${server.name}`,
        type: 'Microsoft.Network/privateEndpoints',
        location: 'eastus',
        properties: {
          provisioningState: 'Succeeded',
          privateLinkServiceConnections: [
            {
              name: `pe-${server.name}`,
              properties: {
                privateLinkServiceId: server.id,
                groupIds: [server.kind === 'postgres' ? 'postgresqlServer' : 'mysqlServer'],
                privateLinkServiceConnectionState: {
                  status: 'Pending',
                  description: 'Awaiting approval',
                  actionsRequired: 'None',
                },
              },
            },
          ],
          manualPrivateLinkServiceConnections: [],
        },
      });
  }

  for (const app of plan.apps) {
    const uami =
      app.identity === 'user'
        ? uamiOf(app.subscriptionId, app.resourceGroup, `id-apps-${app.resourceGroup}`)
        : undefined;
    const uamiPrincipal = uami ? principalOf(uami.id) : undefined;
    const settings = app.connections.flatMap((connection) =>
      connectionSettings(
        app,
        connection,
        uamiPrincipal?.appId ? { clientId: uamiPrincipal.appId } : undefined,
        world.tenantId,
      ),
    );
    if (app.problem === 'outside-scope')
      settings.push(
        { name: 'AZURE_POSTGRESQL_HOST', value: `pg-elsewhere-${app.name}.postgres.twin.test` },
        {
          name: 'AZURE_POSTGRESQL_DATABASE',
          value: 'appdb',
        },
      );
    if (app.problem === 'no-database') settings.push({ name: 'FEATURE_FLAGS', value: 'new-checkout' });
    const identity = {
      systemIdentity: app.identity === 'system',
      ...(uami ? { userIdentities: [uami.id] } : {}),
    };
    if (app.kind === 'webapp') {
      seedWebApp(t, {
        subscriptionId: app.subscriptionId,
        resourceGroup: app.resourceGroup,
        name: app.name,
        ...identity,
        appSettings: Object.fromEntries(settings.map((s) => [s.name, s.value])),
      });
    } else if (app.kind === 'containerapp') {
      const passwords = settings.filter((s) => /PASSWORD$/.test(s.name));
      seedContainerApp(t, {
        subscriptionId: app.subscriptionId,
        resourceGroup: app.resourceGroup,
        name: app.name,
        ...identity,
        containers: [{ name: app.name, env: settings.filter((s) => !passwords.includes(s)) }],
      });
      if (passwords.length > 0) {
        // A container app keeps a password as a secret the variable refers to: its value never shows.
        const stored = t.store.get(app.id)!;
        const properties = stored.properties as Record<string, any>;
        properties.configuration = {
          ...properties.configuration,
          secrets: passwords.map((s) => ({ name: 'db-password', value: s.value })),
        };
        properties.template.containers[0].env.push(
          ...passwords.map((s) => ({ name: s.name, secretRef: 'db-password' })),
        );
        t.store.put(stored);
      }
    } else {
      seedSpringApp(t, {
        subscriptionId: app.subscriptionId,
        resourceGroup: app.resourceGroup,
        serviceName: app.service!,
        name: app.name,
        ...identity,
        env: Object.fromEntries(settings.map((s) => [s.name, s.value])),
        // Blue-green, as Spring apps are deployed: `green` serves, `blue` is the idle staging one,
        // listed first and still holding a password. Only the active deployment is the app's config.
        deployment: 'green',
        inactive: { blue: { 'spring.datasource.password': 'blue-staging-only' } },
      });
    }
    if (app.style === 'linker')
      for (const [index, connection] of app.connections.entries())
        seedLinker(t, {
          sourceId: app.id,
          name:
            index === 0
              ? `${connection.server.kind}_${connection.database}`
              : `second_${connection.database}`,
          targetId: `${connection.server.id}/databases/${connection.database}`,
          authType: app.identity === 'user' ? 'userAssignedIdentity' : 'systemAssignedIdentity',
          clientType: app.kind === 'spring' ? 'springBoot' : 'none',
          ...(app.kind === 'containerapp' ? { scope: app.name } : {}),
          written: connectionSettings(
            app,
            connection,
            uamiPrincipal?.appId ? { clientId: uamiPrincipal.appId } : undefined,
            world.tenantId,
          ),
        });
  }
  void GRAPH_APP_ID;
}

/**
 * The healthy world's apps connected to its servers, the pairs whose databases really answer
 * (`--check-user`): orders-api → pg-orders/orders through a linker, its database role already made
 * (it passes); orders-worker → mysql-orders/orders through its settings only, with no user in the
 * database (it fails with --check-user).
 */
export const ORDERS_PAIRS = [
  { app: RESOURCE_IDS.webApp, server: RESOURCE_IDS.postgres, database: NAMES.database },
  { app: RESOURCE_IDS.containerApp, server: RESOURCE_IDS.mysql, database: NAMES.database },
] as const;

function seedOrdersConnections(t: ScenarioTarget): void {
  const { store, world } = t;
  const pgHost = `${NAMES.postgres}.postgres.twin.test`;
  const pgSettings = settingsFor('postgresql', 'none', 'systemAssignedIdentity', {
    host: pgHost,
    db: NAMES.database,
    user: NAMES.webApp,
    clientId: '',
    tenantId: world.tenantId,
    secret: '',
  })!.map((s) => ({ name: s.key, value: s.value }));
  const settingsDoc = store.get(`${RESOURCE_IDS.webApp}/config/appsettings`)!;
  store.put({
    ...settingsDoc,
    properties: {
      ...settingsDoc.properties,
      ...Object.fromEntries(pgSettings.map((s) => [s.name, s.value])),
    },
  });
  seedLinker(t, {
    sourceId: RESOURCE_IDS.webApp,
    name: 'postgres_orders',
    targetId: `${RESOURCE_IDS.postgres}/databases/${NAMES.database}`,
    authType: 'systemAssignedIdentity',
    written: pgSettings,
  });
  const app = world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  )!;
  world.postgresRoles = [
    {
      serverId: RESOURCE_IDS.postgres,
      roleName: NAMES.webApp,
      objectId: app.objectId,
      objectType: 'service',
      createdBy: 'dana@contoso.twin.test',
      database: NAMES.database,
    },
  ];
  const mysqlSettings = settingsFor('mysql', 'none', 'systemAssignedIdentity', {
    host: `${NAMES.mysql}.mysql.twin.test`,
    db: NAMES.database,
    user: NAMES.containerApp,
    clientId: '',
    tenantId: world.tenantId,
    secret: '',
  })!;
  const worker = store.get(RESOURCE_IDS.containerApp)!;
  const containers = (worker.properties as Record<string, any>).template.containers as { env?: unknown[] }[];
  containers[0]!.env = [
    ...(containers[0]!.env ?? []),
    ...mysqlSettings.map((s) => ({ name: s.key, value: s.value })),
  ];
  store.put(worker);
}

/** FLEET.md: the scenario's ground truth in numbers (fleet.test.ts keeps the file equal to this). */
export function renderFleetTruth(plan: FleetPlan = fleetPlan()): string {
  const tally = <T>(items: T[], keyOf: (item: T) => string) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  // Padded columns, as the repository's formatter (Biome) writes markdown tables.
  const table = (head: string[], rows: (string | number)[][]) => {
    const cells = [head, ...rows.map((row) => row.map(String))];
    const widths = head.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
    const line = (row: string[]) => `| ${row.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
    return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
  };
  const verdicts = tally(plan.pairs, (pair) => pair.verdict);
  const causes = tally(plan.pairs, (pair) => `${pair.verdict}: ${pair.causes.join(' + ') || '(all pass)'}`);
  return [
    '# The `fleet` scenario: ground truth',
    '',
    'Generated from `fleetPlan()` in `test/azure-twin/fleet.ts` by `test/azure-twin/fleet.test.ts` (the test',
    'fails when this file is stale; `UPDATE_FLEET=1` rewrites it). The end-to-end tests of `sc-doctor audit`',
    '(test/e2e/audit-*.test.ts) and `npm run bench:audit` compare the audit with this plan, pair by pair.',
    '',
    `Subscriptions: the healthy world's \`Contoso Dev\` and ${FLEET_SUBSCRIPTIONS.map((s) => `\`${s.displayName}\``).join(', ')}.`,
    `Management group \`${MANAGEMENT_GROUP}\`: Contoso Dev, Fleet 1, Fleet 2. Dana holds Owner on Contoso Dev, the custom`,
    'role Fleet Auditor (`*/read` and `Microsoft.Web/sites/config/list/action`) on Fleet 1-3, and Reader on Fleet 4.',
    '',
    `## Servers (${plan.servers.length}, plus the healthy world's 3)`,
    '',
    table(
      ['kind', 'problem', 'servers'],
      tally(plan.servers, (s) => `${s.kind} | ${s.problem ?? 'none'}`).map(([k, n]) => [
        ...k.split(' | '),
        n,
      ]),
    ),
    '',
    `## Apps (${plan.apps.length}, plus the healthy world's 3)`,
    '',
    table(
      ['kind', 'names its database through', 'problem', 'apps'],
      tally(plan.apps, (a) => `${a.kind} | ${a.style} | ${a.problem ?? 'none'}`).map(([k, n]) => [
        ...k.split(' | '),
        n,
      ]),
    ),
    '',
    `## Pairs the audit must find: ${plan.pairs.length}`,
    '',
    table(['verdict', 'pairs'], verdicts),
    '',
    table(['verdict: the checks behind it', 'pairs'], causes),
    '',
    '## Apps that make no pair',
    '',
    table(
      ['status', 'apps'],
      [
        ...tally(plan.appEntries, (entry) => entry.status),
        ['without a database connection (counted only)', plan.withoutDatabase],
      ],
    ),
    '',
    'Data-plane logins (`--check-user`) work for the healthy world’s servers only: orders-api → pg-orders/orders',
    'passes (its role exists), orders-worker → mysql-orders/orders fails `database-user` (no user).',
    '',
  ].join('\n');
}
