/**
 * The apps' side of the network: a web app's regional VNet integration (`virtualNetworkSubnetId`, read
 * through the App Service SDK) and a container app's environment (`Microsoft.App/managedEnvironments`,
 * through @azure/arm-appcontainers in the product; raw REST here) with its `vnetConfiguration`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { IDS, type Twin } from './index.ts';
import { seedContainerApp } from './providers/containerapps.ts';
import { seedWebApp } from './providers/web.ts';
import { ARM_SCOPE, type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { addRoleless, twinPerFile } from './testing/twin-fixture.ts';

const exampleAt = (version: string) =>
  JSON.parse(
    readFileSync(new URL(`./fixtures/app/${version}/ManagedEnvironments_Get.json`, import.meta.url), 'utf8'),
  ).responses['200'].body;
const example = exampleAt('2025-01-01');
const SUB = IDS.subscriptionId;
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-orders`;
const ENVS = `${GROUP}/providers/Microsoft.App/managedEnvironments`;
const SUBNET = `${GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-orders/subnets`;
const V = '?api-version=2025-01-01';

let twin: Twin;
let dana: ArmRest;
let web: WebSiteManagementClient;
const reader = randomUUID();
const nobody = randomUUID();

twinPerFile(reader, (fixture) => {
  ({ twin, dana } = fixture);
  addRoleless(twin, nobody);
  seedWebApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'web-in-vnet',
    virtualNetworkSubnetId: `${SUBNET}/apps`,
  });
  seedWebApp(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'web-public' });
  seedContainerApp(twin, {
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'worker-in-vnet',
    environment: { infrastructureSubnetId: `${SUBNET}/aca`, internal: true },
  });
  seedContainerApp(twin, { subscriptionId: SUB, resourceGroup: 'rg-orders', name: 'worker-public' });
  web = new WebSiteManagementClient(twin.tokens.credential(IDS.dana), SUB, {
    endpoint: twin.baseUrl,
    credentials: { scopes: [ARM_SCOPE] },
  });
});

test('a web app shows its VNet integration subnet through the SDK; one without integration shows none', async () => {
  const integrated = await web.webApps.get('rg-orders', 'web-in-vnet');
  assert.equal(integrated.virtualNetworkSubnetId, `${SUBNET}/apps`);
  const plain = await web.webApps.get('rg-orders', 'web-public');
  assert.equal(plain.virtualNetworkSubnetId ?? null, null);
});

test("a container app's managedEnvironmentId names a real environment, whose GET has the shape of ManagedEnvironments_Get.json", async () => {
  const app = await dana.send('GET', `${GROUP}/providers/Microsoft.App/containerApps/worker-in-vnet${V}`);
  const environment = await dana.send('GET', `${app.body.properties.managedEnvironmentId}${V}`);
  assert.equal(environment.status, 200);
  // The example's first workload profile is a dedicated one with node counts; the twin's only profile
  // is Consumption, which has none (as the example's last profile shows).
  assertSameShape(environment.body, example, 'environment', [
    '$.properties.workloadProfiles[0].minimumCount',
    '$.properties.workloadProfiles[0].maximumCount',
  ]);
  assert.deepEqual(environment.body.properties.vnetConfiguration, {
    internal: true,
    infrastructureSubnetId: `${SUBNET}/aca`,
  });
  const publicApp = await dana.send(
    'GET',
    `${GROUP}/providers/Microsoft.App/containerApps/worker-public${V}`,
  );
  const publicEnvironment = await dana.send('GET', `${publicApp.body.properties.managedEnvironmentId}${V}`);
  assert.equal(publicEnvironment.body.properties.vnetConfiguration.infrastructureSubnetId, undefined);
  assert.equal(publicEnvironment.body.properties.vnetConfiguration.internal, false);
  const list = await dana.send('GET', `${ENVS}${V}`);
  assert.deepEqual(list.body.value.map((e: { name: string }) => e.name).sort(), [
    'worker-in-vnet-env',
    'worker-public-env',
  ]);
});

test("an environment read at 2026-07-01 (what @azure/arm-appcontainers 4 sends) has the shape of that version's ManagedEnvironments_Get.json", async () => {
  const environment = await dana.send('GET', `${ENVS}/worker-in-vnet-env?api-version=2026-07-01`);
  assert.equal(environment.status, 200);
  assertSameShape(environment.body, exampleAt('2026-07-01'), 'environment at 2026-07-01', [
    '$.properties.workloadProfiles[0].minimumCount',
    '$.properties.workloadProfiles[0].maximumCount',
    // The environment's ingress settings (header limits, idle time-outs): nothing sc-doctor reads.
    '$.properties.ingressConfiguration',
  ]);
  assert.equal(environment.body.properties.vnetConfiguration.infrastructureSubnetId, `${SUBNET}/aca`);
});

test('environments: ResourceNotFound for an unknown name, 403 AuthorizationFailed without a role', async () => {
  const missing = await dana.send('GET', `${ENVS}/nope${V}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'ResourceNotFound');
  const nora = armRest(twin.baseUrl, twin.tokens.credential(nobody));
  const denied = await nora.send('GET', `${ENVS}/worker-in-vnet-env${V}`);
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, 'AuthorizationFailed');
  assert.match(denied.body.error.message, /Microsoft\.App\/managedEnvironments\/read/);
});
