/**
 * The built CLI reading Azure's answers as Azure sends them: Microsoft.Web refuses in its own
 * PascalCase envelope (`{"Code", "Message", ...}`, not `{"error": ...}`), and the person still reads
 * Azure's code and words, and the run rolls back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
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
