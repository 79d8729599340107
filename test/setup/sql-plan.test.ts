/**
 * The Azure SQL plan, before anything is written: what the firewall and connection policy mean, who
 * the admin is, and that a second run after success writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { planSteps } from '../../source/engine/plan.ts';
import { SQL_STEP_IDS, sqlSetupSteps } from '../../source/setup/sql/index.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { runSqlSetup, servicesFor, sqlInputFor, undoSqlRun } from './sql-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
  const server = twin.store.get(RESOURCE_IDS.sql)!;
  twin.store.put({ ...server, properties: { ...server.properties, twinConnectionType: 'Redirect' } });
  twin.store.put({
    id: `${RESOURCE_IDS.sql}/firewallRules/AllowAllWindowsAzureIps`,
    name: 'AllowAllWindowsAzureIps',
    type: 'Microsoft.Sql/servers/firewallRules',
    properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' },
  });
});
after(async () => {
  await twin?.close();
});

test('the plan explains the 0.0.0.0 rule and Redirect, names the grants, and asks nothing of the admin', async () => {
  const services = servicesFor(twin);
  try {
    const plan = await planSteps(sqlSetupSteps(sqlInputFor(twin), services));
    assert.deepEqual(
      plan.views.map((v) => v.id),
      SQL_STEP_IDS.filter((id) => id !== 'app-settings'),
    );
    const view = (id: string) => plan.views.find((v) => v.id === id)!;
    const firewall = view('firewall-temp').lines.join('\n');
    assert.match(
      firewall,
      /AllowAllWindowsAzureIps \(0\.0\.0\.0\) admits Azure services, the app's included, not this machine/,
    );
    assert.match(firewall, /Redirect: the app must also reach ports 11000-11999/);
    assert.match(firewall, /never one for all addresses/);
    assert.match(
      view('database-user').lines.join('\n'),
      /db_datareader, db_datawriter and db_ddladmin .*not owner/,
    );
    assert.deepEqual(view('entra-admin').lines, [
      'dana@contoso.twin.test is already the Entra admin of sql-orders',
      'Entra-only authentication stays off',
    ]);
    assert.ok(plan.views.every((v) => v.consent === null));
  } finally {
    services.azure.dispose();
  }
});

test('a second run after success makes no write request', async () => {
  const input = sqlInputFor(twin, { connectionName: 'orders_rerun' });
  const first = await runSqlSetup(twin, input);
  assert.equal(first.result.status, 'succeeded', JSON.stringify(first.result.failure));
  const writes: string[] = [];
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    if (!['GET', 'HEAD'].includes(method) && !path.endsWith('/list') && !path.startsWith('/_twin'))
      writes.push(`${method} ${path}`);
    return take(method, path);
  };
  try {
    const second = await runSqlSetup(twin, input);
    assert.equal(second.result.status, 'succeeded', JSON.stringify(second.result.failure));
    assert.deepEqual(writes, []);
    assert.deepEqual(Object.fromEntries(second.result.steps.map((s) => [s.id, s.outcome])), {
      'app-identity': 'already-done',
      'entra-admin': 'already-done',
      'firewall-temp': 'already-done',
      'database-user': 'already-done',
      'service-connector': 'already-done',
      verify: 'applied',
      'firewall-temp-remove': 'already-done',
    });
  } finally {
    twin.faults.take = take;
  }
  assert.equal((await undoSqlRun(twin, first.journal, first.result.runId)).status, 'undone');
});
