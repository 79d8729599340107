/**
 * The MySQL setup steps against the twin and its real MariaDB (behind the proxy that behaves like
 * Azure MySQL with Entra sign-in): facts of the server as the doctor finds them, a run through the
 * real engine, and what MariaDB holds (users and their grants) to compare before and after a run.
 */
import { connect } from 'node:net';
import mysql from 'mysql2/promise';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import type { Services } from '../../source/core/services.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import type { Confirm } from '../../source/engine/consent.ts';
import type { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup, type SetupResult } from '../../source/engine/run-setup.ts';
import { type MysqlSetupInput, mysqlSetupSteps } from '../../source/setup/mysql/index.ts';
import { IDS, type Twin } from '../azure-twin/index.ts';
import { GRAPH_APP_ROLES } from '../azure-twin/providers/graph.ts';
import { seedUserAssignedIdentity } from '../azure-twin/providers/identities.ts';
import { NAMES, OTHER_ADMIN, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { appFacts, DANA, servicesFor, tempJournal } from './postgres-helpers.ts';

export function mysqlServerFacts(twin: Twin): ServerFacts {
  const resource = twin.store.get(RESOURCE_IDS.mysql)!;
  return {
    kind: 'mysql',
    id: resource.id,
    name: resource.name,
    subscriptionId: IDS.subscriptionId,
    resourceGroup: NAMES.resourceGroup,
    location: null,
    fqdn: (resource.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName,
    port: 3306,
    state: 'Ready',
    version: null,
    publicNetworkAccess: 'Enabled',
    delegatedSubnetId: null,
    privateDnsZoneId: null,
    privateEndpoints: [],
    database: { name: NAMES.database, exists: true },
    authConfig: null,
    serverIdentities: [],
  };
}

export function mysqlInputFor(twin: Twin, overrides: Partial<MysqlSetupInput> = {}): MysqlSetupInput {
  const server = mysqlServerFacts(twin);
  const { mysql: endpoint } = twin.databaseEndpoints;
  const mapping = parseConnectTo(`${server.fqdn}:3306=${endpoint!.host}:${endpoint!.port}`);
  if (!mapping.ok) throw new Error('bad mapping');
  return {
    server,
    database: NAMES.database,
    app: appFacts(twin, 'webapp'),
    auth: { kind: 'system' },
    clientType: 'nodejs',
    connectionName: 'orders_my',
    linker: true,
    signedIn: { objectId: IDS.dana, user: DANA, type: 'user' },
    connectTo: { entries: mapping.entries, source: '--connect-to' },
    grants: 'least',
    mysqlAdmin: { login: DANA, sid: IDS.dana },
    ...overrides,
  };
}

/** Plans and runs the MySQL steps; every consent is answered by `confirm` (yes by default). */
export async function runMysqlSetup(
  twin: Twin,
  input: MysqlSetupInput,
  options: { services?: Services; journal?: Journal; confirm?: Confirm; stepTimeoutMs?: number } = {},
): Promise<{ result: SetupResult; journal: Journal; planLines: string[] }> {
  const services = options.services ?? servicesFor(twin);
  const journal = options.journal ?? (await tempJournal());
  try {
    const plan = await planSteps(mysqlSetupSteps(input, services));
    const result = await runSetup(plan, {
      journal,
      target: input.server.id,
      confirm: options.confirm ?? (async () => true),
      graceMs: 2000,
      ...(options.stepTimeoutMs ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    });
    return { result, journal, planLines: plan.views.flatMap((v) => [`[${v.id}]`, ...v.lines]) };
  } finally {
    services.azure.dispose();
  }
}

async function root(twin: Twin, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const hooks = twin.context.databases as {
    mysqlQuery?: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
  };
  if (!hooks.mysqlQuery) throw new Error('the twin exposes no MySQL query hook');
  return (await hooks.mysqlQuery(sql, params)).rows as Record<string, unknown>[];
}

/** Every account for any host (as Azure creates Entra users) with its grants, hashes cut out, sorted. */
export async function mysqlUsersOf(twin: Twin): Promise<string[]> {
  const users = await root(
    twin,
    "SELECT User AS user, Host AS host FROM mysql.user WHERE Host = '%' ORDER BY User",
  );
  const out: string[] = [];
  for (const { user, host } of users) {
    const grants = await root(twin, 'SHOW GRANTS FOR ?@?', [user, host]);
    for (const row of grants)
      out.push(String(Object.values(row)[0]).replace(/\s+IDENTIFIED\s+(BY|VIA|WITH)\b.*$/i, ''));
  }
  return out.sort();
}

/** The grant lines of one user ('' host `%`), hashes cut out. */
export async function grantsOf(twin: Twin, user: string): Promise<string[]> {
  const rows = await root(twin, 'SHOW GRANTS FOR ?@?', [user, '%']).catch(() => []);
  return rows.map((row) => String(Object.values(row)[0]).replace(/\s+IDENTIFIED\s+(BY|VIA|WITH)\b.*$/i, ''));
}

/**
 * Logs in through the proxy as `who` (an Entra principal) with the MySQL user name `user`, the
 * firewall opened for this machine for that one login (setup closed it again).
 */
export async function loginAs(twin: Twin, who: string, user: string): Promise<void> {
  const server = mysqlServerFacts(twin);
  const rule = `${RESOURCE_IDS.mysql}/firewallRules/test-login`;
  twin.store.put({
    id: rule,
    name: 'test-login',
    type: 'Microsoft.DBforMySQL/flexibleServers/firewallRules',
    properties: { startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' },
  });
  try {
    await connectAs(twin, server, who, user);
  } finally {
    twin.store.delete(rule);
  }
}

async function connectAs(twin: Twin, server: ServerFacts, who: string, user: string): Promise<void> {
  const connection = await mysql.createConnection({
    // The Azure name for SNI and the certificate check; the socket goes to the twin's proxy.
    host: server.fqdn,
    stream: connect(twin.databaseEndpoints.mysql!),
    user,
    password: twin.tokens.issue(who, 'ossrdbms'),
    database: NAMES.database,
    enableCleartextPlugin: true,
    ssl: { ca: twin.caPem, rejectUnauthorized: true, verifyIdentity: true },
  });
  await connection.end();
}

/** Avery, the admin the MySQL tests start with (Dana must replace them, with consent). */
export const AVERY = { login: OTHER_ADMIN.userPrincipalName, sid: OTHER_ADMIN.objectId };

/** Avery, not Dana, is the server's single Entra admin (in ARM and in MariaDB). */
export async function makeAveryTheAdmin(twin: Twin): Promise<void> {
  if (!twin.world.principals.some((p) => p.objectId === OTHER_ADMIN.objectId))
    twin.context.addPrincipal({
      objectId: OTHER_ADMIN.objectId,
      tenantId: IDS.tenantId,
      kind: 'user',
      displayName: OTHER_ADMIN.displayName,
      userPrincipalName: OTHER_ADMIN.userPrincipalName,
      userType: 'Member',
    });
  const id = `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`;
  const admin = twin.store.get(id)!;
  twin.store.put({ ...admin, properties: { ...admin.properties, login: AVERY.login, sid: AVERY.sid } });
  await twin.context.databases.mysqlAdminSet!(twin.store.get(RESOURCE_IDS.mysql)!, AVERY);
}

/** A second user-assigned identity `name` (not attached to anything), with or without the Graph app roles. */
export function addIdentity(
  twin: Twin,
  name: string,
  graphRoles: boolean,
): { id: string; principalId: string } {
  const resource = seedUserAssignedIdentity(twin, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: NAMES.resourceGroup,
    name,
  });
  const principalId = (resource.properties as { principalId: string }).principalId;
  if (graphRoles)
    for (const role of GRAPH_APP_ROLES)
      twin.world.appRoleAssignments.push({
        id: `${role.id.slice(0, 8)}-grant-${principalId.slice(0, 8)}`,
        principalId,
        resourceId: IDS.graphServicePrincipal,
        appRoleId: role.id,
      });
  return { id: resource.id, principalId };
}
