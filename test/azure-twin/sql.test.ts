/**
 * The twin's Azure SQL provider driven by @azure/arm-sql 10.0.0, which pins a version per operation
 * group (servers/databases 2022-08-01-preview; firewall rules, admins, Entra-only, private endpoints
 * 2020-11-01-preview; connection policies 2021-05-01-preview). TLS is verified: `startTwin` adds its
 * CA to this process's default CAs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SqlManagementClient } from '@azure/arm-sql';
import { IDS, type Twin } from './index.ts';
import { seedSqlServer } from './providers/sql.ts';
import { captureBody, exampleBody, sdkError } from './testing/sdk-capture.ts';
import { assertSameShape } from './testing/shape.ts';
import { sdkOptions, twinPerFile } from './testing/twin-fixture.ts';

const RG = 'rg-orders';
const READER = '7e0d0000-0000-4000-8000-00000000eade';
const LRO = { updateIntervalInMs: 5 };
const OLD = 'sql/2020-11-01-preview';

let twin: Twin;
let client: SqlManagementClient;
let reader: SqlManagementClient;
let danaUpn: string;

twinPerFile(READER, (fixture) => {
  twin = fixture.twin;
  danaUpn = `dana@${twin.world.tenantDomain}`;
  const target = { store: twin.store, world: twin.world };
  seedSqlServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'sql-open',
    databases: ['orders'],
    firewallRules: [{ name: 'AllowAllWindowsAzureIps', startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }],
  });
  seedSqlServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'sql-locked',
    publicNetworkAccess: 'Disabled',
    privateEndpoint: `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/pe-sql`,
    admin: { login: danaUpn, sid: IDS.dana },
    entraOnly: true,
    connectionType: 'Redirect',
    databases: ['orders'],
  });
  const options = sdkOptions(twin);
  client = new SqlManagementClient(twin.tokens.credential(IDS.dana) as never, IDS.subscriptionId, options);
  reader = new SqlManagementClient(twin.tokens.credential(READER) as never, IDS.subscriptionId, options);
});

describe('servers', () => {
  test('get: spec shape, FQDN, public access, private endpoints, TLS floor and the Entra admin on the server object', async () => {
    const capture = captureBody();
    const open = await client.servers.get(RG, 'sql-open', capture.options);
    assert.equal(open.fullyQualifiedDomainName, 'sql-open.database.twin.test');
    assert.equal(open.publicNetworkAccess, 'Enabled');
    assert.equal(open.minimalTlsVersion, '1.2');
    assert.equal(open.administrators, undefined);

    const locked = await client.servers.get(RG, 'sql-locked', capture.options);
    // The example's `tags` are user data.
    assertSameShape(capture.body(), exampleBody('sql/2022-08-01-preview/ServerGet.json'), 'server shape', [
      '$.tags.tagKey1',
    ]);
    assert.equal(locked.publicNetworkAccess, 'Disabled');
    assert.equal(
      locked.privateEndpointConnections?.[0]?.properties?.privateLinkServiceConnectionState?.status,
      'Approved',
    );
    assert.deepEqual(locked.administrators, {
      administratorType: 'ActiveDirectory',
      principalType: 'User',
      login: danaUpn,
      sid: IDS.dana,
      tenantId: IDS.tenantId,
      azureADOnlyAuthentication: true,
    });
    assert.equal('twinConnectionType' in capture.body().properties, false);
  });

  test('lists by resource group and subscription', async () => {
    const capture = captureBody();
    const names: string[] = [];
    for await (const s of client.servers.listByResourceGroup(RG, capture.options)) names.push(s.name!);
    assert.deepEqual(names.sort(), ['sql-locked', 'sql-open']);
    let count = 0;
    for await (const _ of client.servers.list(capture.options)) count++;
    assert.equal(count, 2);
    // What the fleet audit lists when Resource Graph has not indexed a server yet.
    assertSameShape(capture.body(), exampleBody('sql/2022-08-01-preview/ServerList.json'), 'list shape');
  });

  test('missing server and missing group are ARM 404s', async () => {
    const error = await sdkError(client.servers.get(RG, 'nope'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'ResourceNotFound');
    assert.match(
      error.message,
      /^The Resource 'Microsoft\.Sql\/servers\/nope' under resource group 'rg-orders' was not found\./,
    );
    assert.equal(
      (await sdkError(client.servers.get('rg-missing', 'sql-open'))).code,
      'ResourceGroupNotFound',
    );
  });

  test('connection policy Default: connectionType lower-case, as the spec example answers', async () => {
    const capture = captureBody();
    const policy = await client.serverConnectionPolicies.get(RG, 'sql-locked', 'default', capture.options);
    const example = exampleBody('sql/2021-05-01-preview/ServerConnectionPoliciesGet.json') as {
      properties: { connectionType: string };
    };
    assert.equal(example.properties.connectionType, 'redirect');
    assert.equal(policy.connectionType, example.properties.connectionType);
    assertSameShape(capture.body(), example);
    assert.equal(
      (await client.serverConnectionPolicies.get(RG, 'sql-open', 'default')).connectionType,
      'default',
    );
  });

  test('private endpoint connections: list and get', async () => {
    const names: string[] = [];
    for await (const c of client.privateEndpointConnections.listByServer(RG, 'sql-locked'))
      names.push(c.name!);
    assert.equal(names.length, 1);
    const one = await client.privateEndpointConnections.get(RG, 'sql-locked', names[0]!);
    assert.match(String(one.privateEndpoint?.id), /privateEndpoints\/pe-sql$/);
  });
});

describe('Entra administrator and Entra-only authentication', () => {
  test('Entra-only needs an admin first', async () => {
    const error = await sdkError(
      client.serverAzureADOnlyAuthentications.beginCreateOrUpdateAndWait(
        RG,
        'sql-open',
        'Default',
        { azureADOnlyAuthentication: true },
        LRO,
      ),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InvalidServerAADOnlyAuthNoAADAdminPropertyName');
    const capture = captureBody();
    const current = await client.serverAzureADOnlyAuthentications.get(
      RG,
      'sql-open',
      'Default',
      capture.options,
    );
    assert.equal(current.azureADOnlyAuthentication, false);
  });

  test('set the admin (long-running), then Entra-only (long-running); shapes as the spec examples', async () => {
    await client.serverAzureADAdministrators.beginCreateOrUpdateAndWait(
      RG,
      'sql-open',
      'ActiveDirectory',
      { administratorType: 'ActiveDirectory', login: danaUpn, sid: IDS.dana, tenantId: IDS.tenantId },
      LRO,
    );
    const capture = captureBody();
    const admin = await client.serverAzureADAdministrators.get(
      RG,
      'sql-open',
      'ActiveDirectory',
      capture.options,
    );
    assert.equal(admin.login, danaUpn);
    // The example writes the boolean as the string "true"; the spec schema (and Azure) say boolean.
    assertSameShape(capture.body(), exampleBody(`${OLD}/AdministratorGet.json`), 'admin shape', [
      '$.properties.azureADOnlyAuthentication',
    ]);
    assert.equal(capture.body().properties.azureADOnlyAuthentication, false);
    for await (const _ of client.serverAzureADAdministrators.listByServer(RG, 'sql-open', capture.options));
    assertSameShape(capture.body(), exampleBody(`${OLD}/AdministratorList.json`));

    await client.serverAzureADOnlyAuthentications.beginCreateOrUpdateAndWait(
      RG,
      'sql-open',
      'Default',
      { azureADOnlyAuthentication: true },
      LRO,
    );
    for await (const _ of client.serverAzureADOnlyAuthentications.listByServer(
      RG,
      'sql-open',
      capture.options,
    ));
    assertSameShape(capture.body(), exampleBody(`${OLD}/AzureADOnlyAuthList.json`));
    assert.equal((await client.servers.get(RG, 'sql-open')).administrators?.azureADOnlyAuthentication, true);
  });

  test('deleting the admin while Entra-only is on fails; after switching it off it succeeds', async () => {
    const error = await sdkError(
      client.serverAzureADAdministrators.beginDeleteAndWait(RG, 'sql-open', 'ActiveDirectory', LRO),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InvalidServerAzureADAdminDeleteOperation');
    await client.serverAzureADOnlyAuthentications.beginCreateOrUpdateAndWait(
      RG,
      'sql-open',
      'Default',
      { azureADOnlyAuthentication: false },
      LRO,
    );
    await client.serverAzureADAdministrators.beginDeleteAndWait(RG, 'sql-open', 'ActiveDirectory', LRO);
    assert.equal(
      (await sdkError(client.serverAzureADAdministrators.get(RG, 'sql-open', 'ActiveDirectory'))).code,
      'ResourceNotFound',
    );
  });
});

describe('firewall rules and databases', () => {
  test('create (201), replace (200), get, list, delete', async () => {
    const capture = captureBody();
    const statuses: number[] = [];
    const record = { onResponse: (raw: { status: number }) => void statuses.push(raw.status) };
    await client.firewallRules.createOrUpdate(
      RG,
      'sql-open',
      'svc_dev',
      { startIpAddress: '198.51.100.7', endIpAddress: '198.51.100.7' },
      record,
    );
    await client.firewallRules.createOrUpdate(
      RG,
      'sql-open',
      'svc_dev',
      { startIpAddress: '198.51.100.7', endIpAddress: '198.51.100.8' },
      record,
    );
    assert.deepEqual(statuses, [201, 200]);
    const rule = await client.firewallRules.get(RG, 'sql-open', 'svc_dev', capture.options);
    assert.equal(rule.endIpAddress, '198.51.100.8');
    assertSameShape(capture.body(), exampleBody(`${OLD}/FirewallRuleGet.json`));
    const names: string[] = [];
    for await (const r of client.firewallRules.listByServer(RG, 'sql-open', capture.options))
      names.push(r.name!);
    assert.deepEqual(names, ['AllowAllWindowsAzureIps', 'svc_dev']);
    assertSameShape(capture.body(), exampleBody(`${OLD}/FirewallRuleList.json`));
    await client.firewallRules.delete(RG, 'sql-open', 'svc_dev');
    assert.equal((await sdkError(client.firewallRules.get(RG, 'sql-open', 'svc_dev'))).statusCode, 404);
  });

  test('firewall edits on a server with public access disabled fail as Azure does (42101)', async () => {
    const error = await sdkError(
      client.firewallRules.createOrUpdate(RG, 'sql-locked', 'svc_dev', {
        startIpAddress: '198.51.100.7',
        endIpAddress: '198.51.100.7',
      }),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'DenyPublicEndpointEnabled');
    assert.match(error.message, /public network interface for the server is disabled/);
  });

  test('rule validation: IPv4 only, ordered range', async () => {
    const refusal = async (startIpAddress: string, endIpAddress: string) =>
      (
        await sdkError(
          client.firewallRules.createOrUpdate(RG, 'sql-open', 'r', { startIpAddress, endIpAddress }),
        )
      ).code;
    assert.equal(await refusal('fe80::1', 'fe80::1'), 'FirewallRuleNotIPv4Address');
    assert.equal(await refusal('10.0.0.2', '10.0.0.1'), 'FirewallRuleInvalidRange');
  });

  test('a Reader reads rules but gets 403 AuthorizationFailed writing one', async () => {
    let count = 0;
    for await (const _ of reader.firewallRules.listByServer(RG, 'sql-open')) count++;
    assert.ok(count >= 1);
    const error = await sdkError(
      reader.firewallRules.createOrUpdate(RG, 'sql-open', 'x', {
        startIpAddress: '1.1.1.1',
        endIpAddress: '1.1.1.1',
      }),
    );
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'AuthorizationFailed');
    assert.match(error.message, /Microsoft\.Sql\/servers\/firewallRules\/write/);
  });

  test('databases: get in the spec shape, list includes master, create is long-running', async () => {
    const capture = captureBody();
    await client.databases.get(RG, 'sql-open', 'orders', capture.options);
    assertSameShape(capture.body(), exampleBody('sql/2022-08-01-preview/GetVCoreDatabase.json'));
    await client.databases.beginCreateOrUpdateAndWait(RG, 'sql-open', 'billing', { location: 'eastus' }, LRO);
    const names: string[] = [];
    for await (const d of client.databases.listByServer(RG, 'sql-open')) names.push(d.name!);
    assert.deepEqual(names, ['master', 'orders', 'billing']);
    assert.equal((await sdkError(client.databases.get(RG, 'sql-open', 'nope'))).code, 'ResourceNotFound');
  });
});
