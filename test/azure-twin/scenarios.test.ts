/**
 * Every named scenario seeds the world its name promises, seen the way the tool will see it: through
 * authenticated ARM and Graph calls and the stand-in az, not by peeking at the store.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { IDS, startTwin, type Twin } from './index.ts';
import { NETWORK_IDS, PRIVATE_IPS } from './scenario-network.ts';
import { NAMES, OTHER_ADMIN, RESOURCE_IDS, STALE_APP_OBJECT_ID, scenarioNames } from './scenarios.ts';
import { ARM_SCENARIO_IDS } from './scenarios-arm.ts';
import { armRest } from './testing/arm-rest.ts';

const run = promisify(execFile);
const open: Twin[] = [];
after(() => Promise.all(open.map((twin) => twin.close())));

async function twinFor(scenario: string) {
  const twin = await startTwin({ scenario });
  open.push(twin);
  const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const get = async (path: string, apiVersion: string) => {
    const answer = await arm.send('GET', `${path}?api-version=${apiVersion}`);
    assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const can = async (scope: string, action: string) => {
    const { value } = await get(`${scope}/providers/Microsoft.Authorization/permissions`, '2022-04-01');
    const matches = (pattern: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);
    return value.some(
      (entry: { actions: string[]; notActions: string[] }) =>
        entry.actions.some(matches) && !entry.notActions.some(matches),
    );
  };
  const az = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('az', args, { env: twin.env(), timeout: 5_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string; killed?: boolean };
      return { code: failed.killed ? -1 : failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  return { twin, get, can, az };
}

const PG = '2025-08-01';
const MYSQL = '2023-12-30';
const SQL = '2020-11-01-preview';

test('every scenario starts', async () => {
  for (const name of scenarioNames()) {
    const twin = await startTwin({ scenario: name });
    await twin.close();
  }
});

test('healthy: Entra on with Dana as admin everywhere, public, Ready, Owner, and the MySQL identity holds its Graph roles', async () => {
  const { get, can, az, twin } = await twinFor('healthy');
  const pg = await get(RESOURCE_IDS.postgres, PG);
  assert.equal(pg.properties.state, 'Ready');
  assert.equal(pg.properties.authConfig.activeDirectoryAuth, 'Enabled');
  assert.equal(pg.properties.network.publicNetworkAccess, 'Enabled');
  const admins = await get(`${RESOURCE_IDS.postgres}/administrators`, PG);
  assert.deepEqual(
    admins.value.map((a: { properties: { objectId: string } }) => a.properties.objectId),
    [IDS.dana],
  );
  const mysqlAdmin = await get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`, MYSQL);
  assert.equal(mysqlAdmin.properties.sid, IDS.dana);
  const sqlAdmin = await get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`, SQL);
  assert.equal(sqlAdmin.properties.sid, IDS.dana);
  assert.equal(
    await can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/write'),
    true,
  );
  const identity = await get(RESOURCE_IDS.identity, '2023-01-31');
  const graphToken = twin.tokens.issue(IDS.dana, 'graph');
  const grants = await fetch(
    `${twin.graphUrl}/v1.0/servicePrincipals/${identity.properties.principalId}/appRoleAssignments`,
    { headers: { authorization: `Bearer ${graphToken}` } },
  ).then((r) => r.json() as Promise<{ value: unknown[] }>);
  assert.equal(grants.value.length, 3);
  const version = await az('version', '-o', 'json');
  assert.equal(version.code, 0);
  assert.equal(JSON.parse(version.stdout)['azure-cli'], '2.67.0');
});

test('entra-off and no-admin: PostgreSQL Entra auth off / no admins on any server', async () => {
  const off = await twinFor('entra-off');
  assert.equal(
    (await off.get(RESOURCE_IDS.postgres, PG)).properties.authConfig.activeDirectoryAuth,
    'Disabled',
  );
  const none = await twinFor('no-admin');
  assert.deepEqual((await none.get(`${RESOURCE_IDS.postgres}/administrators`, PG)).value, []);
  assert.deepEqual((await none.get(`${RESOURCE_IDS.mysql}/administrators`, MYSQL)).value, []);
  assert.deepEqual((await none.get(`${RESOURCE_IDS.sql}/administrators`, SQL)).value, []);
});

test('vnet-private, private-endpoint, firewall-closed, stopped-server: the network and state they name', async () => {
  const vnet = await twinFor('vnet-private');
  const vnetPg = (await vnet.get(RESOURCE_IDS.postgres, PG)).properties.network;
  assert.match(vnetPg.delegatedSubnetResourceId, /subnets\/postgres$/);
  assert.equal(vnetPg.publicNetworkAccess, 'Disabled');
  assert.match(
    (await vnet.get(RESOURCE_IDS.mysql, MYSQL)).properties.network.delegatedSubnetResourceId,
    /subnets\/mysql$/,
  );

  const pe = await twinFor('private-endpoint');
  const pePg = (await pe.get(RESOURCE_IDS.postgres, PG)).properties;
  assert.equal(pePg.network.publicNetworkAccess, 'Disabled');
  assert.match(
    pePg.privateEndpointConnections[0].properties.privateEndpoint.id,
    /privateEndpoints\/pe-orders$/,
  );

  const closed = await twinFor('firewall-closed');
  for (const [server, version] of [
    [RESOURCE_IDS.postgres, PG],
    [RESOURCE_IDS.mysql, MYSQL],
    [RESOURCE_IDS.sql, SQL],
  ] as const) {
    assert.deepEqual((await closed.get(`${server}/firewallRules`, version)).value, [], server);
  }

  const stopped = await twinFor('stopped-server');
  assert.equal((await stopped.get(RESOURCE_IDS.postgres, PG)).properties.state, 'Stopped');
});

test('missing-rbac and reader-only: the permissions Azure would compute for Dana', async () => {
  const missing = await twinFor('missing-rbac');
  assert.equal(
    await missing.can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/read'),
    false,
  );
  assert.equal(await missing.can(RESOURCE_IDS.webApp, 'Microsoft.Web/sites/write'), true);
  const reader = await twinFor('reader-only');
  assert.equal(
    await reader.can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/read'),
    true,
  );
  assert.equal(
    await reader.can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules/write'),
    false,
  );
});

test('mysql-identity-without-graph-roles and sql-entra-only', async () => {
  const { get, twin } = await twinFor('mysql-identity-without-graph-roles');
  const identity = await get(RESOURCE_IDS.identity, '2023-01-31');
  const grants = await fetch(
    `${twin.graphUrl}/v1.0/servicePrincipals/${identity.properties.principalId}/appRoleAssignments`,
    { headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'graph')}` } },
  ).then((r) => r.json() as Promise<{ value: unknown[] }>);
  assert.deepEqual(grants.value, []);
  const entraOnly = await twinFor('sql-entra-only');
  const only = await entraOnly.get(`${RESOURCE_IDS.sql}/azureADOnlyAuthentications/Default`, SQL);
  assert.equal(only.properties.azureADOnlyAuthentication, true);
});

const graphGet = async (twin: Twin, path: string) =>
  fetch(`${twin.graphUrl}/v1.0${path}`, {
    headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'graph')}` },
  }).then((r) => r.json() as Promise<any>);

test('pg-group-admin and sql-group-admin: the admin is a Graph group whose members include Dana', async () => {
  const pgGroup = await twinFor('pg-group-admin');
  const admins = await pgGroup.get(`${RESOURCE_IDS.postgres}/administrators`, PG);
  assert.deepEqual(
    admins.value.map((a: any) => [a.properties.objectId, a.properties.principalType]),
    [[ARM_SCENARIO_IDS.pgAdminGroup, 'Group']],
  );
  const memberOf = await graphGet(pgGroup.twin, '/me/memberOf');
  assert.deepEqual(
    memberOf.value.map((g: any) => [g['@odata.type'], g.id, g.displayName]),
    [['#microsoft.graph.group', ARM_SCENARIO_IDS.pgAdminGroup, 'Orders DB Admins']],
  );
  const members = await graphGet(pgGroup.twin, `/groups/${ARM_SCENARIO_IDS.pgAdminGroup}/members`);
  assert.deepEqual(
    members.value.map((m: any) => m.id),
    [IDS.dana],
  );
  const sqlGroup = await twinFor('sql-group-admin');
  const sqlServer = await sqlGroup.get(RESOURCE_IDS.sql, '2022-08-01-preview');
  assert.equal(sqlServer.properties.administrators.sid, ARM_SCENARIO_IDS.sqlAdminGroup);
  assert.equal(sqlServer.properties.administrators.principalType, 'Group');
  const danaGroups = await graphGet(sqlGroup.twin, `/users/${IDS.dana}/memberOf`);
  assert.deepEqual(
    danaGroups.value.map((g: any) => g.displayName),
    ['Orders SQL Admins'],
  );
});

test('pg-entra-only, mysql-aad-only, sql-app-admin: the auth modes and admin they name', async () => {
  const pg = await (await twinFor('pg-entra-only')).get(RESOURCE_IDS.postgres, PG);
  assert.deepEqual(pg.properties.authConfig, {
    activeDirectoryAuth: 'Enabled',
    passwordAuth: 'Disabled',
    tenantId: IDS.tenantId,
  });
  const mysql = await twinFor('mysql-aad-only');
  const param = await mysql.get(`${RESOURCE_IDS.mysql}/configurations/aad_auth_only`, MYSQL);
  assert.equal(param.properties.value, 'ON');
  const appAdmin = await twinFor('sql-app-admin');
  const site = await appAdmin.get(RESOURCE_IDS.webApp, '2025-05-01');
  const app = appAdmin.twin.world.principals.find((p) => p.objectId === site.identity.principalId)!;
  const server = await appAdmin.get(RESOURCE_IDS.sql, '2022-08-01-preview');
  assert.equal(server.properties.administrators.sid, app.appId);
  assert.equal(server.properties.administrators.principalType, 'Application');
});

test('app-no-identity and existing-settings: the web app as they describe it', async () => {
  const bare = await (await twinFor('app-no-identity')).get(RESOURCE_IDS.webApp, '2025-05-01');
  assert.equal(bare.identity, undefined);
  const existing = await twinFor('existing-settings');
  const arm = armRest(existing.twin.baseUrl, existing.twin.tokens.credential(IDS.dana));
  const settings = await arm.send(
    'POST',
    `${RESOURCE_IDS.webApp}/config/appsettings/list?api-version=2025-05-01`,
  );
  assert.equal(settings.body.properties.AZURE_POSTGRESQL_HOST, 'pg-orders.postgres.database.azure.com');
  assert.equal(settings.body.properties.AZURE_POSTGRESQL_USER, 'orders-api');
});

test('contributor-only, website-contributor-no-mio, custom-role, resource-scoped-role: what Dana may do', async () => {
  const assign = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
  const contributor = await twinFor('contributor-only');
  assert.equal(await contributor.can(RESOURCE_IDS.webApp, 'Microsoft.Web/sites/write'), true);
  assert.equal(
    await contributor.can(RESOURCE_IDS.postgres, 'Microsoft.Authorization/roleAssignments/write'),
    false,
  );
  const website = await twinFor('website-contributor-no-mio');
  assert.equal(await website.can(RESOURCE_IDS.webApp, 'Microsoft.Web/sites/write'), true);
  assert.equal(await website.can(RESOURCE_IDS.sql, 'Microsoft.Sql/servers/administrators/write'), true);
  assert.equal(await website.can(RESOURCE_IDS.identity, assign), false);

  const custom = await twinFor('custom-role');
  const roles = await custom.get(
    `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Authorization/roleDefinitions/${ARM_SCENARIO_IDS.customRole}`,
    '2022-04-01',
  );
  assert.equal(roles.properties.type, 'CustomRole');
  assert.equal(
    await custom.can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/administrators/write'),
    true,
  );
  assert.equal(await custom.can(RESOURCE_IDS.webApp, 'Microsoft.Web/sites/write'), false);

  const scoped = await twinFor('resource-scoped-role');
  assert.equal(
    await scoped.can(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/write'),
    true,
  );
  assert.equal(await scoped.can(RESOURCE_IDS.mysql, 'Microsoft.DBforMySQL/flexibleServers/write'), false);
});

test('servicelinker-unregistered: linker calls get 409 MissingSubscriptionRegistration', async () => {
  const { twin } = await twinFor('servicelinker-unregistered');
  const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const answer = await arm.send(
    'GET',
    `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers?api-version=2024-07-01-preview`,
  );
  assert.equal(answer.status, 409);
  assert.equal(answer.body.error.code, 'MissingSubscriptionRegistration');
});

test('not-signed-in, aadsts530003, mfa-required, token-expired: the stand-in az fails the way the real one does', async () => {
  const out = await twinFor('not-signed-in');
  const token = await out.az('account', 'get-access-token', '-o', 'json');
  assert.equal(token.code, 1);
  assert.equal(token.stdout, '');
  assert.match(token.stderr, /Please run 'az login' to setup account\./);
  const managed = await twinFor('aadsts530003');
  const refused = await managed.az('account', 'get-access-token', '-o', 'json');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /AADSTS530003/);
  assert.match(refused.stderr, /Trace ID: /);
  for (const [scenario, code] of [
    ['mfa-required', 'AADSTS50076'],
    ['token-expired', 'AADSTS700082'],
  ] as const) {
    const { az } = await twinFor(scenario);
    const answer = await az('account', 'get-access-token', '-o', 'json');
    assert.notEqual(answer.code, 0, scenario);
    assert.match(answer.stderr, new RegExp(code), scenario);
  }
});

test('NAMES and RESOURCE_IDS agree with what the healthy world holds', async () => {
  const { get } = await twinFor('healthy');
  assert.equal((await get(RESOURCE_IDS.webApp, '2025-05-01')).name, NAMES.webApp);
});

// Doctor scenarios of the network, Entra and identity checks: every id a server or app names is a
// real resource behind ARM, and both sides of a private endpoint connection agree.
const NET = '2024-05-01';
const DNS = '2024-06-01';
const APP = '2025-01-01';
const WEB = '2025-05-01';

type Get = Awaited<ReturnType<typeof twinFor>>['get'];

/** The linked network ids of a private DNS zone. */
async function zoneLinks(get: Get, zoneId: string): Promise<string[]> {
  const links = await get(`${zoneId}/virtualNetworkLinks`, DNS);
  return links.value.map(
    (link: { properties: { virtualNetwork: { id: string } } }) => link.properties.virtualNetwork.id,
  );
}

/** The subnet an app's outbound traffic leaves from (web app integration, Container Apps environment). */
async function appSubnets(get: Get): Promise<{ web: string | null; containerApp: string | null }> {
  const site = await get(RESOURCE_IDS.webApp, WEB);
  const app = await get(RESOURCE_IDS.containerApp, APP);
  const environment = await get(app.properties.managedEnvironmentId, APP);
  return {
    web: site.properties.virtualNetworkSubnetId ?? null,
    containerApp: environment.properties.vnetConfiguration.infrastructureSubnetId ?? null,
  };
}

/** The status of pe-orders as the endpoint and as the PostgreSQL server see it. */
async function endpointStatuses(get: Get): Promise<{ endpoint: string; server: string }> {
  const endpoint = await get(NETWORK_IDS.privateEndpoint, NET);
  const connections = [
    ...endpoint.properties.privateLinkServiceConnections,
    ...endpoint.properties.manualPrivateLinkServiceConnections,
  ];
  assert.equal(connections.length, 1);
  assert.equal(connections[0].properties.privateLinkServiceId, RESOURCE_IDS.postgres);
  const subnet = await get(endpoint.properties.subnet.id, NET);
  assert.deepEqual(subnet.properties.privateEndpoints, [{ id: NETWORK_IDS.privateEndpoint }]);
  const server = await get(RESOURCE_IDS.postgres, PG);
  assert.equal(server.properties.network.publicNetworkAccess, 'Disabled');
  const serverSide = server.properties.privateEndpointConnections;
  assert.equal(serverSide.length, 1);
  assert.equal(serverSide[0].properties.privateEndpoint.id, NETWORK_IDS.privateEndpoint);
  assert.deepEqual(
    serverSide[0].properties.privateLinkServiceConnectionState,
    connections[0].properties.privateLinkServiceConnectionState,
  );
  return {
    endpoint: connections[0].properties.privateLinkServiceConnectionState.status,
    server: serverSide[0].properties.privateLinkServiceConnectionState.status,
  };
}

test('vnet-private: delegated subnets, private DNS zones with the servers’ A records linked to vnet-orders, apps integrated there', async () => {
  const { get } = await twinFor('vnet-private');
  const pg = (await get(RESOURCE_IDS.postgres, PG)).properties.network;
  const mysql = (await get(RESOURCE_IDS.mysql, MYSQL)).properties.network;
  for (const [network, zoneProperty, delegation, address] of [
    [pg, 'privateDnsZoneArmResourceId', 'Microsoft.DBforPostgreSQL/flexibleServers', PRIVATE_IPS.postgres],
    [mysql, 'privateDnsZoneResourceId', 'Microsoft.DBforMySQL/flexibleServers', PRIVATE_IPS.mysql],
  ] as const) {
    const subnet = await get(network.delegatedSubnetResourceId, NET);
    assert.equal(subnet.properties.delegations[0].properties.serviceName, delegation);
    const zone = await get(network[zoneProperty], DNS);
    const server = delegation.includes('PostgreSQL') ? NAMES.postgres : NAMES.mysql;
    const record = await get(`${zone.id}/A/${server}`, DNS);
    assert.deepEqual(record.properties.aRecords, [{ ipv4Address: address }]);
    assert.deepEqual(await zoneLinks(get, zone.id), [NETWORK_IDS.ordersVnet]);
  }
  const apps = await appSubnets(get);
  assert.equal(apps.web, NETWORK_IDS.subnets.apps);
  assert.equal(apps.containerApp, NETWORK_IDS.subnets.containerApps);
  const appSubnet = await get(apps.web!, NET);
  assert.equal(appSubnet.properties.delegations[0].properties.serviceName, 'Microsoft.Web/serverFarms');
});

test('vnet-app-not-integrated: the servers are VNet-injected, neither app is integrated', async () => {
  const { get } = await twinFor('vnet-app-not-integrated');
  const pg = (await get(RESOURCE_IDS.postgres, PG)).properties.network;
  assert.equal((await get(pg.delegatedSubnetResourceId, NET)).name, 'postgres');
  assert.deepEqual(await appSubnets(get), { web: null, containerApp: null });
});

test('private-endpoint, pe-pending, pe-rejected: pe-orders and the server agree on the connection state', async () => {
  for (const [scenario, status] of [
    ['private-endpoint', 'Approved'],
    ['pe-pending', 'Pending'],
    ['pe-rejected', 'Rejected'],
  ] as const) {
    const { get } = await twinFor(scenario);
    assert.deepEqual(await endpointStatuses(get), { endpoint: status, server: status }, scenario);
    const endpoint = await get(NETWORK_IDS.privateEndpoint, NET);
    assert.deepEqual(endpoint.properties.customDnsConfigs[0].ipAddresses, [PRIVATE_IPS.privateEndpoint]);
    const record = await get(`${NETWORK_IDS.privatelinkZone}/A/${NAMES.postgres}`, DNS);
    assert.deepEqual(record.properties.aRecords, [{ ipv4Address: PRIVATE_IPS.privateEndpoint }]);
    assert.deepEqual(await zoneLinks(get, NETWORK_IDS.privatelinkZone), [NETWORK_IDS.ordersVnet], scenario);
    assert.equal((await appSubnets(get)).web, NETWORK_IDS.subnets.apps, scenario);
  }
});

test('dns-zone-unlinked: an Approved endpoint whose privatelink zone is not linked to the apps’ own network', async () => {
  const { get } = await twinFor('dns-zone-unlinked');
  assert.deepEqual(await endpointStatuses(get), { endpoint: 'Approved', server: 'Approved' });
  const apps = await appSubnets(get);
  assert.equal(apps.web, NETWORK_IDS.subnets.appsVnetApps);
  assert.equal(apps.containerApp, NETWORK_IDS.subnets.appsVnetContainerApps);
  const links = await zoneLinks(get, NETWORK_IDS.privatelinkZone);
  assert.deepEqual(links, [NETWORK_IDS.ordersVnet]);
  assert.equal((await get(NETWORK_IDS.appsVnet, NET)).properties.subnets.length, 2);
});

test('pg-caller-not-admin: Entra on, Avery Admin is the only PostgreSQL admin, Dana is not', async () => {
  const { get, twin } = await twinFor('pg-caller-not-admin');
  const pg = await get(RESOURCE_IDS.postgres, PG);
  assert.equal(pg.properties.authConfig.activeDirectoryAuth, 'Enabled');
  const admins = await get(`${RESOURCE_IDS.postgres}/administrators`, PG);
  assert.deepEqual(
    admins.value.map((a: { properties: { objectId: string; principalName: string } }) => [
      a.properties.objectId,
      a.properties.principalName,
    ]),
    [[OTHER_ADMIN.objectId, OTHER_ADMIN.userPrincipalName]],
  );
  assert.equal(twin.context.principal(OTHER_ADMIN.objectId)?.displayName, OTHER_ADMIN.displayName);
});

test('mysql-no-identity: the MySQL server has no identity and no Entra admin', async () => {
  const { get } = await twinFor('mysql-no-identity');
  const mysql = await get(RESOURCE_IDS.mysql, MYSQL);
  assert.equal(mysql.identity, undefined);
  assert.deepEqual((await get(`${RESOURCE_IDS.mysql}/administrators`, MYSQL)).value, []);
});

test('app-user-identity-only: the web app has id-orders and no system identity', async () => {
  const { get } = await twinFor('app-user-identity-only');
  const site = await get(RESOURCE_IDS.webApp, WEB);
  assert.equal(site.identity.type, 'UserAssigned');
  assert.equal(site.identity.principalId, undefined);
  assert.deepEqual(Object.keys(site.identity.userAssignedIdentities), [RESOURCE_IDS.identity]);
});

test('pg-role-exists, pg-stale-role, mysql-identity-without-graph-roles: what the databases behind them hold', async () => {
  const login = async (scenario: string) => {
    const twin = await startTwin({ scenario, databases: true });
    open.push(twin);
    const app = twin.world.principals.find(
      (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
    )!;
    const client = new pg.Client({
      ...twin.databaseEndpoints.postgres!,
      user: NAMES.webApp,
      password: twin.tokens.issue(app.objectId, 'ossrdbms'),
      database: NAMES.database,
      ssl: { ca: twin.caPem },
    });
    return { twin, client };
  };
  const exists = await login('pg-role-exists');
  await exists.client.connect();
  const { rows } = await exists.client.query(
    `SELECT has_database_privilege('${NAMES.database}', 'CREATE') AS can`,
  );
  await exists.client.end();
  assert.deepEqual(rows, [{ can: true }]);

  const stale = await login('pg-stale-role');
  await assert.rejects(stale.client.connect(), (e: { code?: string }) => e.code === '28P01');
  const admin = new pg.Client({
    ...stale.twin.databaseEndpoints.postgres!,
    user: 'dana@contoso.twin.test',
    password: stale.twin.tokens.issue(IDS.dana, 'ossrdbms'),
    database: 'postgres',
    ssl: { ca: stale.twin.caPem },
  });
  await admin.connect();
  const listed = await admin.query(
    'SELECT rolname, objectid FROM pgaadauth_list_principals(false) WHERE rolname = $1',
    [NAMES.webApp],
  );
  await admin.end();
  assert.deepEqual(listed.rows, [{ rolname: NAMES.webApp, objectid: STALE_APP_OBJECT_ID }]);

  const noGraph = await startTwin({ scenario: 'mysql-identity-without-graph-roles', databases: true });
  open.push(noGraph);
  const connection = await mysql.createConnection({
    ...noGraph.databaseEndpoints.mysql!,
    user: 'dana@contoso.twin.test',
    password: noGraph.tokens.issue(IDS.dana, 'ossrdbms'),
    ssl: { ca: noGraph.caPem },
    enableCleartextPlugin: true,
  });
  await assert.rejects(
    connection.query(`CREATE AADUSER 'orders_app' IDENTIFIED BY '${IDS.dana}'`),
    (e: { errno?: number }) => e.errno === 9102,
  );
  await connection.end();
});
