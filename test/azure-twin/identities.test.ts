import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { IDS, type Twin } from './index.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { captureBody, exampleBody, sdkError } from './testing/sdk-capture.ts';
import { assertSameShape } from './testing/shape.ts';
import { sdkOptions, twinPerFile } from './testing/twin-fixture.ts';

const example = JSON.parse(
  readFileSync(new URL('./fixtures/msi/2023-01-31/IdentityGet.json', import.meta.url), 'utf8'),
).responses['200'].body;
const SUB = IDS.subscriptionId;
const IDENTITIES = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
const V = '?api-version=2023-01-31';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
});

test('PUT creates an identity (201) and registers its principal; a second PUT keeps the ids (200)', async () => {
  const created = await dana.send('PUT', `${IDENTITIES}/orders-id${V}`, {
    location: 'eastus',
    tags: { team: 'orders' },
  });
  assert.equal(created.status, 201);
  const { principalId, clientId, tenantId } = created.body.properties;
  assert.match(principalId, GUID);
  assert.match(clientId, GUID);
  assert.equal(tenantId, IDS.tenantId);
  const principal = twin.context.principal(principalId);
  assert.equal(principal?.kind, 'managedIdentity');
  assert.equal(principal?.appId, clientId);
  assert.equal(principal?.alternativeId, `${IDENTITIES}/orders-id`);
  assert.ok(twin.tokens.issue(clientId, 'arm'), 'the new identity can get tokens');

  const again = await dana.send('PUT', `${IDENTITIES}/orders-id${V}`, {
    location: 'eastus',
    tags: { team: 'x' },
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.properties.principalId, principalId);
  assert.deepEqual(again.body.tags, { team: 'x' });
});

test('GET has the shape of IdentityGet.json; list by group and subscription', async () => {
  seedUserAssignedIdentity(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'seeded-id' });
  const got = await dana.send('GET', `${IDENTITIES}/seeded-id${V}`);
  assert.equal(got.status, 200);
  assertSameShape(got.body, example, 'identity', ['$.tags.key1', '$.tags.key2']);
  const inGroup = await dana.send('GET', `${IDENTITIES}${V}`);
  assert.deepEqual(inGroup.body.value.map((identity: { name: string }) => identity.name).sort(), [
    'orders-id',
    'seeded-id',
  ]);
  const inSubscription = await dana.send(
    'GET',
    `/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities${V}`,
  );
  assert.equal(inSubscription.body.value.length, 2);
});

test('404 for a missing identity or group; 403 for a Reader creating one', async () => {
  assert.equal((await dana.send('GET', `${IDENTITIES}/nope${V}`)).status, 404);
  const group = await dana.send(
    'GET',
    `/subscriptions/${SUB}/resourceGroups/rg-none/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x${V}`,
  );
  assert.equal(group.body.error.code, 'ResourceGroupNotFound');
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  const denied = await rita.send('PUT', `${IDENTITIES}/rita-id${V}`, { location: 'eastus' });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /Microsoft\.ManagedIdentity\/userAssignedIdentities\/write/);
  assert.equal(twin.store.get(`${IDENTITIES}/rita-id`), undefined);
});

test("@azure/arm-msi (2024-11-30) reads an identity and lists the subscription's in the shapes of IdentityGet.json and IdentityListBySubscription.json", async () => {
  seedUserAssignedIdentity(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'sdk-id' });
  const client = new ManagedServiceIdentityClient(
    twin.tokens.credential(IDS.dana) as never,
    SUB,
    sdkOptions(twin),
  );
  assert.equal(client.apiVersion, '2024-11-30');
  const capture = captureBody();
  const identity = await client.userAssignedIdentities.get('rg-orders', 'sdk-id', capture.options);
  assert.match(identity.principalId ?? '', GUID);
  assertSameShape(capture.body(), exampleBody('msi/2024-11-30/IdentityGet.json'), 'identity', [
    '$.tags.key1',
    '$.tags.key2',
  ]);
  const listed = captureBody();
  const names: string[] = [];
  for await (const item of client.userAssignedIdentities.listBySubscription(listed.options))
    names.push(item.name!);
  assert.ok(names.includes('sdk-id'), names.join(', '));
  // The example's page has a nextLink (there are more); the twin's one page has none.
  assertSameShape(listed.body(), exampleBody('msi/2024-11-30/IdentityListBySubscription.json'), 'list', [
    '$.value[0].tags.key1',
    '$.value[0].tags.key2',
    '$.nextLink',
  ]);
  const missing = await sdkError(client.userAssignedIdentities.get('rg-orders', 'nope'));
  assert.equal(missing.statusCode, 404);
});
