/**
 * The audit within Azure's limits and with Resource Graph's lag, end to end (the built CLI against the
 * fleet twin): throttled by Resource Graph's quota and ARM's budgets it waits and still finds exactly
 * the same pairs; a resource Resource Graph has not indexed yet is found through ARM, one it still
 * lists but ARM no longer has is confirmed gone, never guessed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FLEET_SUBSCRIPTIONS, fleetPlan } from '../azure-twin/fleet.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { seedPostgresServer } from '../azure-twin/providers/postgres.ts';
import { seedWebApp } from '../azure-twin/providers/web.ts';
import { recordWrites, runBuiltCli, twinCliEnv } from '../helpers/twin-cli.ts';

const SUB = FLEET_SUBSCRIPTIONS[0].subscriptionId;
const GROUP = 'rg-fleet-1';
const plan = fleetPlan();
const inScope = (id: string) =>
  id.toLowerCase().startsWith(`/subscriptions/${SUB}/resourcegroups/${GROUP}/`.toLowerCase());
const SCOPE = ['audit', '--subscription', SUB, '--resource-group', GROUP, '--json'];

let twin: Twin;
let env: Record<string, string>;
before(async () => {
  twin = await startTwin({ scenario: 'fleet' });
  env = twinCliEnv(twin);
});
after(async () => {
  await twin?.close();
});

function verdicts(document: any): Map<string, string> {
  return new Map(
    document.audit.pairs.map((pair: any) => [
      `${pair.app.id}|${pair.database.serverId}|${pair.database.name}`.toLowerCase(),
      `${pair.verdict}:${pair.causes.join('+')}`,
    ]),
  );
}

test('throttled by Resource Graph’s quota and ARM’s budgets, the audit waits and finds the same pairs', async () => {
  const expected = new Map(
    plan.pairs
      .filter((pair) => inScope(pair.app))
      .map((pair) => [
        `${pair.app}|${pair.server}|${pair.database}`.toLowerCase(),
        `${pair.verdict}:${pair.causes.join('+')}`,
      ]),
  );
  assert.ok(expected.size > 30);
  const writes = recordWrites(twin);
  twin.world.resourceGraph = { quota: 2, windowMs: 1500 };
  twin.world.armThrottling = {
    reads: { bucket: 30, refillPerSecond: 60 },
    writes: { bucket: 10, refillPerSecond: 25 },
  };
  try {
    const run = await runBuiltCli(SCOPE, env);
    assert.equal(run.code, 1, run.stderr);
    const document = JSON.parse(run.stdout);
    assert.deepEqual(verdicts(document), expected);
    const { requests, resourceGraph } = document.audit.summary;
    assert.ok(requests.throttled > 0, `no 429 was met: ${JSON.stringify(requests)}`);
    assert.ok(resourceGraph.quotaWaitMs > 0 || requests.throttled > 0);
    assert.deepEqual(writes, []);
  } finally {
    twin.world.resourceGraph = {};
    twin.world.armThrottling = undefined;
  }
});

test('a hostile --tag reaches Resource Graph as a literal: the query runs and matches nothing', async () => {
  const run = await runBuiltCli(
    ['audit', '--subscription', SUB, '--tag', "env=x' or 1 == 1 | where name =~ 'web-0001", '--json'],
    env,
  );
  // The twin's Kusto parser refuses an `or` it does not serve: a query the value had changed would fail.
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(run.stdout);
  assert.equal(document.audit.problem, null);
  assert.equal(document.audit.summary.pairs, 0);
  assert.equal(document.audit.summary.apps.audited, 0);
});

test('Resource Graph lags: what it has not indexed yet is found through ARM; what it still lists, ARM confirms gone', async () => {
  twin.world.resourceGraph = { indexLagMs: 10 * 60_000 };
  // A server created now, named by an existing app's settings: Resource Graph does not know it yet.
  const fresh = seedPostgresServer(twin, {
    subscriptionId: SUB,
    resourceGroup: GROUP,
    name: 'pg-fresh',
    entraAuth: true,
    admins: [{ objectId: IDS.dana, principalName: 'dana@contoso.twin.test', principalType: 'User' }],
    databases: ['appdb'],
  });
  const settingsApp = plan.apps.find(
    (app) =>
      inScope(app.id) &&
      app.kind === 'webapp' &&
      app.style === 'settings' &&
      app.problem === null &&
      app.connections.length === 1,
  )!;
  const doc = twin.store.get(`${settingsApp.id}/config/appsettings`)!;
  const host = Object.keys(doc.properties!).find((name) => /_HOST$|_SERVER$/.test(name))!;
  const prefix = host.replace(/(HOST|SERVER)$/, '');
  const properties = Object.fromEntries(
    Object.entries(doc.properties!).filter(([name]) => !name.startsWith(prefix)),
  );
  twin.store.put({
    ...doc,
    properties: {
      ...properties,
      AZURE_POSTGRESQL_HOST: 'pg-fresh.postgres.twin.test',
      AZURE_POSTGRESQL_DATABASE: 'appdb',
      AZURE_POSTGRESQL_USER: settingsApp.name,
    },
  });
  // A new app: not in the index, so not audited yet.
  seedWebApp(twin, {
    subscriptionId: SUB,
    resourceGroup: GROUP,
    name: 'web-fresh',
    systemIdentity: true,
    appSettings: { AZURE_POSTGRESQL_HOST: 'pg-fresh.postgres.twin.test', AZURE_POSTGRESQL_DATABASE: 'appdb' },
  });
  // An app deleted now: still indexed; ARM says it is gone.
  const deletedApp = plan.apps.find(
    (app) =>
      inScope(app.id) && app.kind === 'webapp' && app.connections.length > 0 && app.id !== settingsApp.id,
  )!;
  twin.store.delete(deletedApp.id);

  const run = await runBuiltCli(SCOPE, env);
  const document = JSON.parse(run.stdout);
  const pairs = document.audit.pairs as any[];
  const moved = pairs.filter((pair) => pair.app.id.toLowerCase() === settingsApp.id.toLowerCase());
  assert.equal(moved.length, 1);
  assert.equal(moved[0].database.serverId.toLowerCase(), fresh.id.toLowerCase());
  assert.equal(moved[0].database.foundIn, 'arm');
  assert.equal(
    moved[0].verdict,
    'pass',
    JSON.stringify(moved[0].checks.filter((c: any) => c.status !== 'pass')),
  );
  assert.ok(
    !pairs.some((pair) => pair.app.id.endsWith('/web-fresh')),
    'an app Resource Graph has not indexed is not audited yet',
  );
  const gone = document.audit.apps.find(
    (entry: any) => entry.app.id.toLowerCase() === deletedApp.id.toLowerCase(),
  );
  assert.equal(gone?.status, 'gone');
  assert.ok(!pairs.some((pair) => pair.app.id.toLowerCase() === deletedApp.id.toLowerCase()));

  // Once the index has caught up, the new app is there and the deleted one is not.
  twin.clock.advance(11 * 60);
  const later = JSON.parse((await runBuiltCli(SCOPE, env)).stdout);
  assert.ok(later.audit.pairs.some((pair: any) => pair.app.id.endsWith('/web-fresh')));
  assert.ok(
    !later.audit.apps.some((entry: any) => entry.app.id.toLowerCase() === deletedApp.id.toLowerCase()),
  );
});
