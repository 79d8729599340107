/**
 * The twin's PostgreSQL flexible-server provider driven by the official SDK
 * (@azure/arm-postgresql-flexible, api-version 2025-08-01) over verified TLS: the twin adds its CA to
 * this process's default CAs (`startTwin` → `trustInProcess`), so the SDK's Node HTTPS client verifies
 * the twin certificate without NODE_EXTRA_CA_CERTS.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { IDS, type Twin } from './index.ts';
import { seedPostgresServer } from './providers/postgres.ts';
import { captureBody, exampleBody, sdkError } from './testing/sdk-capture.ts';
import { assertSameShape } from './testing/shape.ts';
import { sdkOptions, twinPerFile } from './testing/twin-fixture.ts';

const RG = 'rg-orders';
const EX = 'postgresql/2025-08-01';
const READER = '7e0d0000-0000-4000-8000-00000000eade';
const MI = '9a9a0000-0000-4000-8000-0000000000a1';
const LRO = { updateIntervalInMs: 5 };

let twin: Twin;
let client: PostgreSQLManagementFlexibleServerClient;
let reader: PostgreSQLManagementFlexibleServerClient;
const hookCalls: string[] = [];

function sdkClient(principal: string): PostgreSQLManagementFlexibleServerClient {
  return new PostgreSQLManagementFlexibleServerClient(
    twin.tokens.credential(principal) as never,
    IDS.subscriptionId,
    sdkOptions(twin),
  );
}

twinPerFile(READER, (fixture) => {
  twin = fixture.twin;
  // The managed identity made admin below: the RP validates admins against Entra, so Graph knows it.
  twin.context.addPrincipal({
    objectId: MI,
    appId: '9b9b0000-0000-4000-8000-0000000000a2',
    tenantId: IDS.tenantId,
    kind: 'managedIdentity',
    displayName: 'orders-api',
  });
  const target = { store: twin.store, world: twin.world };
  seedPostgresServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'pg-public',
    firewallRules: [{ name: 'office', startIpAddress: '203.0.113.0', endIpAddress: '203.0.113.255' }],
    databases: ['orders'],
  });
  seedPostgresServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'pg-vnet',
    delegatedSubnet: `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pg`,
    entraAuth: true,
    admins: [{ objectId: IDS.dana, principalName: `dana@${twin.world.tenantDomain}` }],
  });
  seedPostgresServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'pg-private-endpoint',
    privateEndpoint: `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/pe-orders`,
  });
  twin.context.databases.postgresAdminAdded = async (server, admin) => {
    hookCalls.push(`added ${server.name} ${admin.principalName} ${admin.principalType}`);
  };
  twin.context.databases.postgresAdminRemoved = async (server, name) => {
    hookCalls.push(`removed ${server.name} ${name}`);
  };
  client = sdkClient(IDS.dana);
  reader = sdkClient(READER);
});

describe('servers', () => {
  test('get answers the spec shape for public, VNet-integrated and private-endpoint servers', async () => {
    const capture = captureBody();
    const server = await client.servers.get(RG, 'pg-public', capture.options);
    assert.equal(server.fullyQualifiedDomainName, 'pg-public.postgres.twin.test');
    assert.equal(server.network?.publicNetworkAccess, 'Enabled');
    assert.equal(server.state, 'Ready');
    assertSameShape(capture.body(), exampleBody(`${EX}/ServersGet.json`));

    const vnet = await client.servers.get(RG, 'pg-vnet', capture.options);
    assert.equal(vnet.network?.publicNetworkAccess, 'Disabled');
    assert.match(String(vnet.network?.delegatedSubnetResourceId), /subnets\/pg$/);
    assert.match(
      String(vnet.network?.privateDnsZoneArmResourceId),
      /privateDnsZones\/pg-vnet\.private\.postgres\.database\.azure\.com$/,
    );
    // The example server is zone-redundant and carries a user tag; neither is part of VNet integration.
    assertSameShape(capture.body(), exampleBody(`${EX}/ServersGetWithVnet.json`), 'VNet server shape', [
      '$.properties.highAvailability.standbyAvailabilityZone',
      '$.tags.VnetServer',
    ]);

    const pe = await client.servers.get(RG, 'pg-private-endpoint', capture.options);
    assert.equal(pe.privateEndpointConnections?.[0]?.privateLinkServiceConnectionState?.status, 'Approved');
    assertSameShape(capture.body(), exampleBody(`${EX}/ServersGetWithPrivateEndpoints.json`));
  });

  test('lists by resource group and by subscription', async () => {
    const names: string[] = [];
    for await (const s of client.servers.listByResourceGroup(RG)) names.push(s.name!);
    assert.deepEqual(names.sort(), ['pg-private-endpoint', 'pg-public', 'pg-vnet']);
    const all: string[] = [];
    for await (const s of client.servers.listBySubscription()) all.push(s.name!);
    assert.equal(all.length, 3);
  });

  test('PATCH enabling Entra auth is long-running, keeps password auth and sets the tenant', async () => {
    await client.servers.beginUpdateAndWait(
      RG,
      'pg-public',
      { authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' } },
      LRO,
    );
    const server = await client.servers.get(RG, 'pg-public');
    assert.deepEqual(server.authConfig, {
      activeDirectoryAuth: 'Enabled',
      passwordAuth: 'Enabled',
      tenantId: IDS.tenantId,
    });
    assert.equal(server.state, 'Ready');
  });

  test('PATCH disabling both auth methods is refused', async () => {
    const error = await sdkError(
      client.servers.beginUpdateAndWait(
        RG,
        'pg-vnet',
        { authConfig: { activeDirectoryAuth: 'Disabled', passwordAuth: 'Disabled' } },
        LRO,
      ),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InvalidParameterValue');
  });

  test('a missing server is ARM ResourceNotFound naming type, server and group', async () => {
    const error = await sdkError(client.servers.get(RG, 'nope'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'ResourceNotFound');
    assert.equal(
      error.message,
      "The Resource 'Microsoft.DBforPostgreSQL/flexibleServers/nope' under resource group 'rg-orders' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
    const missingGroup = await sdkError(client.servers.get('rg-missing', 'pg-public'));
    assert.equal(missingGroup.code, 'ResourceGroupNotFound');
  });
});

describe('Microsoft Entra administrators', () => {
  test('adding admins is long-running, allows several, and reaches the database hook', async () => {
    await client.administratorsMicrosoftEntra.beginCreateOrUpdateAndWait(
      RG,
      'pg-vnet',
      MI,
      { principalName: 'orders-api', principalType: 'ServicePrincipal', tenantId: IDS.tenantId },
      LRO,
    );
    const capture = captureBody();
    const admins = [];
    for await (const a of client.administratorsMicrosoftEntra.listByServer(RG, 'pg-vnet', capture.options))
      admins.push(a);
    assert.deepEqual(admins.map((a) => a.objectId).sort(), [IDS.dana, MI].sort());
    assertSameShape(capture.body(), exampleBody(`${EX}/AdministratorsListByServer.json`));

    const one = await client.administratorsMicrosoftEntra.get(RG, 'pg-vnet', MI, capture.options);
    assert.equal(one.principalName, 'orders-api');
    assertSameShape(capture.body(), exampleBody(`${EX}/AdministratorsMicrosoftEntraGet.json`));
    assert.ok(hookCalls.includes('added pg-vnet orders-api ServicePrincipal'));
  });

  test('deleting an admin is long-running and reaches the database hook', async () => {
    await client.administratorsMicrosoftEntra.beginDeleteAndWait(RG, 'pg-vnet', MI, LRO);
    const error = await sdkError(client.administratorsMicrosoftEntra.get(RG, 'pg-vnet', MI));
    assert.equal(error.code, 'ResourceNotFound');
    assert.ok(hookCalls.includes('removed pg-vnet orders-api'));
  });

  test('adding an admin while Entra auth is off is refused', async () => {
    const error = await sdkError(
      client.administratorsMicrosoftEntra.beginCreateOrUpdateAndWait(
        RG,
        'pg-private-endpoint',
        MI,
        { principalName: 'x', principalType: 'User' },
        LRO,
      ),
    );
    assert.equal(error.statusCode, 400);
  });
});

describe('firewall rules', () => {
  test('create, get, list and delete through long-running operations', async () => {
    const capture = captureBody();
    await client.firewallRules.beginCreateOrUpdateAndWait(
      RG,
      'pg-public',
      'svc_dev',
      { startIpAddress: '198.51.100.7', endIpAddress: '198.51.100.7' },
      LRO,
    );
    const rule = await client.firewallRules.get(RG, 'pg-public', 'svc_dev', capture.options);
    assert.equal(rule.startIpAddress, '198.51.100.7');
    assertSameShape(capture.body(), exampleBody(`${EX}/FirewallRulesGet.json`));
    const names: string[] = [];
    for await (const r of client.firewallRules.listByServer(RG, 'pg-public', capture.options))
      names.push(r.name!);
    assert.deepEqual(names, ['office', 'svc_dev']);
    assertSameShape(capture.body(), exampleBody(`${EX}/FirewallRulesListByServer.json`), 'list shape', [
      '$.nextLink',
    ]);
    await client.firewallRules.beginDeleteAndWait(RG, 'pg-public', 'svc_dev', LRO);
    assert.equal(
      (await sdkError(client.firewallRules.get(RG, 'pg-public', 'svc_dev'))).code,
      'ResourceNotFound',
    );
  });

  test('rejects non-IPv4 addresses, reversed ranges and bad names', async () => {
    const bad = [
      { name: 'r1', body: { startIpAddress: '::1', endIpAddress: '::1' } },
      { name: 'r2', body: { startIpAddress: '10.0.0.9', endIpAddress: '10.0.0.1' } },
      { name: 'bad name!', body: { startIpAddress: '10.0.0.1', endIpAddress: '10.0.0.1' } },
    ];
    for (const { name, body } of bad) {
      const error = await sdkError(
        client.firewallRules.beginCreateOrUpdateAndWait(RG, 'pg-public', name, body, LRO),
      );
      assert.equal(error.statusCode, 400, name);
    }
  });

  test('a Reader can read rules but a write is 403 AuthorizationFailed naming the action', async () => {
    const rule = await reader.firewallRules.get(RG, 'pg-public', 'office');
    assert.equal(rule.name, 'office');
    const error = await sdkError(
      reader.firewallRules.beginCreateOrUpdateAndWait(
        RG,
        'pg-public',
        'x',
        { startIpAddress: '1.1.1.1', endIpAddress: '1.1.1.1' },
        LRO,
      ),
    );
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'AuthorizationFailed');
    assert.match(error.message, /Microsoft\.DBforPostgreSQL\/flexibleServers\/firewallRules\/write/);
  });
});

describe('databases, configurations, private endpoint connections', () => {
  test('databases: create (long-running), get, list, delete', async () => {
    const capture = captureBody();
    await client.databases.beginCreateAndWait(
      RG,
      'pg-public',
      'billing',
      { charset: 'UTF8', collation: 'en_US.utf8' },
      LRO,
    );
    await client.databases.get(RG, 'pg-public', 'billing');
    const names: string[] = [];
    for await (const d of client.databases.listByServer(RG, 'pg-public', capture.options))
      names.push(d.name!);
    assert.deepEqual(names, ['postgres', 'orders', 'billing']);
    assertSameShape(capture.body(), exampleBody(`${EX}/DatabasesListByServer.json`));
    await client.databases.beginDeleteAndWait(RG, 'pg-public', 'billing', LRO);
    assert.equal((await sdkError(client.databases.get(RG, 'pg-public', 'billing'))).statusCode, 404);
  });

  test('databases: a missing one is 404 ResourceNotFound naming it, server and group; a missing server 404 too', async () => {
    const missing = await sdkError(client.databases.get(RG, 'pg-public', 'nope'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'ResourceNotFound');
    assert.match(
      missing.message,
      /flexibleServers\/pg-public\/databases\/nope' under resource group 'rg-orders'/,
    );
    const noServer = await sdkError(client.databases.get(RG, 'pg-missing', 'orders'));
    assert.equal(noServer.statusCode, 404);
    assert.match(noServer.message, /pg-missing/);
    const listed = await sdkError(
      (async () => {
        for await (const _ of client.databases.listByServer(RG, 'pg-missing')) void _;
      })(),
    );
    assert.equal(listed.statusCode, 404);
  });

  test('configurations: get and list', async () => {
    const capture = captureBody();
    const config = await client.configurations.get(
      RG,
      'pg-public',
      'require_secure_transport',
      capture.options,
    );
    assert.equal(config.value, 'on');
    assertSameShape(capture.body(), exampleBody(`${EX}/ConfigurationsGet.json`));
    let count = 0;
    for await (const _ of client.configurations.listByServer(RG, 'pg-public')) count++;
    assert.ok(count >= 3);
    assert.equal(
      (await sdkError(client.configurations.get(RG, 'pg-public', 'no_such_parameter'))).code,
      'ResourceNotFound',
    );
  });

  test('private endpoint connections: list and get', async () => {
    const capture = captureBody();
    const connections = [];
    for await (const c of client.privateEndpointConnections.listByServer(RG, 'pg-private-endpoint'))
      connections.push(c);
    assert.equal(connections.length, 1);
    const one = await client.privateEndpointConnections.get(
      RG,
      'pg-private-endpoint',
      connections[0]!.name!,
      capture.options,
    );
    assert.match(String(one.privateEndpoint?.id), /privateEndpoints\/pe-orders$/);
    assertSameShape(capture.body(), exampleBody(`${EX}/PrivateEndpointConnectionsGet.json`));
  });
});

test('an api-version the RP does not serve is NoRegisteredProviderFound', async () => {
  const url = `${twin.baseUrl}/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-public?api-version=1999-01-01`;
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'arm')}` },
  });
  assert.equal(response.status, 400);
  assert.equal(
    ((await response.json()) as { error: { code: string } }).error.code,
    'NoRegisteredProviderFound',
  );
});
