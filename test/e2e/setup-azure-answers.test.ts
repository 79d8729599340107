/**
 * The built CLI reading Azure's answers as Azure sends them: Microsoft.Web refuses in its own
 * PascalCase envelope (`{"Code", "Message", ...}`, not `{"error": ...}`), and the person still reads
 * Azure's code and words, and the run rolls back; ARM throttles (429 with `Retry-After`), and the run
 * waits as asked (within a bound), says so on the check or step, and goes on.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli } from '../helpers/build.ts';
import { runBuiltCli, twinCliEnv } from '../helpers/twin-cli.ts';
import { rolesOf, stateOf } from '../setup/postgres-helpers.ts';

let twin: Twin;
let env: Record<string, string>;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'healthy', databases: ['postgres'] });
  env = twinCliEnv(twin);
});

after(async () => {
  await twin?.close();
});

test('setup --no-linker: Web refuses the settings in its own envelope; the failure names its code and words, and nothing is left', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  // azure-refusals.md §5: a write while another site operation runs, in Web's envelope (§0).
  twin.faults.add({
    method: 'PUT',
    path: `${RESOURCE_IDS.webApp}/config/appsettings`,
    status: 409,
    code: 'Conflict',
    message: 'Cannot modify this site because another operation is in progress.',
    envelope: 'web',
    times: 10,
  });
  try {
    const run = await runBuiltCli(
      [
        'setup',
        'postgres',
        '--server',
        'pg-orders',
        '--database',
        'orders',
        '-g',
        'rg-orders',
        '-n',
        'orders-api',
        '--target',
        'webapp',
        '--system-identity',
        '--client-type',
        'nodejs',
        '--no-linker',
        '--yes',
        '--json',
      ],
      env,
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const setup = JSON.parse(run.stdout).setup;
    assert.equal(setup.status, 'rolled-back', JSON.stringify(setup.steps));
    const failed = setup.steps.find((step: { outcome: string }) => step.outcome === 'failed');
    assert.equal(failed.id, 'app-settings');
    assert.match(
      failed.message,
      /Azure answered 409 Conflict: Cannot modify this site because another operation is in progress\./,
    );
  } finally {
    twin.faults.clear();
  }
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('ARM throttling (429 with Retry-After) on a read and on a write: asked again after the wait, shown on the check and the step, and the run succeeds', async () => {
  const stateBefore = stateOf(twin);
  const throttled = { status: 429, code: 'TooManyRequests', message: 'The request is being throttled.' };
  // The first read of the app is the app-identity check's.
  const app = RESOURCE_IDS.webApp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const read = twin.faults.add({
    method: 'GET',
    path: new RegExp(`${app}$`, 'i'),
    ...throttled,
    retryAfterSeconds: 1,
  });
  const write = twin.faults.add({
    method: 'PUT',
    path: /\/providers\/Microsoft\.ServiceLinker\/linkers\/[^/]+$/i,
    ...throttled,
    retryAfterSeconds: 1,
  });
  // orders belongs to the password admin, as on Azure: the owner's grants need its password.
  const cliEnv = twinCliEnv(twin, { databaseOwnerPassword: PG_PASSWORD_ADMIN.password });
  let runId = '';
  try {
    const run = await runBuiltCli(
      [
        'setup',
        'postgres',
        '--server',
        'pg-orders',
        '--database',
        'orders',
        '-g',
        'rg-orders',
        '-n',
        'orders-api',
        '--target',
        'webapp',
        '--system-identity',
        '--client-type',
        'nodejs',
        '--yes',
        '--plain',
      ],
      cliEnv,
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(twin.faults.hits(read), 1);
    assert.equal(twin.faults.hits(write), 1);
    assert.match(run.stderr, /(…|\.\.\.) App identity: Azure is throttling: asking again in 1 s$/m);
    assert.match(
      run.stderr,
      /(…|\.\.\.) Service Connector connection \S+: Azure is throttling: asking again in 1 s$/m,
    );
    runId = /Applying \(run (\S+)\)/.exec(run.stdout)?.[1] ?? '';
  } finally {
    twin.faults.clear();
    if (runId) {
      const undo = await runBuiltCli(['undo', runId, '--plain'], cliEnv);
      assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    }
  }
  assert.deepEqual(stateOf(twin), stateBefore);
});
