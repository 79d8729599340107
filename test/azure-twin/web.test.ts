import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { IDS, type Twin } from './index.ts';
import { seedUserAssignedIdentity } from './providers/identities.ts';
import { seedWebApp } from './providers/web.ts';
import { ARM_SCOPE, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { twinPerFile } from './testing/twin-fixture.ts';

const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/web/2025-05-01/${file}`, import.meta.url), 'utf8')).responses[
    '200'
  ].body;
const SUB = IDS.subscriptionId;
const RG = 'rg-orders';
const SITE = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Web/sites`;
const V = '?api-version=2025-05-01';

let twin: Twin;
let client: WebSiteManagementClient;
const reader = randomUUID();

twinPerFile(reader, (fixture) => {
  twin = fixture.twin;
  seedWebApp(twin, {
    subscriptionId: SUB,
    resourceGroup: RG,
    name: 'orders-web',
    appSettings: { EXISTING: 'kept' },
  });
  seedWebApp(twin, { subscriptionId: SUB, resourceGroup: RG, name: 'orders-admin', systemIdentity: true });
  client = new WebSiteManagementClient(twin.tokens.credential(IDS.dana), SUB, {
    endpoint: twin.baseUrl,
    credentials: { scopes: [ARM_SCOPE] },
  });
});

test('the SDK reads a seeded site, whose GET has the shape of GetWebApp.json', async () => {
  const site = await client.webApps.get(RG, 'orders-web');
  assert.equal(site.name, 'orders-web');
  assert.equal(site.defaultHostName, 'orders-web.azurewebsites.net');
  const raw = await armRest(twin.baseUrl, twin.tokens.credential(IDS.dana)).send(
    'GET',
    `${SITE}/orders-web${V}`,
  );
  assert.equal(raw.status, 200);
  assertSameShape(raw.body, example('GetWebApp.json'));
});

test('a seeded system identity is a registered managed-identity principal', async () => {
  const site = await client.webApps.get(RG, 'orders-admin');
  assert.equal(site.identity?.type, 'SystemAssigned');
  const principal = twin.context.principal(site.identity!.principalId!);
  assert.equal(principal?.kind, 'managedIdentity');
  assert.equal(principal?.alternativeId, `${SITE}/orders-admin`);
  assert.equal(site.identity?.tenantId, IDS.tenantId);
});

test('sites are listed per resource group and per subscription', async () => {
  const inGroup: string[] = [];
  for await (const site of client.webApps.listByResourceGroup(RG)) inGroup.push(site.name!);
  assert.deepEqual(inGroup.sort(), ['orders-admin', 'orders-web']);
  const inSubscription: string[] = [];
  for await (const site of client.webApps.list()) inSubscription.push(site.name!);
  assert.deepEqual(inSubscription.sort(), ['orders-admin', 'orders-web']);
});

test('app settings are listed and replaced as a whole (shapes of ListAppSettings/UpdateAppSettings)', async () => {
  const before = await client.webApps.listApplicationSettings(RG, 'orders-web');
  assert.deepEqual(before.properties, { EXISTING: 'kept' });
  const rest = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  // The example's setting names are data, not shape.
  const settingNames = ['$.properties.Setting1', '$.properties.Setting2'];
  assertSameShape(
    (await rest.send('POST', `${SITE}/orders-web/config/appsettings/list${V}`)).body,
    example('ListAppSettings.json'),
    undefined,
    settingNames,
  );

  const updated = await client.webApps.updateApplicationSettings(RG, 'orders-web', {
    properties: { DB_HOST: 'db.example', MODE: 'x' },
  });
  assert.deepEqual(updated.properties, { DB_HOST: 'db.example', MODE: 'x' });
  const after = await client.webApps.listApplicationSettings(RG, 'orders-web');
  assert.deepEqual(after.properties, { DB_HOST: 'db.example', MODE: 'x' });
  const put = await rest.send('PUT', `${SITE}/orders-web/config/appsettings${V}`, {
    properties: { MODE: 'y' },
  });
  assertSameShape(put.body, example('UpdateAppSettings.json'), undefined, settingNames);
  assert.deepEqual(put.body.properties, { MODE: 'y' });
});

test('connection strings are listed and replaced', async () => {
  const rest = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const empty = await rest.send('POST', `${SITE}/orders-web/config/connectionstrings/list${V}`);
  assert.deepEqual(empty.body.properties, {});
  await rest.send('PUT', `${SITE}/orders-web/config/connectionstrings${V}`, {
    properties: { Main: { value: 'Server=x', type: 'SQLAzure' } },
  });
  const listed = await rest.send('POST', `${SITE}/orders-web/config/connectionstrings/list${V}`);
  assert.deepEqual(listed.body.properties, { Main: { value: 'Server=x', type: 'SQLAzure' } });
});

test('PATCH with identity switches the system identity on once, PUT through the SDK poller switches it off', async () => {
  const principalsBefore = twin.world.principals.length;
  const on = await client.webApps.update(RG, 'orders-web', { identity: { type: 'SystemAssigned' } });
  assert.equal(on.identity?.type, 'SystemAssigned');
  const principal = twin.context.principal(on.identity!.principalId!);
  assert.equal(principal?.kind, 'managedIdentity');
  assert.equal(principal?.displayName, 'orders-web');
  assert.notEqual(principal?.appId, principal?.objectId);
  assert.equal(twin.world.principals.length, principalsBefore + 1);

  const again = await client.webApps.update(RG, 'orders-web', { identity: { type: 'SystemAssigned' } });
  assert.equal(again.identity?.principalId, on.identity?.principalId, 'enabling twice keeps the principal');
  assert.equal(twin.world.principals.length, principalsBefore + 1);

  const site = await client.webApps.get(RG, 'orders-web');
  const off = await client.webApps
    .createOrUpdate(RG, 'orders-web', { ...site, identity: { type: 'None' } })
    .pollUntilDone();
  assert.equal(off.identity, undefined);
  assert.equal((await client.webApps.get(RG, 'orders-web')).identity, undefined);
});

test('a user-assigned identity is attached with its clientId and principalId', async () => {
  const uami = seedUserAssignedIdentity(twin, {
    subscriptionId: SUB,
    resourceGroup: RG,
    name: 'orders-uami',
  });
  const site = await client.webApps.update(RG, 'orders-web', {
    identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uami.id]: {} } },
  });
  assert.equal(site.identity?.type, 'SystemAssigned, UserAssigned');
  const attached = site.identity?.userAssignedIdentities?.[uami.id];
  assert.equal(attached?.clientId, (uami.properties as any).clientId);
  assert.equal(attached?.principalId, (uami.properties as any).principalId);
  await assert.rejects(
    client.webApps.update(RG, 'orders-web', {
      identity: { type: 'UserAssigned', userAssignedIdentities: { [`${uami.id}-missing`]: {} } },
    }),
    (error: any) => error.statusCode === 400,
  );
});

test('missing sites and resource groups answer 404 with ARM codes', async () => {
  await assert.rejects(
    client.webApps.get(RG, 'nope'),
    (error: any) => error.statusCode === 404 && error.code === 'ResourceNotFound',
  );
  await assert.rejects(
    client.webApps.get('rg-missing', 'nope'),
    (error: any) => error.statusCode === 404 && error.code === 'ResourceGroupNotFound',
  );
  const rest = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const missing = await rest.send('POST', `${SITE}/nope/config/appsettings/list${V}`);
  assert.equal(missing.status, 404);
});

test('a Reader can read a site but not list or write its settings (403 AuthorizationFailed)', async () => {
  const rest = armRest(twin.baseUrl, twin.tokens.credential(reader));
  assert.equal((await rest.send('GET', `${SITE}/orders-web${V}`)).status, 200);
  const write = await rest.send('PUT', `${SITE}/orders-web/config/appsettings${V}`, { properties: {} });
  assert.equal(write.status, 403);
  assert.equal(write.body.error.code, 'AuthorizationFailed');
  assert.match(write.body.error.message, /Microsoft\.Web\/sites\/config\/write/);
  const list = await rest.send('POST', `${SITE}/orders-web/config/appsettings/list${V}`);
  assert.equal(list.status, 403);
  const patch = await rest.send('PATCH', `${SITE}/orders-web${V}`, { identity: { type: 'None' } });
  assert.equal(patch.status, 403);
});

test('an api-version App Service does not have is refused', async () => {
  const rest = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const answer = await rest.send('GET', `${SITE}/orders-web?api-version=1999-01-01`);
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error.code, 'NoRegisteredProviderFound');
});
