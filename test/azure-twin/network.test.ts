/**
 * Microsoft.Network through raw ARM REST (no Network SDK is installed): virtual networks with their
 * subnets and delegations, subnets, private endpoints, checked against the 2024-05-01 spec examples,
 * with Azure's 404s and RBAC.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDS, type Twin } from './index.ts';
import { seedPrivateEndpoint, seedVirtualNetwork } from './providers/network.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { addRoleless, twinPerFile } from './testing/twin-fixture.ts';

const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/network/2024-05-01/${file}`, import.meta.url), 'utf8'))
    .responses['200'].body;
const SUB = IDS.subscriptionId;
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-orders`;
const VNETS = `${GROUP}/providers/Microsoft.Network/virtualNetworks`;
const PES = `${GROUP}/providers/Microsoft.Network/privateEndpoints`;
const SERVER = `${GROUP}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders`;
const V = '?api-version=2024-05-01';

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();
const nobody = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  addRoleless(twin, nobody);
  seedVirtualNetwork(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'vnet-orders',
    addressPrefixes: ['10.0.0.0/16'],
    subnets: [
      {
        name: 'postgres',
        addressPrefix: '10.0.1.0/24',
        delegation: 'Microsoft.DBforPostgreSQL/flexibleServers',
      },
      { name: 'apps', addressPrefix: '10.0.3.0/24', delegation: 'Microsoft.Web/serverFarms' },
      { name: 'endpoints', addressPrefix: '10.0.4.0/24' },
    ],
  });
  seedVirtualNetwork(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'vnet-empty' });
  for (const [name, status, ip] of [
    ['pe-approved', 'Approved', '10.0.4.4'],
    ['pe-pending', 'Pending', '10.0.4.5'],
    ['pe-rejected', 'Rejected', '10.0.4.6'],
  ] as const) {
    seedPrivateEndpoint(twin, {
      subscriptionId: SUB,
      resourceGroup: 'rg-orders',
      name,
      subnetId: `${VNETS}/vnet-orders/subnets/endpoints`,
      targetId: SERVER,
      groupId: 'postgresqlServer',
      privateIp: ip,
      fqdn: 'pg-orders.postgres.twin.test',
      status,
    });
  }
});

test('a virtual network GET embeds its subnets with their delegations (shape of VirtualNetworkGetWithSubnetDelegation.json)', async () => {
  const got = await dana.send('GET', `${VNETS}/vnet-orders${V}`);
  assert.equal(got.status, 200);
  // `ipConfigurations` lists the NICs of VMs and load balancers in the subnet; the twin has none.
  assertSameShape(got.body, example('VirtualNetworkGetWithSubnetDelegation.json'), 'vnet', [
    '$.properties.subnets[0].properties.ipConfigurations',
  ]);
  assert.deepEqual(got.body.properties.addressSpace.addressPrefixes, ['10.0.0.0/16']);
  const subnets = Object.fromEntries(
    got.body.properties.subnets.map((s: { name: string; properties: Record<string, any> }) => [
      s.name,
      s.properties,
    ]),
  );
  assert.deepEqual(Object.keys(subnets), ['postgres', 'apps', 'endpoints']);
  assert.equal(
    subnets.postgres.delegations[0].properties.serviceName,
    'Microsoft.DBforPostgreSQL/flexibleServers',
  );
  assert.equal(subnets.apps.delegations[0].properties.serviceName, 'Microsoft.Web/serverFarms');
  assert.deepEqual(subnets.endpoints.delegations, []);
  // The Network provider lists the endpoints whose NIC is in a subnet.
  assert.deepEqual(
    subnets.endpoints.privateEndpoints.map((pe: { id: string }) => pe.id.split('/').pop()),
    ['pe-approved', 'pe-pending', 'pe-rejected'],
  );
});

test('virtual networks are listed per group and per subscription (shape of VirtualNetworkList.json)', async () => {
  const inGroup = await dana.send('GET', `${VNETS}${V}`);
  assert.equal(inGroup.status, 200);
  assertSameShape(inGroup.body, example('VirtualNetworkList.json'), 'vnet list');
  assert.deepEqual(
    inGroup.body.value.map((v: { name: string }) => v.name),
    ['vnet-orders', 'vnet-empty'],
  );
  const inSubscription = await dana.send(
    'GET',
    `/subscriptions/${SUB}/providers/Microsoft.Network/virtualNetworks${V}`,
  );
  assert.equal(inSubscription.body.value.length, 2);
});

test('a subnet GET has the shape of SubnetGet.json and carries its delegation', async () => {
  const got = await dana.send('GET', `${VNETS}/vnet-orders/subnets/postgres${V}`);
  assert.equal(got.status, 200);
  assertSameShape(got.body, example('SubnetGet.json'), 'subnet');
  assert.equal(got.body.properties.addressPrefix, '10.0.1.0/24');
  assert.equal(
    got.body.properties.delegations[0].properties.serviceName,
    'Microsoft.DBforPostgreSQL/flexibleServers',
  );
  const list = await dana.send('GET', `${VNETS}/vnet-orders/subnets${V}`);
  assert.deepEqual(
    list.body.value.map((s: { name: string }) => s.name),
    ['postgres', 'apps', 'endpoints'],
  );
});

test('private endpoints: Approved in privateLinkServiceConnections, Pending and Rejected in the manual ones, with subnet, NIC and private IP', async () => {
  const approved = await dana.send('GET', `${PES}/pe-approved${V}`);
  assert.equal(approved.status, 200);
  assertSameShape(approved.body, example('PrivateEndpointGet.json'), 'approved endpoint');
  const connection = approved.body.properties.privateLinkServiceConnections[0].properties;
  assert.equal(connection.privateLinkServiceId, SERVER);
  assert.deepEqual(connection.groupIds, ['postgresqlServer']);
  assert.equal(connection.privateLinkServiceConnectionState.status, 'Approved');
  assert.equal(approved.body.properties.subnet.id, `${VNETS}/vnet-orders/subnets/endpoints`);
  assert.match(approved.body.properties.networkInterfaces[0].id, /\/networkInterfaces\/pe-approved\.nic\./);
  assert.deepEqual(approved.body.properties.customDnsConfigs, [
    { fqdn: 'pg-orders.postgres.twin.test', ipAddresses: ['10.0.4.4'] },
  ]);

  const nic = await dana.send('GET', `${approved.body.properties.networkInterfaces[0].id}${V}`);
  assert.equal(nic.status, 200);
  // An endpoint's NIC belongs to no VM and has no public IP, NSG or DSCP configuration.
  assertSameShape(nic.body, example('NetworkInterfaceGet.json'), 'endpoint NIC', [
    '$.properties.ipConfigurations[0].properties.publicIPAddress',
    '$.properties.networkSecurityGroup',
    '$.properties.virtualMachine',
    '$.properties.dscpConfiguration',
  ]);
  assert.equal(nic.body.properties.ipConfigurations[0].properties.privateIPAddress, '10.0.4.4');
  assert.equal(nic.body.properties.privateEndpoint.id, `${PES}/pe-approved`);

  for (const [name, status] of [
    ['pe-pending', 'Pending'],
    ['pe-rejected', 'Rejected'],
  ] as const) {
    const got = await dana.send('GET', `${PES}/${name}${V}`);
    assertSameShape(got.body, example('PrivateEndpointGetForManualApproval.json'), name);
    assert.deepEqual(got.body.properties.privateLinkServiceConnections, [], name);
    assert.equal(
      got.body.properties.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState
        .status,
      status,
    );
  }
  const list = await dana.send('GET', `${PES}${V}`);
  assert.equal(list.body.value.length, 3);
});

test('unknown names answer Azure 404 codes: ResourceNotFound for networks and endpoints, NotFound for a subnet', async () => {
  const vnet = await dana.send('GET', `${VNETS}/vnet-none${V}`);
  assert.equal(vnet.status, 404);
  assert.equal(vnet.body.error.code, 'ResourceNotFound');
  assert.match(vnet.body.error.message, /Microsoft\.Network\/virtualNetworks\/vnet-none/);
  const subnetOfMissing = await dana.send('GET', `${VNETS}/vnet-none/subnets/x${V}`);
  assert.equal(subnetOfMissing.body.error.code, 'ResourceNotFound');
  const subnet = await dana.send('GET', `${VNETS}/vnet-orders/subnets/none${V}`);
  assert.equal(subnet.status, 404);
  assert.equal(subnet.body.error.code, 'NotFound');
  assert.match(subnet.body.error.message, /subnets\/none not found/);
  const nic = await dana.send('GET', `${GROUP}/providers/Microsoft.Network/networkInterfaces/none${V}`);
  assert.equal(nic.body.error.code, 'ResourceNotFound');
  const pe = await dana.send('GET', `${PES}/pe-none${V}`);
  assert.equal(pe.status, 404);
  assert.equal(pe.body.error.code, 'ResourceNotFound');
  const group = await dana.send(
    'GET',
    `/subscriptions/${SUB}/resourceGroups/rg-none/providers/Microsoft.Network/virtualNetworks/x${V}`,
  );
  assert.equal(group.body.error.code, 'ResourceGroupNotFound');
  const version = await dana.send('GET', `${VNETS}/vnet-orders?api-version=2099-01-01`);
  assert.equal(version.status, 400);
  assert.equal(version.body.error.code, 'NoRegisteredProviderFound');
});

test('RBAC: a Reader reads the network; a user without any role gets 403 AuthorizationFailed naming the read action', async () => {
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${VNETS}/vnet-orders${V}`)).status, 200);
  assert.equal((await rita.send('GET', `${PES}/pe-approved${V}`)).status, 200);
  const nora = armRest(twin.baseUrl, twin.tokens.credential(nobody));
  for (const [path, action] of [
    [`${VNETS}/vnet-orders`, 'Microsoft.Network/virtualNetworks/read'],
    [`${VNETS}/vnet-orders/subnets/postgres`, 'Microsoft.Network/virtualNetworks/subnets/read'],
    [`${PES}/pe-approved`, 'Microsoft.Network/privateEndpoints/read'],
  ] as const) {
    const denied = await nora.send('GET', `${path}${V}`);
    assert.equal(denied.status, 403, path);
    assert.equal(denied.body.error.code, 'AuthorizationFailed');
    assert.ok(denied.body.error.message.includes(`'${action}'`), denied.body.error.message);
  }
});
