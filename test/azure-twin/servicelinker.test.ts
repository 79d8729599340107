import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDS, type Twin } from './index.ts';
import { seedContainerApp } from './providers/containerapps.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { seedPostgresServer } from './providers/postgres.ts';
import { seedSpringApp } from './providers/spring.ts';
import { seedSqlServer } from './providers/sql.ts';
import { seedWebApp } from './providers/web.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { twinPerFile } from './testing/twin-fixture.ts';

const fixture = (path: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/servicelinker/${path}`, import.meta.url), 'utf8'));
const SUB = IDS.subscriptionId;
const RG = `/subscriptions/${SUB}/resourceGroups/rg-orders`;
const WEB = `${RG}/providers/Microsoft.Web/sites/orders-web`;
const SERVER = `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders-pg`;
const DB = `${SERVER}/databases/orders`;
const V = '?api-version=2024-07-01-preview';
const linker = (source: string, name: string) =>
  `${source}/providers/Microsoft.ServiceLinker/linkers/${name}`;
/** The spec examples show secret auth (`authInfo.name`); identity auth has no such field. */
const SECRET_AUTH_ONLY = ['$.properties.authInfo.name', '$.value[0].properties.authInfo.name'];
/** The example sends a service endpoint; a linker without one echoes `vNetSolution: null` (recorded). */
const NO_VNET = ['$.properties.vNetSolution'];

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();

async function appSettings(): Promise<Record<string, string>> {
  return (await dana.send('POST', `${WEB}/config/appsettings/list?api-version=2025-05-01`)).body.properties;
}

function pgLinkerBody(extra: Record<string, unknown> = {}, auth: Record<string, unknown> = {}) {
  return {
    properties: {
      targetService: { type: 'AzureResource', id: DB },
      authInfo: { authType: 'systemAssignedIdentity', userName: 'aad_conn1', ...auth },
      clientType: 'python',
      publicNetworkSolution: { action: 'optOut' },
      ...extra,
    },
  };
}

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  seedWebApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-web',
    appSettings: { EXISTING: 'kept' },
  });
  seedPostgresServer(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-pg',
    entraAuth: true,
    databases: ['orders'],
    firewallRules: [
      {
        name: 'AllowAllAzureServicesAndResourcesWithinAzureIps',
        startIpAddress: '0.0.0.0',
        endIpAddress: '0.0.0.0',
      },
    ],
  });
});

test('PUT answers 201 Accepted with an absolute Service Connector status URL; core-lro polls Accepted → Succeeded', async () => {
  const run = await dana.lro('PUT', `${linker(WEB, 'conn1')}${V}`, pgLinkerBody(), 'azure-async-operation');
  assert.equal(run.initial.status, 201);
  assert.equal(run.initial.body.properties.provisioningState, 'Accepted');
  assert.equal(run.initial.body.type, 'microsoft.servicelinker/linkers');
  assert.match(run.initial.headers.etag!, /^".+"$/);
  const status = new URL(run.initial.headers['azure-asyncoperation']!);
  assert.equal(status.origin, twin.baseUrl);
  assert.match(
    status.pathname,
    new RegExp(
      `^/subscriptions/${SUB}/providers/Microsoft.ServiceLinker/locations/EASTUS/operationStatuses/[^/]+$`,
    ),
  );
  assert.deepEqual(
    run.polls.filter((poll) => poll.url.includes('operationStatuses')).map((poll) => poll.body.status),
    ['Accepted', 'Succeeded'],
  );
  const terminal = run.polls.find((poll) => poll.body?.status === 'Succeeded')!;
  assert.deepEqual(terminal.body.properties, { Message: null });
  assert.equal(terminal.body.resourceId, linker(WEB, 'conn1'));
  assert.ok(terminal.body.endTime);

  const result = run.result as any;
  assert.equal(result.properties.provisioningState, 'Succeeded');
  assertSameShape(result, fixture('2024-07-01-preview/PutLinker.json').responses['201'].body, 'PUT linker', [
    ...SECRET_AUTH_ONLY,
    ...NO_VNET,
  ]);
  // The 2024 RP's null-filled echo.
  assert.equal(result.properties.vNetSolution, null);
  assert.equal(result.properties.scope, null);
  assert.deepEqual(result.properties.secretStore, { keyVaultId: null, keyVaultSecretName: null });
  assert.deepEqual(result.properties.publicNetworkSolution, {
    firewallRules: null,
    deleteOrUpdateBehavior: null,
    action: 'optOut',
  });
  assert.equal(result.properties.configurationInfo.customizedKeys, null);
  assert.deepEqual(result.properties.authInfo, {
    roles: null,
    userName: 'aad_conn1',
    deleteOrUpdateBehavior: null,
    authMode: null,
    authType: 'systemAssignedIdentity',
  });
  assert.equal(result.systemData.createdBy, 'dana@contoso.twin.test');
});

test('success writes the python settings to the app and switches the system identity on', async () => {
  const settings = await appSettings();
  assert.deepEqual(settings, {
    EXISTING: 'kept',
    AZURE_POSTGRESQL_CONNECTIONSTRING:
      'dbname=orders host=orders-pg.postgres.twin.test port=5432 sslmode=require user=aad_conn1',
  });
  const site = (await dana.send('GET', `${WEB}?api-version=2025-05-01`)).body;
  assert.equal(site.identity.type, 'SystemAssigned');
  assert.equal(twin.context.principal(site.identity.principalId)?.kind, 'managedIdentity');
});

test('GET, list and listConfigurations return the linker and exactly what it wrote', async () => {
  const got = await dana.send('GET', `${linker(WEB, 'conn1')}${V}`);
  assert.equal(got.status, 200);
  assert.ok(got.headers.etag);
  assert.equal(got.body.id, linker(WEB, 'conn1'));
  const list = await dana.send('GET', `${WEB}/providers/Microsoft.ServiceLinker/linkers${V}`);
  assert.deepEqual(
    list.body.value.map((item: { name: string }) => item.name),
    ['conn1'],
  );
  assertSameShape(
    list.body,
    fixture('2024-07-01-preview/LinkerList.json').responses['200'].body,
    'list',
    SECRET_AUTH_ONLY,
  );
  const configs = await dana.send('POST', `${linker(WEB, 'conn1')}/listConfigurations${V}`);
  assert.equal(configs.status, 200);
  assert.deepEqual(configs.body.configurations, [
    {
      name: 'AZURE_POSTGRESQL_CONNECTIONSTRING',
      value: 'dbname=orders host=orders-pg.postgres.twin.test port=5432 sslmode=require user=aad_conn1',
      configType: 'Default',
      keyVaultReferenceIdentity: null,
      description: '',
    },
  ]);
  assertSameShape(
    configs.body,
    fixture('2024-07-01-preview/GetConfigurations.json').responses['200'].body,
    'listConfigurations',
  );
});

test('validateLinker: 202 + both headers, terminal body carries the checks; drift on the app is reported', async () => {
  const run = await dana.lro('POST', `${linker(WEB, 'conn1')}/validateLinker${V}`, undefined, 'location');
  assert.equal(run.initial.status, 202);
  assert.equal(run.initial.body, null);
  assert.equal(run.initial.headers['azure-asyncoperation'], run.initial.headers.location);
  const terminal = run.polls.at(-1)!.body;
  assert.equal(terminal.status, 'Succeeded');
  assertSameShape(
    terminal,
    fixture('2022-11-01-preview/ValidateLinkerSuccess.json').responses['200'].body,
    'validate',
  );
  assert.equal(terminal.properties.isConnectionAvailable, true);
  assert.deepEqual(
    terminal.properties.validationDetail.map((detail: { name: string; result: string }) => [
      detail.name,
      detail.result,
    ]),
    [
      ['Target resource existence validated.', 'success'],
      ['Target service firewall validated.', 'success'],
      ['Configured connection information validated.', 'success'],
      ['Managed Identity existence validated.', 'success'],
    ],
  );
  assert.equal(JSON.parse(terminal.properties.Message).IsConnectionAvailable, true);

  await dana.send('PUT', `${WEB}/config/appsettings?api-version=2025-05-01`, {
    properties: { EXISTING: 'kept' },
  });
  const drifted = await dana.lro(
    'POST',
    `${linker(WEB, 'conn1')}/validateLinker${V}`,
    undefined,
    'azure-async-operation',
  );
  const body = drifted.polls.at(-1)!.body;
  assert.equal(body.properties.isConnectionAvailable, false);
  const config = body.properties.validationDetail.find(
    (detail: { name: string }) => detail.name === 'Configured connection information validated.',
  );
  assert.equal(config.result, 'failure');
  assert.match(config.errorMessage, /AZURE_POSTGRESQL_CONNECTIONSTRING/);
  // Put the setting back by re-running the PUT (the RP rewrites what it owns).
  await dana.lro('PUT', `${linker(WEB, 'conn1')}${V}`, pgLinkerBody(), 'azure-async-operation');
  assert.ok((await appSettings()).AZURE_POSTGRESQL_CONNECTIONSTRING);
});

test('a second PostgreSQL linker with a user identity gets qualified names and binds the identity', async () => {
  const uami = seedUserAssignedIdentity(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-uami',
  });
  const clientId = (uami.properties as any).clientId as string;
  const run = await dana.lro(
    'PUT',
    `${linker(WEB, 'conn2')}${V}`,
    {
      ...pgLinkerBody(
        { clientType: 'nodejs' },
        { authType: 'userAssignedIdentity', userName: 'aad_conn2', clientId, subscriptionId: SUB },
      ),
    },
    'azure-async-operation',
  );
  assert.equal((run.result as any).properties.provisioningState, 'Succeeded');
  const settings = await appSettings();
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_HOST, 'orders-pg.postgres.twin.test');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_USER, 'aad_conn2');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_DATABASE, 'orders');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_PORT, '5432');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_SSL, 'true');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_CLIENTID, clientId);
  const site = (await dana.send('GET', `${WEB}?api-version=2025-05-01`)).body;
  assert.equal(site.identity.type, 'SystemAssigned, UserAssigned');
  assert.equal(site.identity.userAssignedIdentities[uami.id].clientId, clientId);
});

test('DELETE: 202 null + both headers, polls 202 Deleting then Succeeded; only its settings go; missing → 204', async () => {
  const run = await dana.lro('DELETE', `${linker(WEB, 'conn1')}${V}`, undefined, 'azure-async-operation');
  assert.equal(run.initial.status, 202);
  assert.equal(run.initial.body, null);
  assert.equal(run.initial.headers['azure-asyncoperation'], run.initial.headers.location);
  assert.deepEqual(
    run.polls.map((poll) => [poll.status, poll.body.status]),
    [
      [202, 'Deleting'],
      [200, 'Succeeded'],
    ],
  );
  assert.equal(run.polls[0]!.headers['azure-asyncoperation'], run.initial.headers['azure-asyncoperation']);
  assert.equal(run.polls[1]!.body.properties, null);
  const settings = await appSettings();
  assert.equal(settings.AZURE_POSTGRESQL_CONNECTIONSTRING, undefined);
  assert.equal(settings.EXISTING, 'kept');
  assert.equal(settings.AZURE_POSTGRESQL_CONN2_HOST, 'orders-pg.postgres.twin.test');
  const site = (await dana.send('GET', `${WEB}?api-version=2025-05-01`)).body;
  assert.match(site.identity.type, /SystemAssigned/, 'delete keeps the identity');
  const gone = await dana.send('GET', `${linker(WEB, 'conn1')}${V}`);
  assert.equal(gone.status, 404);
  assert.equal((await dana.send('DELETE', `${linker(WEB, 'conn1')}${V}`)).status, 204);
});

test('a server id instead of a database id is TargetTypeNotSupported', async () => {
  const body = pgLinkerBody();
  body.properties.targetService = { type: 'AzureResource', id: SERVER };
  const answer = await dana.send('PUT', `${linker(WEB, 'bad')}${V}`, body);
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error.code, 'TargetTypeNotSupported');
  assert.match(answer.body.error.message, /MICROSOFT\.DBFORPOSTGRESQL\/FLEXIBLESERVERS/);
  assert.equal((await dana.send('GET', `${linker(WEB, 'bad')}${V}`)).status, 404);
});

test('a service principal secret is written to the app but never echoed, stored or listed', async () => {
  const secret = `s3cret-${randomUUID()}`;
  const sp = twin.context.addPrincipal({
    objectId: randomUUID(),
    appId: randomUUID(),
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-sp',
  });
  const run = await dana.lro(
    'PUT',
    `${linker(WEB, 'spconn')}${V}`,
    pgLinkerBody(
      { clientType: 'dotnet' },
      {
        authType: 'servicePrincipalSecret',
        userName: 'aad_spconn',
        clientId: sp.appId,
        principalId: sp.objectId,
        secret,
      },
    ),
    'azure-async-operation',
  );
  assert.ok(!JSON.stringify(run.initial.body).includes(secret));
  assert.ok(!JSON.stringify(run.result).includes(secret));
  assert.equal((run.result as any).properties.authInfo.secret, undefined);
  const settings = await appSettings();
  assert.equal(settings.AZURE_POSTGRESQL_SPCONN_CLIENTSECRET, secret);
  assert.equal(settings.AZURE_POSTGRESQL_SPCONN_TENANTID, IDS.tenantId);
  const configs = await dana.send('POST', `${linker(WEB, 'spconn')}/listConfigurations${V}`);
  assert.ok(!JSON.stringify(configs.body).includes(secret));
  const stored = twin.store.all().filter((resource) => resource.type === 'microsoft.servicelinker/linkers');
  assert.ok(!JSON.stringify(stored).includes(secret), 'the linker record holds no secret');
});

test('Container Apps: settings go to the env of the container named in scope, and leave with the linker', async () => {
  const app = seedContainerApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-ca',
    containers: [{ name: 'sidecar' }, { name: 'api', env: [{ name: 'KEEP', value: '1' }] }],
  });
  const run = await dana.lro(
    'PUT',
    `${linker(app.id, 'pg')}${V}`,
    pgLinkerBody({ clientType: 'django', scope: 'api' }),
    'azure-async-operation',
  );
  assert.equal((run.result as any).properties.scope, 'api');
  const env = async () => {
    const got = (await dana.send('GET', `${app.id}?api-version=2025-01-01`)).body;
    return {
      got,
      api: got.properties.template.containers.find((c: { name: string }) => c.name === 'api').env,
    };
  };
  const { got, api } = await env();
  assert.deepEqual(api, [
    { name: 'KEEP', value: '1' },
    { name: 'AZURE_POSTGRESQL_NAME', value: 'orders' },
    { name: 'AZURE_POSTGRESQL_HOST', value: 'orders-pg.postgres.twin.test' },
    { name: 'AZURE_POSTGRESQL_USER', value: 'aad_conn1' },
  ]);
  assert.deepEqual(got.properties.template.containers[0].env, []);
  assert.equal(got.identity.type, 'SystemAssigned');
  await dana.lro('DELETE', `${linker(app.id, 'pg')}${V}`, undefined, 'azure-async-operation');
  assert.deepEqual((await env()).api, [{ name: 'KEEP', value: '1' }]);
});

test('Spring: a springBoot linker writes spring.datasource.* into the active deployment', async () => {
  const app = seedSpringApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    serviceName: 'orders-spring',
    name: 'api',
  });
  await dana.lro(
    'PUT',
    `${linker(app.id, 'pg')}?api-version=2024-04-01`,
    pgLinkerBody({ clientType: 'springBoot' }),
    'azure-async-operation',
  );
  const deployment = (await dana.send('GET', `${app.id}/deployments/default?api-version=2023-12-01`)).body;
  assert.deepEqual(deployment.properties.deploymentSettings.environmentVariables, {
    'spring.datasource.azure.passwordless-enabled': 'true',
    'spring.datasource.url': 'jdbc:postgresql://orders-pg.postgres.twin.test:5432/orders?sslmode=require',
    'spring.datasource.username': 'aad_conn1',
  });
  const got = (await dana.send('GET', `${app.id}?api-version=2023-12-01`)).body;
  assert.equal(twin.context.principal(got.identity.principalId)?.displayName, 'orders-spring/apps/api');
});

test('2022-05-01 has no userName: the RP never sees it', async () => {
  const run = await dana.lro(
    'PUT',
    `${linker(WEB, 'old')}?api-version=2022-05-01`,
    pgLinkerBody({ clientType: 'java' }),
    'azure-async-operation',
  );
  assert.equal((run.result as any).properties.authInfo.userName, null);
  assert.equal(
    (await appSettings()).AZURE_POSTGRESQL_OLD_CONNECTIONSTRING,
    'jdbc:postgresql://orders-pg.postgres.twin.test:5432/orders?sslmode=require&user=aad_old',
  );
});

test('a doubled leading slash (what the SDKs send for resourceUri) reaches the same linker', async () => {
  const answer = await dana.send('GET', `/${linker(WEB, 'conn2')}${V}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.name, 'conn2');
});

test('validation reports a firewall that does not admit the app and a public-access-disabled target', async () => {
  const closed = seedPostgresServer(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'closed-pg',
    databases: ['orders'],
    firewallRules: [{ name: 'office', startIpAddress: '198.51.100.1', endIpAddress: '198.51.100.1' }],
  });
  const privateOnly = seedPostgresServer(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'private-pg',
    publicNetworkAccess: 'Disabled',
    databases: ['orders'],
  });
  const firewall = async (server: string, name: string) => {
    const body = pgLinkerBody();
    body.properties.targetService = { type: 'AzureResource', id: `${server}/databases/orders` };
    await dana.lro('PUT', `${linker(WEB, name)}${V}`, body, 'azure-async-operation');
    const run = await dana.lro(
      'POST',
      `${linker(WEB, name)}/validateLinker${V}`,
      undefined,
      'azure-async-operation',
    );
    const result = run.polls.at(-1)!.body.properties;
    return {
      available: result.isConnectionAvailable,
      check: result.validationDetail.find(
        (d: { name: string }) => d.name === 'Target service firewall validated.',
      ),
    };
  };
  const blocked = await firewall(closed.id, 'closedconn');
  assert.equal(blocked.available, false);
  assert.equal(blocked.check.result, 'failure');
  assert.equal(blocked.check.errorCode, 'TargetNetworkAccess');
  const hidden = await firewall(privateOnly.id, 'privateconn');
  assert.equal(hidden.available, true, 'a warning does not make the connection unavailable');
  assert.equal(hidden.check.result, 'warning');
});

test('Azure SQL with a system identity writes the nodejs settings (no user name in them)', async () => {
  const sqlServer = seedSqlServer(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-sql',
    databases: ['ordersdb'],
  });
  await dana.lro(
    'PUT',
    `${linker(WEB, 'sqlconn')}${V}`,
    {
      properties: {
        targetService: { type: 'AzureResource', id: `${sqlServer.id}/databases/ordersdb` },
        authInfo: { authType: 'systemAssignedIdentity', userName: 'orders-web' },
        clientType: 'nodejs',
      },
    },
    'azure-async-operation',
  );
  const settings = await appSettings();
  assert.equal(settings.AZURE_SQL_SERVER, 'orders-sql.database.twin.test');
  assert.equal(settings.AZURE_SQL_PORT, '1433');
  assert.equal(settings.AZURE_SQL_DATABASE, 'ordersdb');
  assert.equal(settings.AZURE_SQL_AUTHENTICATIONTYPE, 'azure-active-directory-default');
  const unsupported = await dana.send('PUT', `${linker(WEB, 'sqlgo')}${V}`, {
    properties: {
      targetService: { type: 'AzureResource', id: `${sqlServer.id}/databases/ordersdb` },
      authInfo: { authType: 'systemAssignedIdentity' },
      clientType: 'go',
    },
  });
  assert.equal(unsupported.status, 400, 'the docs list no identity support for go with SQL');
});

test('PATCH changes the client type: the old settings leave, the new ones arrive', async () => {
  const run = await dana.lro(
    'PATCH',
    `${linker(WEB, 'old')}${V}`,
    { properties: { clientType: 'nodejs' } },
    'azure-async-operation',
  );
  assert.equal(run.initial.status, 200);
  assert.equal((run.result as any).properties.clientType, 'nodejs');
  const settings = await appSettings();
  assert.equal(settings.AZURE_POSTGRESQL_OLD_CONNECTIONSTRING, undefined);
  assert.equal(settings.AZURE_POSTGRESQL_OLD_HOST, 'orders-pg.postgres.twin.test');
  assert.equal((await dana.send('PATCH', `${linker(WEB, 'never')}${V}`, { properties: {} })).status, 404);
});

test('a failing operation ends Failed with GeneralUserError and leaves the linker Failed', async () => {
  const unknown = randomUUID();
  await assert.rejects(
    dana.lro(
      'PUT',
      `${linker(WEB, 'broken')}${V}`,
      pgLinkerBody({}, { authType: 'userAssignedIdentity', clientId: unknown, subscriptionId: SUB }),
      'azure-async-operation',
    ),
    (error: Error) => /GeneralUserError/.test(error.message) && error.message.includes(unknown),
  );
  const got = await dana.send('GET', `${linker(WEB, 'broken')}${V}`);
  assert.equal(got.body.properties.provisioningState, 'Failed');
  assert.ok(!Object.keys(await appSettings()).some((name) => name.includes('BROKEN')));
});

test('a Reader may read linkers but not write, validate or list configurations (403)', async () => {
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${linker(WEB, 'conn2')}${V}`)).status, 200);
  const write = await rita.send('PUT', `${linker(WEB, 'conn9')}${V}`, pgLinkerBody());
  assert.equal(write.status, 403);
  assert.equal(write.body.error.code, 'AuthorizationFailed');
  assert.match(write.body.error.message, /Microsoft\.ServiceLinker\/linkers\/write/);
  assert.equal((await rita.send('POST', `${linker(WEB, 'conn2')}/validateLinker${V}`)).status, 403);
  assert.equal((await rita.send('POST', `${linker(WEB, 'conn2')}/listConfigurations${V}`)).status, 403);
  assert.equal((await rita.send('DELETE', `${linker(WEB, 'conn2')}${V}`)).status, 403);
});

test('a linker on a missing app is refused before anything is stored', async () => {
  const answer = await dana.send(
    'PUT',
    `${linker(`${RG}/providers/Microsoft.Web/sites/ghost`, 'x')}${V}`,
    pgLinkerBody(),
  );
  assert.equal(answer.status, 404);
});

test('a Container Apps linker without scope is refused (400 BadRequest) and nothing is stored', async () => {
  const app = seedContainerApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-noscope',
    containers: [{ name: 'api' }],
  });
  const answer = await dana.send(
    'PUT',
    `${linker(app.id, 'pg')}${V}`,
    pgLinkerBody({ clientType: 'django' }),
  );
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error.code, 'BadRequest');
  assert.match(answer.body.error.message, /'scope' is required .*container/);
  assert.equal((await dana.send('GET', `${linker(app.id, 'pg')}${V}`)).status, 404);
  const got = (await dana.send('GET', `${app.id}?api-version=2025-01-01`)).body;
  assert.deepEqual(got.properties.template.containers[0].env, []);
});

test('publicNetworkSolution: without optOut the RP adds firewall rules for the app to the target; optOut adds none', async () => {
  const server = seedPostgresServer(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-pg-fw',
    entraAuth: true,
    databases: ['orders'],
  });
  const rules = async () =>
    (
      (await dana.send('GET', `${server.id}/firewallRules?api-version=2025-08-01`)).body.value as {
        name: string;
        properties: { startIpAddress: string; endIpAddress: string };
      }[]
    )
      .map((rule) => `${rule.name} ${rule.properties.startIpAddress}-${rule.properties.endIpAddress}`)
      .sort();
  const target = { targetService: { type: 'AzureResource', id: `${server.id}/databases/orders` } };
  const optOut = pgLinkerBody(target);
  await dana.lro('PUT', `${linker(WEB, 'fw_optout')}${V}`, optOut, 'azure-async-operation');
  assert.deepEqual(await rules(), [], 'optOut leaves the target alone');

  const enabled = pgLinkerBody({
    ...target,
    publicNetworkSolution: { firewallRules: { azureServices: 'true' } },
  });
  const run = await dana.lro('PUT', `${linker(WEB, 'fw_enable')}${V}`, enabled, 'azure-async-operation');
  assert.equal((run.result as any).properties.provisioningState, 'Succeeded');
  assert.deepEqual(await rules(), [
    'AllowAllAzureServicesAndResourcesWithinAzureIps 0.0.0.0-0.0.0.0',
    'ServiceLinker_fw_enable_1 203.0.113.10-203.0.113.10',
    'ServiceLinker_fw_enable_2 203.0.113.11-203.0.113.11',
  ]);
  // Deleting the linker keeps the rules it added (no forced clean-up asked for).
  await dana.lro('DELETE', `${linker(WEB, 'fw_enable')}${V}`, undefined, 'azure-async-operation');
  assert.equal((await rules()).length, 3);
  await dana.lro('DELETE', `${linker(WEB, 'fw_optout')}${V}`, undefined, 'azure-async-operation');
});

test('a second linker of the same type writes suffixed keys, unless customizedKeys names them back', async () => {
  const site = seedWebApp(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'orders-keys' });
  const settings = async () =>
    (await dana.send('POST', `${site.id}/config/appsettings/list?api-version=2025-05-01`)).body.properties;
  const body = (name: string, extra: Record<string, unknown> = {}) =>
    pgLinkerBody({ clientType: 'django', ...extra }, { userName: `aad_${name}` });
  await dana.lro('PUT', `${linker(site.id, 'first')}${V}`, body('first'), 'azure-async-operation');
  await dana.lro('PUT', `${linker(site.id, 'second')}${V}`, body('second'), 'azure-async-operation');
  assert.equal((await settings()).AZURE_POSTGRESQL_USER, 'aad_first');
  assert.equal((await settings()).AZURE_POSTGRESQL_SECOND_USER, 'aad_second');
  await dana.lro('DELETE', `${linker(site.id, 'second')}${V}`, undefined, 'azure-async-operation');
  // The customized key may name the default key or the suffixed one (which one Azure reads is not documented).
  const renamed = body('third', {
    configurationInfo: {
      customizedKeys: {
        AZURE_POSTGRESQL_USER: 'AZURE_POSTGRESQL_USER',
        AZURE_POSTGRESQL_THIRD_HOST: 'AZURE_POSTGRESQL_HOST',
      },
    },
  });
  await dana.lro('PUT', `${linker(site.id, 'third')}${V}`, renamed, 'azure-async-operation');
  const after = await settings();
  assert.equal(after.AZURE_POSTGRESQL_USER, 'aad_third', 'the second linker overwrote the first one’s value');
  assert.equal(after.AZURE_POSTGRESQL_HOST, 'orders-pg.postgres.twin.test');
  assert.equal(after.AZURE_POSTGRESQL_THIRD_NAME, 'orders', 'a key not customized stays suffixed');
  assert.equal(after.AZURE_POSTGRESQL_THIRD_USER, undefined);
});

test('a linker overwrites a setting that exists; deleting it removes the setting, not restoring the older value', async () => {
  const site = seedWebApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-overwrite',
    appSettings: { AZURE_POSTGRESQL_CONNECTIONSTRING: 'host=old.example dbname=old', OTHER: 'kept' },
  });
  const settings = async () =>
    (await dana.send('POST', `${site.id}/config/appsettings/list?api-version=2025-05-01`)).body.properties;
  await dana.lro('PUT', `${linker(site.id, 'conn')}${V}`, pgLinkerBody(), 'azure-async-operation');
  assert.equal(
    (await settings()).AZURE_POSTGRESQL_CONNECTIONSTRING,
    'dbname=orders host=orders-pg.postgres.twin.test port=5432 sslmode=require user=aad_conn1',
  );
  await dana.lro('DELETE', `${linker(site.id, 'conn')}${V}`, undefined, 'azure-async-operation');
  assert.deepEqual(await settings(), { OTHER: 'kept' });
});

test('a Reader cannot delete a linker: 403 AuthorizationFailed naming linkers/delete, and it stays', async () => {
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  const answer = await rita.send('DELETE', `${linker(WEB, 'conn2')}${V}`);
  assert.equal(answer.status, 403);
  assert.equal(answer.body.error.code, 'AuthorizationFailed');
  assert.match(answer.body.error.message, /Microsoft\.ServiceLinker\/linkers\/delete/);
  assert.equal((await dana.send('GET', `${linker(WEB, 'conn2')}${V}`)).status, 200);
});
