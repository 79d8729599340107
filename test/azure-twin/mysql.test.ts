/**
 * The twin's MySQL flexible-server provider. @azure/arm-mysql-flexible 3.1.0 (api-version 2021-05-01)
 * drives servers, firewall rules, databases and configurations; that package has neither the server
 * identity nor the Entra administrator, so those go through `armRest` (core-rest-pipeline + core-lro,
 * api-version 2023-12-30) exactly as the tool will call them. TLS is verified: `startTwin` adds its CA
 * to this process's default CAs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MySQLManagementFlexibleServerClient } from '@azure/arm-mysql-flexible';
import { IDS, type Twin } from './index.ts';
import { seedMysqlServer } from './providers/mysql.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { captureBody, exampleBody, sdkError } from './testing/sdk-capture.ts';
import { assertSameShape } from './testing/shape.ts';
import { sdkOptions, twinPerFile } from './testing/twin-fixture.ts';

const RG = 'rg-orders';
const READER = '7e0d0000-0000-4000-8000-00000000eade';
const UAMI_OID = '4b4b0000-0000-4000-8000-0000000000b2';
const UAMI_CLIENT = '4c4c0000-0000-4000-8000-0000000000c3';
const LRO = { updateIntervalInMs: 5 };
const NEW = '2023-12-30';

let twin: Twin;
let client: MySQLManagementFlexibleServerClient;
let reader: MySQLManagementFlexibleServerClient;
let rest: ArmRest;
let uamiId: string;
const hookCalls: string[] = [];

const serverPath = (name: string) =>
  `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DBforMySQL/flexibleServers/${name}`;

twinPerFile(READER, (fixture) => {
  twin = fixture.twin;
  uamiId = `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mysql-graph-reader`;
  twin.world.principals.push({
    objectId: UAMI_OID,
    appId: UAMI_CLIENT,
    tenantId: IDS.tenantId,
    kind: 'managedIdentity',
    displayName: 'mysql-graph-reader',
    alternativeId: uamiId,
  });
  const target = { store: twin.store, world: twin.world };
  seedMysqlServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'mysql-public',
    databases: ['orders'],
    firewallRules: [{ name: 'office', startIpAddress: '203.0.113.0', endIpAddress: '203.0.113.255' }],
  });
  seedMysqlServer(target, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: RG,
    name: 'mysql-vnet',
    delegatedSubnet: `/subscriptions/${IDS.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/mysql`,
    identities: [uamiId],
    admin: { login: `dana@${twin.world.tenantDomain}`, sid: IDS.dana },
  });
  twin.context.databases.mysqlAdminSet = async (server, admin) => {
    hookCalls.push(`set ${server.name} ${admin.login} ${admin.sid}`);
  };
  twin.context.databases.mysqlAdminRemoved = async (server, login) => {
    hookCalls.push(`removed ${server.name} ${login}`);
  };
  const options = sdkOptions(twin);
  client = new MySQLManagementFlexibleServerClient(
    twin.tokens.credential(IDS.dana) as never,
    IDS.subscriptionId,
    options,
  );
  reader = new MySQLManagementFlexibleServerClient(
    twin.tokens.credential(READER) as never,
    IDS.subscriptionId,
    options,
  );
  rest = fixture.dana;
});

describe('servers', () => {
  test('get answers the spec shapes, with the twin FQDN and the VNet fields named as MySQL names them', async () => {
    const capture = captureBody();
    const server = await client.servers.get(RG, 'mysql-public', capture.options);
    assert.equal(server.fullyQualifiedDomainName, 'mysql-public.mysql.twin.test');
    // `tags.num` is the example's own user tag, not part of the server model.
    assertSameShape(capture.body(), exampleBody('mysql/2023-12-30/ServerGet.json'), 'server shape', [
      '$.tags.num',
    ]);

    await client.servers.get(RG, 'mysql-vnet', capture.options);
    const raw = capture.body();
    assertSameShape(raw, exampleBody('mysql/2021-05-01/ServerGetWithVnet.json'), 'VNet server shape', [
      '$.tags.num',
    ]);
    assert.equal(raw.properties.network.publicNetworkAccess, 'Disabled');
    assert.match(
      raw.properties.network.privateDnsZoneResourceId,
      /mysql-vnet\.private\.mysql\.database\.azure\.com$/,
    );
    assert.equal(raw.properties.network.privateDnsZoneArmResourceId, undefined);
    assert.deepEqual(raw.identity.userAssignedIdentities[uamiId], {
      principalId: UAMI_OID,
      clientId: UAMI_CLIENT,
      tenantId: IDS.tenantId,
    });
  });

  test('lists by resource group and subscription', async () => {
    const names: string[] = [];
    for await (const s of client.servers.listByResourceGroup(RG)) names.push(s.name!);
    assert.deepEqual(names.sort(), ['mysql-public', 'mysql-vnet']);
    let count = 0;
    for await (const _ of client.servers.list()) count++;
    assert.equal(count, 2);
  });

  test('a missing server is ResourceNotFound', async () => {
    const error = await sdkError(client.servers.get(RG, 'nope'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'ResourceNotFound');
    assert.match(
      error.message,
      /^The Resource 'Microsoft\.DBforMySQL\/flexibleServers\/nope' under resource group 'rg-orders' was not found\./,
    );
  });
});

describe('Microsoft Entra administrator (api-version 2023-12-30)', () => {
  test('setting an admin on a server without a user-assigned identity is refused', async () => {
    const answer = await rest.send(
      'PUT',
      `${serverPath('mysql-public')}/administrators/ActiveDirectory?api-version=${NEW}`,
      {
        properties: {
          administratorType: 'ActiveDirectory',
          login: 'dana',
          sid: IDS.dana,
          tenantId: IDS.tenantId,
          identityResourceId: uamiId,
        },
      },
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error, {
      code: 'InvalidParameterValue',
      message: 'Invalid value given for parameter identityResourceId. Specify a valid parameter value.',
    });
  });

  test('attach the identity (PATCH, long-running), then set the admin (PUT, long-running)', async () => {
    await rest.lro(
      'PATCH',
      `${serverPath('mysql-public')}?api-version=${NEW}`,
      { identity: { type: 'UserAssigned', userAssignedIdentities: { [uamiId]: {} } } },
      'azure-async-operation',
    );
    const server = await rest.send('GET', `${serverPath('mysql-public')}?api-version=${NEW}`);
    assert.deepEqual(Object.keys(server.body.identity.userAssignedIdentities), [uamiId]);

    const run = await rest.lro(
      'PUT',
      `${serverPath('mysql-public')}/administrators/ActiveDirectory?api-version=${NEW}`,
      {
        properties: {
          administratorType: 'ActiveDirectory',
          login: `dana@${twin.world.tenantDomain}`,
          sid: IDS.dana,
          tenantId: IDS.tenantId,
          identityResourceId: uamiId,
        },
      },
      'azure-async-operation',
    );
    assert.equal(run.initial.status, 202);
    assert.ok(run.initial.headers['azure-asyncoperation']);
    const admin = await rest.send(
      'GET',
      `${serverPath('mysql-public')}/administrators/ActiveDirectory?api-version=${NEW}`,
    );
    assertSameShape(admin.body, exampleBody('mysql/2023-12-30/AzureADAdministratorGet.json'));
    assert.ok(hookCalls.includes(`set mysql-public dana@${twin.world.tenantDomain} ${IDS.dana}`));
  });

  test('deleting the admin is refused as Azure refuses it: a Reader 403, an unknown admin name 400; none set is 204', async () => {
    const path = `${serverPath('mysql-vnet')}/administrators/ActiveDirectory?api-version=${NEW}`;
    const asReader = armRest(twin.baseUrl, twin.tokens.credential(READER));
    const denied = await asReader.send('DELETE', path);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'AuthorizationFailed');
    assert.match(denied.body.error.message, /Microsoft\.DBforMySQL\/flexibleServers\/administrators\/delete/);
    const misnamed = await rest.send(
      'DELETE',
      `${serverPath('mysql-vnet')}/administrators/Somebody?api-version=${NEW}`,
    );
    assert.equal(misnamed.status, 400);
    assert.equal(misnamed.body.error.code, 'InvalidParameterValue');
    assert.ok(twin.store.get(path.split('?')[0]!), 'the admin is still there');
    // Deleted (long-running, final state via Location); then nothing is left to delete: 204, as
    // AzureADAdministratorDelete.json allows. The next test sets an admin on this server again.
    await rest.lro('DELETE', path, undefined, 'location');
    assert.equal(twin.store.get(path.split('?')[0]!), undefined);
    const none = await rest.send('DELETE', path);
    assert.equal(none.status, 204);
  });

  test('an admin whose sid names no principal or group of the tenant is refused at the PUT', async () => {
    const answer = await rest.send(
      'PUT',
      `${serverPath('mysql-vnet')}/administrators/ActiveDirectory?api-version=${NEW}`,
      {
        properties: {
          administratorType: 'ActiveDirectory',
          login: 'nobody',
          sid: '0bad0000-0000-4000-8000-0000000000d4',
          identityResourceId: uamiId,
        },
      },
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error, {
      code: 'InvalidParameterValue',
      message: 'Invalid value given for parameter sid. Specify a valid parameter value.',
    });
    const admin = await rest.send(
      'GET',
      `${serverPath('mysql-vnet')}/administrators/ActiveDirectory?api-version=${NEW}`,
    );
    assert.notEqual(admin.body.properties?.login, 'nobody', 'nothing changed');
  });

  test('a second PUT replaces the single admin', async () => {
    // The new admin is a group of the tenant (an unknown sid is refused, see above).
    twin.world.groups = [
      ...(twin.world.groups ?? []),
      { objectId: '6d6d0000-0000-4000-8000-0000000000d4', displayName: 'db-admins', members: [] },
    ];
    await rest.lro(
      'PUT',
      `${serverPath('mysql-vnet')}/administrators/ActiveDirectory?api-version=${NEW}`,
      {
        properties: {
          administratorType: 'ActiveDirectory',
          login: 'db-admins',
          sid: '6d6d0000-0000-4000-8000-0000000000d4',
          identityResourceId: uamiId,
        },
      },
      'azure-async-operation',
    );
    const list = await rest.send('GET', `${serverPath('mysql-vnet')}/administrators?api-version=${NEW}`);
    assert.deepEqual(
      list.body.value.map((a: { properties: { login: string } }) => a.properties.login),
      ['db-admins'],
    );
    assertSameShape(list.body, exampleBody('mysql/2023-12-30/AzureADAdministratorsListByServer.json'));
    assert.ok(hookCalls.includes(`removed mysql-vnet dana@${twin.world.tenantDomain}`));
  });

  test('administrators do not exist in api-version 2021-05-01', async () => {
    const answer = await rest.send(
      'GET',
      `${serverPath('mysql-vnet')}/administrators?api-version=2021-05-01`,
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'NoRegisteredProviderFound');
  });
});

describe('configurations', () => {
  test('aad_auth_only reads OFF, then ON after an update through the SDK', async () => {
    const capture = captureBody();
    const before = await client.configurations.get(RG, 'mysql-vnet', 'aad_auth_only', capture.options);
    assert.equal(before.value, 'OFF');
    assertSameShape(capture.body(), exampleBody('mysql/2023-12-30/ConfigurationGet.json'));
    await client.configurations.beginUpdateAndWait(
      RG,
      'mysql-vnet',
      'aad_auth_only',
      { value: 'ON', source: 'user-override' },
      LRO,
    );
    assert.equal((await client.configurations.get(RG, 'mysql-vnet', 'aad_auth_only')).value, 'ON');
  });
});

describe('firewall rules and databases', () => {
  test('create (long-running), get, list and delete a rule', async () => {
    const capture = captureBody();
    await client.firewallRules.beginCreateOrUpdateAndWait(
      RG,
      'mysql-public',
      'svc_dev',
      { startIpAddress: '198.51.100.7', endIpAddress: '198.51.100.7' },
      LRO,
    );
    const rule = await client.firewallRules.get(RG, 'mysql-public', 'svc_dev', capture.options);
    assert.equal(rule.endIpAddress, '198.51.100.7');
    assertSameShape(capture.body(), exampleBody('mysql/2021-05-01/FirewallRuleGet.json'));
    const names: string[] = [];
    for await (const r of client.firewallRules.listByServer(RG, 'mysql-public')) names.push(r.name!);
    assert.deepEqual(names, ['office', 'svc_dev']);
    await client.firewallRules.beginDeleteAndWait(RG, 'mysql-public', 'svc_dev', LRO);
    assert.equal(
      (await sdkError(client.firewallRules.get(RG, 'mysql-public', 'svc_dev'))).code,
      'ResourceNotFound',
    );
  });

  test('rule names follow the MySQL pattern (no dots) and addresses must be IPv4', async () => {
    for (const [name, start] of [
      ['svc.dev', '10.0.0.1'],
      ['ok-name', '10.0.0.256'],
    ] as const) {
      const error = await sdkError(
        client.firewallRules.beginCreateOrUpdateAndWait(
          RG,
          'mysql-public',
          name,
          { startIpAddress: start, endIpAddress: '10.0.0.1' },
          LRO,
        ),
      );
      assert.equal(error.statusCode, 400, name);
    }
  });

  test('a Reader gets 403 AuthorizationFailed on a rule write', async () => {
    const error = await sdkError(
      reader.firewallRules.beginCreateOrUpdateAndWait(
        RG,
        'mysql-public',
        'x',
        { startIpAddress: '1.1.1.1', endIpAddress: '1.1.1.1' },
        LRO,
      ),
    );
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'AuthorizationFailed');
    assert.match(error.message, /Microsoft\.DBforMySQL\/flexibleServers\/firewallRules\/write/);
  });

  test('databases: get in the spec shape, create (long-running), missing one is 404', async () => {
    const capture = captureBody();
    await client.databases.get(RG, 'mysql-public', 'orders', capture.options);
    assertSameShape(capture.body(), exampleBody('mysql/2021-05-01/DatabaseGet.json'));
    await client.databases.beginCreateOrUpdateAndWait(
      RG,
      'mysql-public',
      'billing',
      { charset: 'utf8mb4' },
      LRO,
    );
    assert.equal((await client.databases.get(RG, 'mysql-public', 'billing')).charset, 'utf8mb4');
    assert.equal((await sdkError(client.databases.get(RG, 'mysql-public', 'nope'))).statusCode, 404);
  });
});
