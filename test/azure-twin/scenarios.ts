/**
 * Named scenarios: each seeds a whole world — tenant contoso.twin.test, Dana signed in, subscription
 * "Contoso Dev", resource group rg-orders with PostgreSQL pg-orders (database orders), MySQL
 * mysql-orders, SQL sql-orders (database orders), web app orders-api, container app orders-worker,
 * Spring app orders-spring, the identity id-orders, and role assignments — then changes the one thing
 * the scenario is about. Resources are created through the providers' own `seed*` helpers so they have
 * exactly the shapes the GET routes return. The network scenarios stand on the virtual networks,
 * private endpoint and private DNS zones of scenario-network.ts.
 */
import type { Principal, ResourceStore, World } from './api.ts';
import { baseWorld, GRAPH_APP_ID, IDS } from './framework/world.ts';
import { type ContainerAppSeed, seedContainerApp } from './providers/containerapps.ts';
import { GRAPH_APP_ROLES } from './providers/graph.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { type MysqlSeed, seedMysqlServer } from './providers/mysql.ts';
import { type PostgresSeed, seedPostgresServer } from './providers/postgres.ts';
import { seedSpringApp } from './providers/spring.ts';
import { type SqlSeed, seedSqlServer } from './providers/sql.ts';
import { seedWebApp, type WebAppSeed } from './providers/web.ts';
import {
  NETWORK_IDS,
  seedAppsVnet,
  seedIntegratedServerZones,
  seedOrdersVnet,
  seedPostgresPrivateLink,
} from './scenario-network.ts';
import { armScenarios } from './scenarios-arm.ts';
import { identityScenarios } from './scenarios-identity.ts';

/** What a scenario seeds into (fits the providers' `SeedTarget`). */
export interface ScenarioTarget {
  world: World;
  store: ResourceStore;
  addPrincipal(principal: Principal): Principal;
}

export type Scenario = (target: ScenarioTarget) => void;

/** Names and ids scenarios use, for tests that need them. */
export const NAMES = {
  resourceGroup: 'rg-orders',
  postgres: 'pg-orders',
  mysql: 'mysql-orders',
  sql: 'sql-orders',
  database: 'orders',
  webApp: 'orders-api',
  containerApp: 'orders-worker',
  springService: 'spring-orders',
  springApp: 'orders-spring',
  identity: 'id-orders',
} as const;

const sub = IDS.subscriptionId;
const rg = NAMES.resourceGroup;
const groupId = `/subscriptions/${sub}/resourceGroups/${rg}`;

/** ARM ids of the scenario resources. */
export const RESOURCE_IDS = {
  subscription: `/subscriptions/${sub}`,
  resourceGroup: groupId,
  postgres: `${groupId}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${NAMES.postgres}`,
  mysql: `${groupId}/providers/Microsoft.DBforMySQL/flexibleServers/${NAMES.mysql}`,
  sql: `${groupId}/providers/Microsoft.Sql/servers/${NAMES.sql}`,
  webApp: `${groupId}/providers/Microsoft.Web/sites/${NAMES.webApp}`,
  containerApp: `${groupId}/providers/Microsoft.App/containerApps/${NAMES.containerApp}`,
  identity: `${groupId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${NAMES.identity}`,
} as const;

const DANA_UPN = 'dana@contoso.twin.test';

/**
 * The object id orders-api's system identity had before it was switched off and on again (Entra then
 * creates a new service principal with a new object id); `pg-stale-role` maps the role to it.
 */
export const STALE_APP_OBJECT_ID = 'dead0000-0000-4000-8000-0000000001d0';

/**
 * The app's tables in `orders`, as its migrations make them: two tables, an identity column and a
 * serial (so two sequences), and a row. Created by whoever owns the database in the scenario.
 */
export const ORDERS_TABLES_SQL = [
  'CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)',
  'CREATE TABLE order_lines (id serial PRIMARY KEY, customer_id bigint REFERENCES customers (id), item text)',
  "INSERT INTO customers (name) VALUES ('Contoso')",
].join('; ');

/** Knobs the named scenarios turn; everything defaults to the healthy world. */
interface WorldShape {
  postgres?: Partial<PostgresSeed>;
  mysql?: Partial<MysqlSeed>;
  sql?: Partial<SqlSeed>;
  /** Dana's role assignments (default Owner on the subscription). */
  danaRoles?: { roleName: string; scope: string }[];
  /** Grant the MySQL identity its three Graph app roles (default true). */
  mysqlGraphRoles?: boolean;
  signedInAs?: string | null;
  azFailure?: World['azFailure'];
  /** Changes to the web app orders-api (VNet integration, identities). */
  webApp?: Partial<WebAppSeed>;
  /** Changes to the container app orders-worker (its environment's network). */
  containerApp?: Partial<ContainerAppSeed>;
  /**
   * The PostgreSQL database `orders` as its makers left it: created by `owner` (an Entra admin's own
   * `CREATE DATABASE`; the password admin through ARM otherwise), with the app's tables in it.
   */
  pgOrders?: { owner?: string; tables?: boolean };
  /**
   * A PostgreSQL role named after the web app (as pgaadauth names a principal) from an earlier setup by
   * Dana: mapped to the app's current system identity, or to the one it had before (`stale`).
   */
  pgAppRole?: 'current' | 'stale';
}

function seedWorld(target: ScenarioTarget, shape: WorldShape = {}): void {
  const { world } = target;
  world.signedInAs = shape.signedInAs === undefined ? IDS.dana : shape.signedInAs;
  world.azFailure = shape.azFailure ?? null;
  world.roleAssignments = (shape.danaRoles ?? [{ roleName: 'Owner', scope: RESOURCE_IDS.subscription }]).map(
    (role) => ({
      principalId: IDS.dana,
      ...role,
    }),
  );

  seedUserAssignedIdentity(target, { subscriptionId: sub, resourceGroup: rg, name: NAMES.identity });
  const uami = world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.identity.toLowerCase(),
  );

  seedPostgresServer(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: NAMES.postgres,
    entraAuth: true,
    passwordAuth: true,
    admins: [{ objectId: IDS.dana, principalName: DANA_UPN, principalType: 'User' }],
    firewallRules: [
      {
        name: 'AllowAllAzureServicesAndResourcesWithinAzureIps',
        startIpAddress: '0.0.0.0',
        endIpAddress: '0.0.0.0',
      },
      { name: 'dana-laptop', startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' },
    ],
    databases: [NAMES.database],
    ...shape.postgres,
  });
  seedMysqlServer(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: NAMES.mysql,
    identities: [RESOURCE_IDS.identity],
    admin: { login: DANA_UPN, sid: IDS.dana, identityResourceId: RESOURCE_IDS.identity },
    firewallRules: [{ name: 'dana-laptop', startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' }],
    databases: [NAMES.database],
    ...shape.mysql,
  });
  if (uami && shape.mysqlGraphRoles !== false) {
    for (const role of GRAPH_APP_ROLES) {
      world.appRoleAssignments.push({
        id: `${role.id.slice(0, 8)}-grant-${uami.objectId.slice(0, 8)}`,
        principalId: uami.objectId,
        resourceId: IDS.graphServicePrincipal,
        appRoleId: role.id,
      });
    }
  }
  seedSqlServer(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: NAMES.sql,
    admin: { login: DANA_UPN, sid: IDS.dana },
    firewallRules: [{ name: 'dana-laptop', startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' }],
    databases: [NAMES.database],
    ...shape.sql,
  });
  seedWebApp(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: NAMES.webApp,
    systemIdentity: true,
    userIdentities: [RESOURCE_IDS.identity],
    ...shape.webApp,
  });
  const app = world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  );
  if (app && shape.pgAppRole) {
    world.postgresRoles = [
      {
        serverId: RESOURCE_IDS.postgres,
        roleName: NAMES.webApp,
        objectId: shape.pgAppRole === 'current' ? app.objectId : STALE_APP_OBJECT_ID,
        objectType: 'service',
        createdBy: DANA_UPN,
        database: NAMES.database,
      },
    ];
  }
  if (shape.pgOrders) {
    world.postgresDatabases = [
      {
        serverId: RESOURCE_IDS.postgres,
        name: NAMES.database,
        ...(shape.pgOrders.owner ? { owner: shape.pgOrders.owner } : {}),
        ...(shape.pgOrders.tables ? { sqlAsOwner: ORDERS_TABLES_SQL } : {}),
      },
    ];
  }
  seedContainerApp(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: NAMES.containerApp,
    systemIdentity: true,
    ...shape.containerApp,
  });
  seedSpringApp(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    serviceName: NAMES.springService,
    name: NAMES.springApp,
    systemIdentity: true,
  });
}

/** Both apps integrated into a subnet pair (`apps` for the web app, `aca` for the Container Apps environment). */
const appsIn = (web: string, containerApps: string): WorldShape => ({
  webApp: { virtualNetworkSubnetId: web },
  containerApp: { environment: { infrastructureSubnetId: containerApps } },
});
const appsInOrdersVnet = appsIn(NETWORK_IDS.subnets.apps, NETWORK_IDS.subnets.containerApps);

/** PostgreSQL and MySQL injected into vnet-orders, with their private DNS zones linked to it. */
function vnetInjected(t: ScenarioTarget, apps: WorldShape): void {
  seedOrdersVnet(t);
  seedIntegratedServerZones(t);
  seedWorld(t, {
    postgres: {
      delegatedSubnet: NETWORK_IDS.subnets.postgres,
      privateDnsZone: NETWORK_IDS.postgresZone,
      firewallRules: [],
    },
    mysql: {
      delegatedSubnet: NETWORK_IDS.subnets.mysql,
      privateDnsZone: NETWORK_IDS.mysqlZone,
      firewallRules: [],
    },
    ...apps,
  });
}

/**
 * PostgreSQL with public access off behind the private endpoint pe-orders (connection `status` on both
 * sides), its privatelink zone linked to vnet-orders only, the apps integrated as `apps` says.
 */
function behindPrivateEndpoint(
  t: ScenarioTarget,
  status: 'Approved' | 'Pending' | 'Rejected',
  apps: WorldShape,
): void {
  seedOrdersVnet(t);
  seedWorld(t, {
    postgres: {
      publicNetworkAccess: 'Disabled',
      privateEndpoint: [{ id: NETWORK_IDS.privateEndpoint, status }],
      firewallRules: [],
    },
    ...apps,
  });
  seedPostgresPrivateLink(t, status, RESOURCE_IDS.postgres, [NETWORK_IDS.ordersVnet]);
}

/** The principal that is PostgreSQL's only Entra admin in `pg-caller-not-admin`. */
export const OTHER_ADMIN = {
  objectId: '0d1e2f30-4a5b-4c6d-8e7f-da0a00000002',
  userPrincipalName: 'avery@contoso.twin.test',
  displayName: 'Avery Admin',
} as const;

export const scenarios: Record<string, Scenario> = {
  /** Everything set up: Entra on with Dana as admin everywhere, open firewall for 127.0.0.1, Owner. */
  healthy: (t) => seedWorld(t),
  /** PostgreSQL with Entra authentication switched off (password only). */
  'entra-off': (t) => seedWorld(t, { postgres: { entraAuth: false, admins: [] } }),
  /** Entra on but no Entra admin on any server. */
  'no-admin': (t) =>
    seedWorld(t, { postgres: { admins: [] }, mysql: { admin: undefined }, sql: { admin: undefined } }),
  /** PostgreSQL and MySQL VNet-integrated into vnet-orders (private access, zones linked), both apps integrated there too. */
  'vnet-private': (t) => vnetInjected(t, appsInOrdersVnet),
  /** PostgreSQL reachable only through the Approved private endpoint pe-orders in vnet-orders, where the apps are integrated. */
  'private-endpoint': (t) => behindPrivateEndpoint(t, 'Approved', appsInOrdersVnet),
  /** Public access on but no firewall rule lets anyone in. */
  'firewall-closed': (t) =>
    seedWorld(t, {
      postgres: { firewallRules: [] },
      mysql: { firewallRules: [] },
      sql: { firewallRules: [] },
    }),
  /** The PostgreSQL server is stopped. */
  'stopped-server': (t) => seedWorld(t, { postgres: { state: 'Stopped' } }),
  /** Dana can manage the web app (Website Contributor on the group) but has no role on the databases. */
  'missing-rbac': (t) =>
    seedWorld(t, { danaRoles: [{ roleName: 'Website Contributor', scope: RESOURCE_IDS.resourceGroup }] }),
  /** Dana is Reader on the subscription: can look, cannot change. */
  'reader-only': (t) =>
    seedWorld(t, { danaRoles: [{ roleName: 'Reader', scope: RESOURCE_IDS.subscription }] }),
  /** The MySQL server's identity lacks the Graph app roles (User.Read.All, GroupMember.Read.All, Application.Read.All). */
  'mysql-identity-without-graph-roles': (t) => seedWorld(t, { mysqlGraphRoles: false }),
  /** Azure SQL with Microsoft Entra-only authentication. */
  'sql-entra-only': (t) => seedWorld(t, { sql: { entraOnly: true } }),
  /** The Azure CLI has no account. */
  'not-signed-in': (t) => seedWorld(t, { signedInAs: null, azFailure: 'not-signed-in' }),
  /** Conditional Access: the device must be managed (AADSTS530003). */
  aadsts530003: (t) => seedWorld(t, { azFailure: 'aadsts530003' }),
  /** MFA required (AADSTS50076). */
  'mfa-required': (t) => seedWorld(t, { azFailure: 'aadsts50076' }),
  /** Refresh token expired from inactivity (AADSTS700082). */
  'token-expired': (t) => seedWorld(t, { azFailure: 'aadsts700082' }),
  /** The Azure CLI never answers. */
  'az-hangs': (t) => seedWorld(t, { azFailure: 'hang' }),
  /** orders-api's system identity already has its PostgreSQL role `orders-api` (ALL on orders), correctly mapped. */
  'pg-role-exists': (t) => seedWorld(t, { pgAppRole: 'current' }),
  /** A role `orders-api` exists but maps to the identity's old object id (the system identity was re-created). */
  'pg-stale-role': (t) => seedWorld(t, { pgAppRole: 'stale' }),
  /**
   * The app's tables already exist in `orders`, made by its migrations as the password admin pgadmin,
   * which owns the database (created through ARM): an Entra admin can grant on none of it.
   */
  'pg-owner-tables': (t) => seedWorld(t, { pgOrders: { tables: true } }),
  /** Dana, an Entra admin, created `orders` herself (CREATE DATABASE) and its tables: she can grant on it. */
  'pg-entra-owned-db': (t) => seedWorld(t, { pgOrders: { owner: DANA_UPN, tables: true } }),
  /**
   * PostgreSQL created with Microsoft Entra authentication only: no password admin, so `orders` (made
   * through ARM) belongs to azuresu, as whom nobody can log in.
   */
  'pg-no-password-admin': (t) =>
    seedWorld(t, { postgres: { administratorLogin: null, passwordAuth: false } }),
  /** Only tenant, Dana, subscription and rg-orders: no resources. */
  empty: () => {},

  // Doctor scenarios of the network, Entra and identity checks.
  /** As private-endpoint, but the connection awaits approval (Pending on the endpoint and on the server). */
  'pe-pending': (t) => behindPrivateEndpoint(t, 'Pending', appsInOrdersVnet),
  /** As private-endpoint, but the server's owner rejected the connection (Rejected on both sides). */
  'pe-rejected': (t) => behindPrivateEndpoint(t, 'Rejected', appsInOrdersVnet),
  /** PostgreSQL and MySQL VNet-injected into vnet-orders; neither the web app nor the container app is VNet-integrated. */
  'vnet-app-not-integrated': (t) => vnetInjected(t, {}),
  /** Approved private endpoint, but its privatelink zone is linked only to vnet-orders while the apps live in vnet-apps. */
  'dns-zone-unlinked': (t) => {
    seedAppsVnet(t);
    behindPrivateEndpoint(
      t,
      'Approved',
      appsIn(NETWORK_IDS.subnets.appsVnetApps, NETWORK_IDS.subnets.appsVnetContainerApps),
    );
  },
  /** PostgreSQL with Entra on whose only Entra admin is Avery Admin, not Dana. */
  'pg-caller-not-admin': (t) => {
    t.addPrincipal({
      objectId: OTHER_ADMIN.objectId,
      tenantId: t.world.tenantId,
      kind: 'user',
      displayName: OTHER_ADMIN.displayName,
      userPrincipalName: OTHER_ADMIN.userPrincipalName,
      userType: 'Member',
    });
    seedWorld(t, {
      postgres: {
        admins: [
          {
            objectId: OTHER_ADMIN.objectId,
            principalName: OTHER_ADMIN.userPrincipalName,
            principalType: 'User',
          },
        ],
      },
    });
  },
  /** MySQL without a user-assigned identity on the server, and so without an Entra admin. */
  'mysql-no-identity': (t) => seedWorld(t, { mysql: { identities: [], admin: undefined } }),
  /** The web app orders-api has only the user-assigned identity id-orders; its system identity is off. */
  'app-user-identity-only': (t) =>
    seedWorld(t, { webApp: { systemIdentity: false, userIdentities: [RESOURCE_IDS.identity] } }),
  /** Admins, auth modes, app identity, Dana's roles, provider registration: see scenarios-arm.ts. */
  ...armScenarios(seedWorld),
  /** Guests, group admins and a service-principal operator: see scenarios-identity.ts. */
  ...identityScenarios(seedWorld),
};

/**
 * Scenarios generated on demand, loaded only when a twin asks for one (their modules are large and
 * seeding them takes a while): `fleet`, a platform team's estate for `sc-doctor audit` (fleet.ts).
 */
export const lazyScenarios: Record<string, () => Promise<Scenario>> = {
  /** A platform team's estate for sc-doctor audit: five subscriptions, 2,000 apps, 300 servers, healthy and broken pairs (FLEET.md). */
  fleet: async () => (await import('./fleet.ts')).fleetScenario,
  /** fleet at 10,000 apps and 1,500 servers: the audit's memory benchmark. */
  'fleet-10k': async () => (await import('./fleet.ts')).fleet10kScenario,
};

/** The hand-written scenarios (every test that runs each scenario runs these). */
export const scenarioNames = (): string[] => Object.keys(scenarios);

/** The generated scenarios (`fleet`, `fleet-10k`): `npm run twin` starts them too. */
export const generatedScenarioNames = (): string[] => Object.keys(lazyScenarios);

/** A fresh base world (tenant, Dana, subscription, rg-orders, Graph's service principal). */
export function scenarioWorld(): World {
  return baseWorld();
}

export { GRAPH_APP_ID };
