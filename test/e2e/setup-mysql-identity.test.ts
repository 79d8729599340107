/**
 * `sc-doctor setup mysql --plain` as a user runs it, on a server with no user-assigned identity and
 * no `mysql-identity-id=`: the built CLI against the local Azure twin (scenario mysql-no-identity).
 * The doctor does not block it; the question of which identity the server should use cannot be asked
 * in plain mode, so the run ends with exit 2 naming the flag that answers it, and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { builtCli } from '../helpers/build.ts';
import { recordWrites, runBuiltCli, twinCliEnv } from '../helpers/twin-cli.ts';

let twin: Twin;
let env: Record<string, string>;
let writes: string[] = [];

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'mysql-no-identity', databases: ['mysql'] });
  env = twinCliEnv(twin);
  writes = recordWrites(twin);
});

after(async () => {
  await twin?.close();
});

test('setup mysql --plain without a server identity: exit 2 naming mysql-identity-id=, nothing written', async () => {
  const run = await runBuiltCli(
    [
      'setup',
      'mysql',
      '--server',
      'mysql-orders',
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
    env,
  );
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /has no user-assigned identity.*cannot ask in plain mode/);
  assert.match(run.stderr, /Pass --system-identity mysql-identity-id=<ARM id>/);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.deepEqual(writes, []);
});
