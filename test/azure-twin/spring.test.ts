import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDS, type Twin } from './index.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { seedSpringApp } from './providers/spring.ts';
import { type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { twinPerFile } from './testing/twin-fixture.ts';

const example = JSON.parse(
  readFileSync(new URL('./fixtures/appplatform/2023-12-01/Apps_Get.json', import.meta.url), 'utf8'),
).responses['200'].body;
const SUB = IDS.subscriptionId;
const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.AppPlatform/Spring/orders-spring`;
const V = '?api-version=2023-12-01';
/** Certificates and custom disks are empty lists on a plain app; the example fills them. */
const UNMODELLED = ['$.properties.loadedCertificates', '$.properties.customPersistentDisks'];

let twin: Twin;
let dana: ArmRest;
const reader = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  const uami = seedUserAssignedIdentity(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'spring-uami',
  });
  seedSpringApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    serviceName: 'orders-spring',
    name: 'api',
    systemIdentity: true,
    userIdentities: [uami.id],
    env: { A: '1' },
  });
  seedSpringApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    serviceName: 'orders-spring',
    name: 'worker',
    deployment: 'green',
    inactive: { blue: { B: '1' } },
  });
});

test('GET has the shape of Apps_Get.json; the seeded system identity is a registered principal', async () => {
  const got = await dana.send('GET', `${SERVICE}/apps/api${V}`);
  assert.equal(got.status, 200);
  // User identities are a dictionary keyed by ARM id: compare the entries, not the example's keys.
  const exampleIds = Object.keys(example.identity.userAssignedIdentities);
  assertSameShape(got.body, example, 'spring app', [
    ...UNMODELLED,
    ...exampleIds.map((id) => `$.identity.userAssignedIdentities.${id}`),
  ]);
  const [entry] = Object.values(got.body.identity.userAssignedIdentities);
  assertSameShape(entry, example.identity.userAssignedIdentities[exampleIds[0]!], 'user identity entry');
  assert.equal(got.body.identity.type, 'SystemAssigned,UserAssigned');
  assert.equal(twin.context.principal(got.body.identity.principalId)?.displayName, 'orders-spring/apps/api');
  // Nothing the example lacks: at 2023-12-01 the app does not name its active deployment
  // (`activeDeploymentName` was an old preview's); the deployments list marks it.
  const extra = Object.keys(got.body.properties).filter((key) => !(key in example.properties));
  assert.deepEqual(extra, []);
  const deployment = await dana.send('GET', `${SERVICE}/apps/api/deployments/default${V}`);
  assert.deepEqual(deployment.body.properties.deploymentSettings.environmentVariables, { A: '1' });
});

test('PATCH with identity is a Location-polled operation that switches the system identity on', async () => {
  const run = await dana.lro(
    'PATCH',
    `${SERVICE}/apps/worker${V}`,
    { identity: { type: 'SystemAssigned' } },
    'location',
  );
  assert.equal(run.initial.status, 202);
  assert.ok(run.initial.headers.location);
  const app = (await dana.send('GET', `${SERVICE}/apps/worker${V}`)).body;
  assert.equal(app.identity.type, 'SystemAssigned');
  assert.equal(twin.context.principal(app.identity.principalId)?.kind, 'managedIdentity');
});

test('PUT through the poller updates (200, Updating → Succeeded) and can switch the identity off', async () => {
  const run = await dana.lro(
    'PUT',
    `${SERVICE}/apps/worker${V}`,
    { properties: { public: false }, identity: { type: 'None' } },
    'azure-async-operation',
  );
  assert.equal(run.initial.status, 200);
  assert.equal(run.initial.body.properties.provisioningState, 'Updating');
  assert.equal((run.result as any).properties.provisioningState, 'Succeeded');
  assert.equal((run.result as any).identity, undefined);
});

test('404 for a missing app or service; 403 for a Reader writing', async () => {
  assert.equal((await dana.send('GET', `${SERVICE}/apps/nope${V}`)).status, 404);
  const noService = await dana.send(
    'GET',
    `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.AppPlatform/Spring/none/apps/api${V}`,
  );
  assert.equal(noService.status, 404);
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${SERVICE}/apps/api${V}`)).status, 200);
  const denied = await rita.send('PATCH', `${SERVICE}/apps/api${V}`, { identity: { type: 'None' } });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /Microsoft\.AppPlatform\/Spring\/apps\/write/);
});

test('Services_ListBySubscription and Apps_List: every service, then each app in the shape of Apps_List.json; a missing service is a 404', async () => {
  const services = await dana.send('GET', `/subscriptions/${SUB}/providers/Microsoft.AppPlatform/Spring${V}`);
  assert.equal(services.status, 200);
  assert.deepEqual(
    services.body.value.map((s: { id: string; type: string }) => [s.id, s.type]),
    [[SERVICE, 'Microsoft.AppPlatform/Spring']],
  );
  const apps = await dana.send('GET', `${SERVICE}/apps${V}`);
  assert.equal(apps.status, 200);
  assert.deepEqual(apps.body.value.map((a: { name: string }) => a.name).sort(), ['api', 'worker']);
  const listed = JSON.parse(
    readFileSync(new URL('./fixtures/appplatform/2023-12-01/Apps_List.json', import.meta.url), 'utf8'),
  ).responses['200'].body;
  // Identities are left out here: \`worker\` has none, and the GET test above compares them.
  for (const app of apps.body.value)
    assertSameShape(app, listed.value[0], `listed spring app ${app.name}`, [...UNMODELLED, '$.identity']);

  const missing = await dana.send('GET', `${SERVICE.replace('orders-spring', 'nope')}/apps${V}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'ResourceNotFound');
  const badVersion = await dana.send('GET', `${SERVICE}/apps?api-version=2019-01-01`);
  assert.equal(badVersion.status, 400);
});

test('Deployments_List: every deployment of the app in the shape of Deployments_List.json, the active one marked; a missing app is a 404', async () => {
  const listed = JSON.parse(
    readFileSync(new URL('./fixtures/appplatform/2023-12-01/Deployments_List.json', import.meta.url), 'utf8'),
  ).responses['200'].body;
  const got = await dana.send('GET', `${SERVICE}/apps/worker/deployments${V}`);
  assert.equal(got.status, 200);
  assert.deepEqual(
    got.body.value.map((d: { name: string; properties: { active: boolean } }) => [
      d.name,
      d.properties.active,
    ]),
    [
      ['blue', false],
      ['green', true],
    ],
  );
  const unmodelled = [
    '$.properties.source.version',
    '$.properties.source.artifactSelector',
    '$.properties.deploymentSettings.apms',
    '$.properties.instances',
    '$.systemData',
    '$.properties.deploymentSettings.environmentVariables',
  ];
  for (const deployment of got.body.value)
    assertSameShape(deployment, listed.value[0], `listed deployment ${deployment.name}`, unmodelled);
  const missing = await dana.send('GET', `${SERVICE}/apps/nope/deployments${V}`);
  assert.equal(missing.status, 404);
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rita.send('GET', `${SERVICE}/apps/worker/deployments${V}`)).status, 200);
});

test('PATCH of a deployment (Deployments_Update.json): 202 Updating with both polling headers, then its environment variables are the ones sent', async () => {
  const update = JSON.parse(
    readFileSync(
      new URL('./fixtures/appplatform/2023-12-01/Deployments_Update.json', import.meta.url),
      'utf8',
    ),
  ).responses;
  const run = await dana.lro(
    'PATCH',
    `${SERVICE}/apps/api/deployments/default${V}`,
    { properties: { deploymentSettings: { environmentVariables: { A: '1', B: '2' } } } },
    'azure-async-operation',
  );
  assert.equal(run.initial.status, 202);
  assert.ok(run.initial.headers['azure-asyncoperation'] && run.initial.headers.location);
  assert.equal(run.initial.body.properties.provisioningState, 'Updating');
  // Source kinds, APM bindings and instances are what the example's deployment has; a twin deployment has none.
  const unmodelled = [
    '$.properties.source.version',
    '$.properties.source.artifactSelector',
    '$.properties.deploymentSettings.apms',
    '$.properties.instances',
    '$.systemData',
    // A dictionary: its keys are the example's variables.
    '$.properties.deploymentSettings.environmentVariables',
  ];
  assertSameShape(run.initial.body, update['202'].body, 'deployment 202', unmodelled);
  const got = await dana.send('GET', `${SERVICE}/apps/api/deployments/default${V}`);
  assertSameShape(got.body, update['200'].body, 'deployment after update', unmodelled);
  assert.equal(got.body.properties.provisioningState, 'Succeeded');
  assert.deepEqual(got.body.properties.deploymentSettings.environmentVariables, { A: '1', B: '2' });
  assert.deepEqual(got.body.properties.deploymentSettings.resourceRequests, { cpu: '1', memory: '2Gi' });
});

test('a Reader cannot update a deployment: 403 naming deployments/write', async () => {
  const rita = armRest(twin.baseUrl, twin.tokens.credential(reader));
  const denied = await rita.send('PATCH', `${SERVICE}/apps/api/deployments/default${V}`, {
    properties: { deploymentSettings: { environmentVariables: {} } },
  });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /Microsoft\.AppPlatform\/Spring\/apps\/deployments\/write/);
  assert.equal((await dana.send('PATCH', `${SERVICE}/apps/api/deployments/nope${V}`, {})).status, 404);
});
