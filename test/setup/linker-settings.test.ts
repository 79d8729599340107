/**
 * Service Connector as Azure takes it, and no setting overwritten silently: the PostgreSQL setup
 * through the real engine against the twin (whose Service Connector refuses a container app linker
 * without `scope`, adds firewall rules unless the linker opts out, suffixes a second connection's
 * keys, and deletes what a linker wrote without restoring older values). Each test seeds what the
 * app already has, reads the plan's consent, runs, and undoes from the journal: the world must be as
 * it was, the earlier setting values included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { postgresSetupSteps, postgresUndoers } from '../../source/setup/postgres/index.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { seedContainerApp } from '../azure-twin/providers/containerapps.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { armRest } from '../azure-twin/testing/arm-rest.ts';
import {
  appFacts,
  inputFor,
  OWNER_ENV,
  runPostgresSetup,
  SPRING_APP_ID,
  servicesFor,
  stateOf,
  tempJournal,
} from './postgres-helpers.ts';

let twin: Twin;
const SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-0000000000c7',
  appId: 'c0ffee00-0000-4000-8000-0000000000c7',
};
const SP_SECRET = 'twin-sp-secret-Linker~7';
const SETTINGS = `${RESOURCE_IDS.webApp}/config/appsettings`;
const FQDN = 'pg-orders.postgres.twin.test';

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  twin.context.addPrincipal({
    objectId: SP.objectId,
    appId: SP.appId,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-linker-sp',
  });
});

after(async () => {
  await twin?.close();
});

/**
 * The app's database belongs to the password admin, as on Azure: setup gives the grants as that owner,
 * with its password (without it the run hands them off, which is not what these tests are about).
 */
function ownerSetup(
  t: Twin,
  input: Parameters<typeof runPostgresSetup>[1],
  options: Parameters<typeof runPostgresSetup>[2] = {},
) {
  return runPostgresSetup(t, input, { services: servicesFor(t, OWNER_ENV), ...options });
}

async function restore(journal: Journal, runId: string) {
  const services = servicesFor(twin, OWNER_ENV);
  try {
    const undone = await undoFromJournal({
      journal,
      runId,
      steps: postgresUndoers(services, inputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  } finally {
    services.azure.dispose();
  }
}

function seedWebSettings(properties: Record<string, string>) {
  twin.store.put({
    id: SETTINGS,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    kind: 'app',
    properties,
  });
}

const webSettings = () => (twin.store.get(SETTINGS)?.properties ?? {}) as Record<string, string>;

async function planned(input: ReturnType<typeof inputFor>) {
  const services = servicesFor(twin, OWNER_ENV);
  try {
    return await planSteps(postgresSetupSteps(input, services));
  } finally {
    services.azure.dispose();
  }
}

const linkerOf = (appId: string, name: string) =>
  twin.store.get(`${appId}/providers/Microsoft.ServiceLinker/linkers/${name}`);

test('the linker over settings the web app has: the consent names old and new values, the PUT opts out of the network, undo puts the old values back', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({
    KEEP: '1',
    AZURE_POSTGRESQL_HOST: 'old-pg.postgres.database.azure.com',
    AZURE_POSTGRESQL_PORT: '5432',
  });
  const before = stateOf(twin);
  const input = inputFor(twin, { connectionName: 'orders_over' });
  const plan = await planned(input);
  const view = plan.views.find((v) => v.id === 'service-connector')!;
  assert.match(
    view.consent ?? '',
    /AZURE_POSTGRESQL_HOST \("old-pg\.postgres\.database\.azure\.com" → "pg-orders\.postgres\.twin\.test"\)/,
  );
  assert.doesNotMatch(view.consent ?? '', /AZURE_POSTGRESQL_PORT/, 'an unchanged value needs no consent');
  assert.match(view.consent ?? '', /undo puts the old values back/);
  assert.ok(view.lines.some((line) => /publicNetworkSolution optOut/.test(line)));

  const { result, journal } = await ownerSetup(twin, input);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(webSettings().AZURE_POSTGRESQL_HOST, FQDN);
  const linker = linkerOf(RESOURCE_IDS.webApp, 'orders_over')!;
  assert.deepEqual((linker.properties as any).publicNetworkSolution.action, 'optOut');
  assert.deepEqual(
    twin.store
      .children(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules')
      .filter((rule) => rule.name.startsWith('ServiceLinker')),
    [],
    'Service Connector added no firewall rule',
  );
  await restore(journal, result.runId);
  assert.equal(webSettings().AZURE_POSTGRESQL_HOST, 'old-pg.postgres.database.azure.com');
  assert.deepEqual(stateOf(twin), before);
  if (original) twin.store.put(original);
});

test('undo puts back only what the linker wrote over: a setting it left alone and someone removed since stays removed', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({
    AZURE_POSTGRESQL_HOST: 'old-pg.postgres.database.azure.com',
    AZURE_POSTGRESQL_EXTRA: 'mine',
  });
  const { result, journal } = await ownerSetup(twin, inputFor(twin, { connectionName: 'orders_narrow' }));
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const { AZURE_POSTGRESQL_EXTRA: _gone, ...rest } = webSettings();
  seedWebSettings(rest);
  await restore(journal, result.runId);
  assert.deepEqual(webSettings(), { AZURE_POSTGRESQL_HOST: 'old-pg.postgres.database.azure.com' });
  if (original) twin.store.put(original);
});

test('a container app with two containers: without --container nothing is written; with it the linker names the container and its env comes back on undo', async () => {
  const app = seedContainerApp(twin, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: 'rg-orders',
    name: 'orders-multi',
    containers: [
      { name: 'sidecar' },
      {
        name: 'api',
        env: [
          { name: 'KEEP', value: '1' },
          { name: 'AZURE_POSTGRESQL_USER', value: 'aad_old' },
        ],
      },
    ],
    systemIdentity: true,
  });
  const facts = { ...appFacts(twin, 'containerapp'), id: app.id, name: app.name };
  const before = stateOf(twin);
  const unnamed = await ownerSetup(twin, inputFor(twin, { app: facts, connectionName: 'multi_pg' }));
  assert.equal(unnamed.result.status, 'rolled-back');
  assert.match(
    JSON.stringify(unnamed.result.failure),
    /2 containers \(sidecar, api\): name the one that connects with --container/,
  );
  assert.equal(linkerOf(app.id, 'multi_pg'), undefined);
  assert.deepEqual(stateOf(twin), before);

  const input = inputFor(twin, { app: facts, connectionName: 'multi_pg', container: 'api' });
  const view = (await planned(input)).views.find((v) => v.id === 'service-connector')!;
  assert.match(view.lines[0]!, /\(container api\)/);
  assert.match(view.consent ?? '', /AZURE_POSTGRESQL_USER \("aad_old" → "aad_multi_pg"\)/);
  const { result, journal } = await ownerSetup(twin, input);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal((linkerOf(app.id, 'multi_pg')!.properties as any).scope, 'api');
  const api = () =>
    (
      (twin.store.get(app.id)!.properties as any).template.containers as {
        name: string;
        env: { name: string; value?: string }[];
      }[]
    ).find((c) => c.name === 'api')!.env;
  assert.ok(api().some((e) => e.name === 'AZURE_POSTGRESQL_USER' && e.value === 'aad_multi_pg'));
  await restore(journal, result.runId);
  assert.deepEqual(api(), [
    { name: 'KEEP', value: '1' },
    { name: 'AZURE_POSTGRESQL_USER', value: 'aad_old' },
  ]);
  assert.deepEqual(stateOf(twin), before);
  twin.store.delete(app.id);
});

test('a Spring app: the deployment variables the linker overwrote come back on undo', async () => {
  // Blue-green: `default` is staging now, `green` the active deployment. The app resource does not
  // name it (Apps_Get.json at 2023-12-01): its `properties.active` does (Deployments_List.json).
  const stagingId = `${SPRING_APP_ID}/deployments/default`;
  const deployment = twin.store.get(stagingId)!;
  const staging = structuredClone(deployment);
  (staging.properties as any).active = false;
  (staging.properties as any).deploymentSettings.environmentVariables = {
    'spring.datasource.username': 'staging',
  };
  twin.store.put(staging);
  const deploymentId = `${SPRING_APP_ID}/deployments/green`;
  const seeded = structuredClone(deployment);
  seeded.id = deploymentId;
  seeded.name = 'green';
  (seeded.properties as any).deploymentSettings.environmentVariables = {
    JAVA_OPTS: '-Xmx1g',
    'spring.datasource.username': 'legacy_user',
  };
  twin.store.put(seeded);
  const before = stateOf(twin);
  const input = inputFor(twin, {
    app: appFacts(twin, 'spring'),
    clientType: 'springBoot',
    connectionName: 'spring_pg',
  });
  const view = (await planned(input)).views.find((v) => v.id === 'service-connector')!;
  assert.match(view.consent ?? '', /spring\.datasource\.username \("legacy_user" → "aad_spring_pg"\)/);
  assert.ok(view.lines.some((line) => /sslmode=require, which does not check/.test(line)));
  const { result, journal } = await ownerSetup(twin, input);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const env = () => (twin.store.get(deploymentId)!.properties as any).deploymentSettings.environmentVariables;
  assert.equal(env()['spring.datasource.username'], 'aad_spring_pg');
  await restore(journal, result.runId);
  assert.deepEqual(env(), { JAVA_OPTS: '-Xmx1g', 'spring.datasource.username': 'legacy_user' });
  assert.deepEqual(stateOf(twin), before);
  assert.deepEqual((twin.store.get(stagingId)!.properties as any).deploymentSettings.environmentVariables, {
    'spring.datasource.username': 'staging',
  });
  twin.store.delete(deploymentId);
  twin.store.put(deployment);
});

test('beside a connection to another PostgreSQL database the app keeps reading AZURE_POSTGRESQL_* (customizedKeys); undo gives that connection its values back', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({ KEEP: '1' });
  const reports = `${RESOURCE_IDS.postgres}/databases/reports`;
  twin.store.put({
    id: reports,
    name: 'reports',
    type: 'Microsoft.DBforPostgreSQL/flexibleServers/databases',
    properties: {},
  });
  const dana = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  await dana.lro(
    'PUT',
    `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/reports_pg?api-version=2024-04-01`,
    {
      properties: {
        targetService: { type: 'AzureResource', id: reports },
        authInfo: { authType: 'systemAssignedIdentity', userName: 'aad_reports' },
        clientType: 'nodejs',
        publicNetworkSolution: { action: 'optOut' },
      },
    },
    'azure-async-operation',
  );
  assert.equal(webSettings().AZURE_POSTGRESQL_DATABASE, 'reports');
  const before = stateOf(twin);
  const input = inputFor(twin, { connectionName: 'orders_beside' });
  const view = (await planned(input)).views.find((v) => v.id === 'service-connector')!;
  assert.ok(
    view.lines.some((line) =>
      /also connects to .*databases\/reports \(reports_pg\): this connection keeps the plain AZURE_POSTGRESQL_\* names/.test(
        line,
      ),
    ),
  );
  assert.match(view.consent ?? '', /AZURE_POSTGRESQL_DATABASE \("reports" → "orders"\)/);
  const { result, journal } = await ownerSetup(twin, input);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const settings = webSettings();
  assert.equal(settings.AZURE_POSTGRESQL_DATABASE, 'orders');
  assert.equal(settings.AZURE_POSTGRESQL_USER, 'aad_orders_beside');
  assert.deepEqual(
    Object.keys(settings).filter((name) => name.startsWith('AZURE_POSTGRESQL_ORDERS_BESIDE_')),
    [],
    'no suffixed keys the app would not read',
  );
  await restore(journal, result.runId);
  assert.equal(webSettings().AZURE_POSTGRESQL_DATABASE, 'reports');
  assert.deepEqual(stateOf(twin), before);
  await dana.lro(
    'DELETE',
    `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/reports_pg?api-version=2024-04-01`,
    undefined,
    'azure-async-operation',
  );
  twin.store.delete(reports);
  if (original) twin.store.put(original);
});

test('the default connection name taken by a connection to another database: the next free name, never a repointed connection', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({});
  const reports = `${RESOURCE_IDS.postgres}/databases/reports`;
  twin.store.put({
    id: reports,
    name: 'reports',
    type: 'Microsoft.DBforPostgreSQL/flexibleServers/databases',
    properties: {},
  });
  const dana = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const taken = `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/postgresflexible_orders`;
  await dana.lro(
    'PUT',
    `${taken}?api-version=2024-04-01`,
    {
      properties: {
        targetService: { type: 'AzureResource', id: reports },
        authInfo: { authType: 'systemAssignedIdentity', userName: 'aad_reports' },
        clientType: 'nodejs',
        publicNetworkSolution: { action: 'optOut' },
      },
    },
    'azure-async-operation',
  );
  const before = stateOf(twin);
  const { result, journal } = await ownerSetup(twin, inputFor(twin, { connectionName: undefined }));
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(
    (twin.store.get(taken)!.properties as any).targetService.id,
    reports,
    'the other connection is untouched',
  );
  const ours = linkerOf(RESOURCE_IDS.webApp, 'postgresflexible_orders_2')!;
  assert.match((ours.properties as any).targetService.id, /databases\/orders$/);
  assert.equal(webSettings().AZURE_POSTGRESQL_DATABASE, 'orders');
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), before);
  await dana.lro('DELETE', `${taken}?api-version=2024-04-01`, undefined, 'azure-async-operation');
  twin.store.delete(reports);
  if (original) twin.store.put(original);
});

test('a connection to this database already there is reused: updated with consent, written back as it was on undo', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({ KEEP: '1' });
  const dana = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const legacy = `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/legacy_pg`;
  await dana.lro(
    'PUT',
    `${legacy}?api-version=2024-04-01`,
    {
      properties: {
        targetService: { type: 'AzureResource', id: `${RESOURCE_IDS.postgres}/databases/orders` },
        authInfo: { authType: 'systemAssignedIdentity', userName: 'aad_orders_reuse' },
        clientType: 'python',
        publicNetworkSolution: { action: 'optOut' },
      },
    },
    'azure-async-operation',
  );
  const before = stateOf(twin);
  const input = inputFor(twin, { connectionName: 'orders_reuse' });
  const view = (await planned(input)).views.find((v) => v.id === 'service-connector')!;
  assert.match(view.lines.join('\n'), /already connects to .* as legacy_pg: that connection is reused/);
  assert.match(
    view.consent ?? '',
    /updates the connection legacy_pg .*client type python.*undo writes it back as it was/,
  );
  const { result, journal } = await ownerSetup(twin, input);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(linkerOf(RESOURCE_IDS.webApp, 'orders_reuse'), undefined, 'no second connection');
  assert.equal((twin.store.get(legacy)!.properties as any).clientType, 'nodejs');
  assert.equal(webSettings().AZURE_POSTGRESQL_USER, 'aad_orders_reuse');

  // A second run finds the connection as it wants it: nothing to do.
  const again = await ownerSetup(twin, input);
  assert.equal(again.result.steps.find((s) => s.id === 'service-connector')?.outcome, 'already-done');

  await restore(journal, result.runId);
  assert.equal((twin.store.get(legacy)!.properties as any).clientType, 'python');
  assert.deepEqual(stateOf(twin), before);
  await dana.lro('DELETE', `${legacy}?api-version=2024-04-01`, undefined, 'azure-async-operation');
  if (original) twin.store.put(original);
});

test('Spring Boot with a service principal: one tenant property, the one Spring reads (profile.tenant-id)', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({});
  const before = stateOf(twin);
  const services = servicesFor(twin, { ...OWNER_ENV, SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
  const input = inputFor(twin, {
    auth: { kind: 'sp', clientId: SP.appId },
    clientType: 'springBoot',
    connectionName: 'orders_spring_sp',
    signedIn: { objectId: IDS.dana, user: 'dana@contoso.twin.test', type: 'user', tenantId: IDS.tenantId },
  });
  const { result, journal } = await ownerSetup(twin, input, { services });
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const settings = webSettings();
  assert.equal(settings['spring.cloud.azure.profile.tenant-id'], IDS.tenantId);
  assert.equal(settings['spring.cloud.azure.credential.tenant-id'], undefined);
  assert.equal(settings['spring.cloud.azure.credential.client-id'], SP.appId);
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), before);
  if (original) twin.store.put(original);
});

test('--no-linker: a setting the app has is changed only with consent naming old and new; a service principal gets its tenant', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({ AZURE_POSTGRESQL_HOST: 'old-pg.postgres.database.azure.com' });
  const before = stateOf(twin);
  const services = servicesFor(twin, { ...OWNER_ENV, SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
  const input = inputFor(twin, {
    linker: false,
    auth: { kind: 'sp', clientId: SP.appId },
    connectionName: 'orders_nolinker_sp',
    signedIn: { objectId: IDS.dana, user: 'dana@contoso.twin.test', type: 'user', tenantId: IDS.tenantId },
  });
  const view = (await planned(input)).views.find((v) => v.id === 'app-settings')!;
  assert.match(
    view.consent ?? '',
    /AZURE_POSTGRESQL_HOST \("old-pg\.postgres\.database\.azure\.com" → "pg-orders\.postgres\.twin\.test"\)/,
  );
  const { result, journal } = await ownerSetup(twin, input, { services });
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(webSettings().AZURE_POSTGRESQL_TENANTID, IDS.tenantId);
  assert.equal(webSettings().AZURE_POSTGRESQL_CLIENTID, SP.appId);
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), before);
  if (original) twin.store.put(original);
});

test('a consent refused leaves the settings as they were', async () => {
  const original = twin.store.get(SETTINGS);
  seedWebSettings({ AZURE_POSTGRESQL_HOST: 'old-pg.postgres.database.azure.com' });
  const before = stateOf(twin);
  const services = servicesFor(twin, OWNER_ENV);
  const journal = await tempJournal();
  try {
    const input = inputFor(twin, { connectionName: 'orders_refused' });
    const plan = await planSteps(postgresSetupSteps(input, services));
    const result = await runSetup(plan, {
      journal,
      emit: () => {},
      target: input.server.id,
      confirm: async (request) => request.id !== 'service-connector',
    });
    assert.deepEqual(
      result.notDone.map((step) => [step.id, step.reason]),
      [
        ['service-connector', 'consent refused'],
        ['verify', 'depends on service-connector, whose consent was refused'],
        ['firewall-temp-remove', 'depends on service-connector, whose consent was refused'],
      ].filter(([id]) => plan.steps.some((step) => step.id === id)),
    );
    assert.equal(webSettings().AZURE_POSTGRESQL_HOST, 'old-pg.postgres.database.azure.com');
    assert.equal(linkerOf(RESOURCE_IDS.webApp, 'orders_refused'), undefined);
    await restore(journal, result.runId);
    assert.deepEqual(stateOf(twin), before);
  } finally {
    services.azure.dispose();
  }
  if (original) twin.store.put(original);
});
