/**
 * `sc-doctor audit --check-user` logs in to each database (the fleet's real ones: the healthy world's
 * PostgreSQL and MySQL behind the twin) and checks the app's user: orders-api's role exists and holds
 * its grants, orders-worker has no user in mysql-orders, which the audit names with the setup line
 * that makes it. Without --check-user nobody logs in and both pairs pass.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { runBuiltCli, twinCliEnv } from '../helpers/twin-cli.ts';

let twin: Twin;
before(async () => {
  twin = await startTwin({ scenario: 'fleet', databases: ['postgres', 'mysql'] });
});
after(async () => {
  await twin?.close();
});

const SCOPE = ['audit', '--subscription', IDS.subscriptionId, '--resource-group', 'rg-orders', '--json'];

test('--check-user logs in: a missing database user fails the pair with the setup line that makes it', async () => {
  const run = await runBuiltCli([...SCOPE, '--check-user'], twinCliEnv(twin));
  const document = JSON.parse(run.stdout);
  const pairOf = (app: string) =>
    document.audit.pairs.find((pair: any) => pair.app.id.toLowerCase() === app.toLowerCase());
  const api = pairOf(RESOURCE_IDS.webApp);
  const worker = pairOf(RESOURCE_IDS.containerApp);
  const user = (pair: any) => pair.checks.find((check: any) => check.id === 'database-user');
  assert.equal(user(api).status, 'pass', JSON.stringify(user(api)));
  assert.equal(api.verdict, 'pass', JSON.stringify(api.checks.filter((c: any) => c.status !== 'pass')));
  assert.equal(worker.verdict, 'fail');
  assert.deepEqual(worker.causes, ['database-user']);
  assert.ok(
    user(worker).remediation.commands.some((command: string) =>
      command.startsWith(`sc-doctor setup mysql --source-id ${RESOURCE_IDS.containerApp}`),
    ),
    JSON.stringify(user(worker).remediation),
  );
  assert.equal(run.code, 1);
});

test('without --check-user nobody logs in and both pairs pass', async () => {
  const run = await runBuiltCli(SCOPE, twinCliEnv(twin));
  const document = JSON.parse(run.stdout);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(document.audit.summary.verdicts.pass, 2);
  assert.ok(
    document.audit.pairs.every(
      (pair: any) => !pair.checks.some((check: any) => check.id === 'database-user'),
    ),
  );
});
