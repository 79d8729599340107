/**
 * Microsoft.Network/privateDnsZones through raw ARM REST: zones, A record sets and virtual network
 * links, checked against the 2024-06-01 spec examples, with Azure's 404s and RBAC.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDS, type Twin } from './index.ts';
import { seedPrivateDnsZone } from './providers/private-dns.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { addRoleless, twinPerFile } from './testing/twin-fixture.ts';

const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/privatedns/2024-06-01/${file}`, import.meta.url), 'utf8'))
    .responses['200'].body;
const SUB = IDS.subscriptionId;
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-orders`;
const ZONES = `${GROUP}/providers/Microsoft.Network/privateDnsZones`;
const ZONE = `${ZONES}/privatelink.postgres.twin.test`;
const VNET = `${GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-orders`;
const V = '?api-version=2024-06-01';
// Tags and metadata keys in the examples are data, not shape.
const DATA = [
  '$.tags.key1',
  '$.properties.metadata.key1',
  '$.value[0].properties.metadata.key1',
  '$.nextLink',
];

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();
const nobody = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  addRoleless(twin, nobody);
  seedPrivateDnsZone(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'privatelink.postgres.twin.test',
    aRecords: [
      { name: 'pg-orders', ipv4Addresses: ['10.0.4.4'] },
      { name: 'PG-Billing', ipv4Addresses: ['10.0.4.5'] },
    ],
    links: [{ name: 'vnet-orders-link', virtualNetworkId: VNET }],
  });
  seedPrivateDnsZone(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'private.mysql.twin.test',
  });
});

test('a zone GET has the shape of PrivateZoneGet.json and counts its record sets and links', async () => {
  const got = await dana.send('GET', `${ZONE}${V}`);
  assert.equal(got.status, 200);
  assertSameShape(got.body, example('PrivateZoneGet.json'), 'zone', DATA);
  assert.equal(got.body.location, 'global');
  // Two A record sets and the SOA.
  assert.equal(got.body.properties.numberOfRecordSets, 3);
  assert.equal(got.body.properties.numberOfVirtualNetworkLinks, 1);
  const list = await dana.send('GET', `${ZONES}${V}`);
  assert.deepEqual(list.body.value.map((z: { name: string }) => z.name).sort(), [
    'private.mysql.twin.test',
    'privatelink.postgres.twin.test',
  ]);
});

test('A record sets: GET by name (any casing; names come back lower-cased) and list, in the example shapes', async () => {
  const got = await dana.send('GET', `${ZONE}/A/pg-orders${V}`);
  assert.equal(got.status, 200);
  assertSameShape(got.body, example('RecordSetAGet.json'), 'A record', DATA);
  assert.deepEqual(got.body.properties.aRecords, [{ ipv4Address: '10.0.4.4' }]);
  assert.equal(got.body.properties.fqdn, 'pg-orders.privatelink.postgres.twin.test.');
  const mixed = await dana.send('GET', `${ZONE}/A/PG-BILLING${V}`);
  assert.equal(mixed.body.name, 'pg-billing');
  const list = await dana.send('GET', `${ZONE}/A${V}`);
  assertSameShape(list.body, example('RecordSetAList.json'), 'A list', DATA);
  assert.deepEqual(
    list.body.value.map((r: { name: string }) => r.name),
    ['pg-orders', 'pg-billing'],
  );
});

test('virtual network links name the linked network (shape of VirtualNetworkLinkGet.json)', async () => {
  const got = await dana.send('GET', `${ZONE}/virtualNetworkLinks/vnet-orders-link${V}`);
  assert.equal(got.status, 200);
  assertSameShape(got.body, example('VirtualNetworkLinkGet.json'), 'link', DATA);
  assert.equal(got.body.properties.virtualNetwork.id, VNET);
  assert.equal(got.body.properties.virtualNetworkLinkState, 'Completed');
  const list = await dana.send('GET', `${ZONE}/virtualNetworkLinks${V}`);
  assert.equal(list.body.value.length, 1);
  const none = await dana.send('GET', `${ZONES}/private.mysql.twin.test/virtualNetworkLinks${V}`);
  assert.deepEqual(none.body.value, []);
});

test('unknown names: ResourceNotFound for zones and links, NotFound for a record set, ParentResourceNotFound under a missing zone', async () => {
  const zone = await dana.send('GET', `${ZONES}/nope.twin.test${V}`);
  assert.equal(zone.status, 404);
  assert.equal(zone.body.error.code, 'ResourceNotFound');
  const record = await dana.send('GET', `${ZONE}/A/nope${V}`);
  assert.equal(record.status, 404);
  assert.equal(record.body.error.code, 'NotFound');
  assert.match(record.body.error.message, /resource record 'nope' does not exist/);
  const link = await dana.send('GET', `${ZONE}/virtualNetworkLinks/nope${V}`);
  assert.equal(link.status, 404);
  assert.equal(link.body.error.code, 'ResourceNotFound');
  const orphan = await dana.send('GET', `${ZONES}/nope.twin.test/A/pg-orders${V}`);
  assert.equal(orphan.status, 404);
  assert.equal(orphan.body.error.code, 'ParentResourceNotFound');
});

test('RBAC: a Reader reads zones, records and links; a user without a role gets 403 AuthorizationFailed', async () => {
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${ZONE}/A/pg-orders${V}`)).status, 200);
  const nora = armRest(twin.baseUrl, twin.tokens.credential(nobody));
  for (const [path, action] of [
    [ZONE, 'Microsoft.Network/privateDnsZones/read'],
    [`${ZONE}/A/pg-orders`, 'Microsoft.Network/privateDnsZones/A/read'],
    [
      `${ZONE}/virtualNetworkLinks/vnet-orders-link`,
      'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
    ],
  ] as const) {
    const denied = await nora.send('GET', `${path}${V}`);
    assert.equal(denied.status, 403, path);
    assert.equal(denied.body.error.code, 'AuthorizationFailed');
    assert.ok(denied.body.error.message.includes(`'${action}'`), denied.body.error.message);
  }
});
