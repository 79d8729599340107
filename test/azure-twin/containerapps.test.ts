import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDS, type Twin } from './index.ts';
import { seedContainerApp } from './providers/containerapps.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { twinPerFile } from './testing/twin-fixture.ts';

const exampleAt = (version: string) =>
  JSON.parse(
    readFileSync(new URL(`./fixtures/app/${version}/ContainerApps_Get.json`, import.meta.url), 'utf8'),
  ).responses['200'].body;
const example = exampleAt('2025-01-01');
const SUB = IDS.subscriptionId;
const APPS = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.App/containerApps`;
const V = '?api-version=2025-01-01';
/** Parts of the example that belong to features a linker never touches (custom domains, Dapr, init containers...). */
const UNMODELLED = [
  '$.properties.configuration.ingress.customDomains',
  '$.properties.configuration.ingress.ipSecurityRestrictions',
  '$.properties.configuration.ingress.stickySessions',
  '$.properties.configuration.ingress.traffic[0].revisionName',
  '$.properties.configuration.dapr',
  '$.properties.configuration.service',
  '$.properties.template.initContainers',
  '$.properties.template.serviceBinds',
  '$.properties.template.scale.rules',
];

/** What 2026-07-01's example adds that a linker never touches either (identity lifecycles, volumes...). */
const UNMODELLED_2026 = [
  ...UNMODELLED,
  '$.identity',
  '$.properties.configuration.identitySettings',
  '$.properties.configuration.runtime',
  '$.properties.template.containers[0].volumeMounts',
  '$.properties.template.volumes',
];

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  seedContainerApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-ca',
    containers: [{ name: 'api', env: [{ name: 'A', value: '1' }] }],
  });
});

test('GET returns the seeded app in the shape of ContainerApps_Get.json, containers with env', async () => {
  const answer = await dana.send('GET', `${APPS}/orders-ca${V}`);
  assert.equal(answer.status, 200);
  assertSameShape(answer.body, example, 'container app', UNMODELLED);
  assert.deepEqual(answer.body.properties.template.containers[0].env, [{ name: 'A', value: '1' }]);
  assert.equal(answer.body.identity, undefined);
});

test("GET at 2026-07-01 (what @azure/arm-appcontainers 4 sends) has the shape of that version's ContainerApps_Get.json", async () => {
  const answer = await dana.send('GET', `${APPS}/orders-ca?api-version=2026-07-01`);
  assert.equal(answer.status, 200);
  assertSameShape(answer.body, exampleAt('2026-07-01'), 'container app at 2026-07-01', UNMODELLED_2026);
  assert.equal(answer.body.properties.runningStatus, 'Running');
});

test('list by resource group and subscription', async () => {
  const inGroup = await dana.send('GET', `${APPS}${V}`);
  assert.deepEqual(
    inGroup.body.value.map((app: { name: string }) => app.name),
    ['orders-ca'],
  );
  const inSubscription = await dana.send(
    'GET',
    `/subscriptions/${SUB}/providers/Microsoft.App/containerApps${V}`,
  );
  assert.equal(inSubscription.body.value.length, 1);
});

test('PATCH is a long-running operation that switches identities on and replaces containers', async () => {
  const uami = seedUserAssignedIdentity(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'ca-uami',
  });
  const run = await dana.lro(
    'PATCH',
    `${APPS}/orders-ca${V}`,
    {
      identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uami.id]: {} } },
      properties: {
        template: { containers: [{ name: 'api', image: 'repo/api:v2', env: [{ name: 'B', value: '2' }] }] },
      },
    },
    'azure-async-operation',
  );
  assert.equal(run.initial.status, 202);
  assert.ok(run.initial.headers['azure-asyncoperation']);
  assert.ok(run.polls.length >= 1, 'the client polled');
  const app = (await dana.send('GET', `${APPS}/orders-ca${V}`)).body;
  assert.equal(app.identity.type, 'SystemAssigned,UserAssigned');
  assert.equal(twin.context.principal(app.identity.principalId)?.alternativeId, `${APPS}/orders-ca`);
  assert.equal(app.identity.userAssignedIdentities[uami.id].clientId, (uami.properties as any).clientId);
  assert.deepEqual(app.properties.template.containers[0].env, [{ name: 'B', value: '2' }]);
  assert.equal(app.properties.template.containers[0].image, 'repo/api:v2');
});

test('missing apps answer 404 and a Reader cannot PATCH (403)', async () => {
  const missing = await dana.send('GET', `${APPS}/nope${V}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'ResourceNotFound');
  assert.equal((await dana.send('PATCH', `${APPS}/nope${V}`, {})).status, 404);
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${APPS}/orders-ca${V}`)).status, 200);
  const denied = await rita.send('PATCH', `${APPS}/orders-ca${V}`, { identity: { type: 'None' } });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /Microsoft\.App\/containerApps\/write/);
});
