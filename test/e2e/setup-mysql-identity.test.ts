/**
 * `sc-doctor setup mysql --plain` as a user runs it, on a server with no user-assigned identity and
 * no `mysql-identity-id=`: the built CLI against the local Azure twin (scenario mysql-no-identity).
 * The doctor does not block it; the question of which identity the server should use cannot be asked
 * in plain mode, so the run ends with exit 2 naming the flag that answers it, and writes nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, runProgram, tempDir } from '../helpers/build.ts';

let twin: Twin;
let env: Record<string, string>;
const writes: string[] = [];

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'mysql-no-identity', databases: ['mysql'] });
  const home = tempDir('sc-doctor-mysql-identity-home-');
  const server = twin.store.get(RESOURCE_IDS.mysql)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { mysql } = twin.databaseEndpoints;
  env = {
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    SC_DOCTOR_CONNECT_TO: `${fqdn}:3306=${mysql!.host}:${mysql!.port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  const twinEnv = twin.env();
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    if (!['GET', 'HEAD'].includes(method) && !path.endsWith('/list') && !path.startsWith('/_twin'))
      writes.push(`${method} ${path}`);
    return take(method, path);
  };
});

after(async () => {
  await twin?.close();
});

test('setup mysql --plain without a server identity: exit 2 naming mysql-identity-id=, nothing written', async () => {
  const run = await runProgram(
    process.execPath,
    [
      builtCli().cli,
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
    120_000,
  );
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /has no user-assigned identity.*cannot ask in plain mode/);
  assert.match(run.stderr, /Pass --system-identity mysql-identity-id=<ARM id>/);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.deepEqual(writes, []);
});
