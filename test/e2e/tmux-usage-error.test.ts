/**
 * A usage or configuration error raised after the interactive screen started, in a real terminal:
 * `sc-doctor setup postgres` (the built CLI) in a private tmux pane against the twin, with a
 * `~/.sc-doctor` other users could write. The screen must say what plain mode says (the message and
 * its `Fix:` line), never "the doctor itself failed", and the run exits 2, as in plain mode.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, runProgram, tempDir } from '../helpers/build.ts';
import { openPane } from '../helpers/tmux.ts';

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'healthy', databases: ['postgres'] });
});

after(async () => {
  await twin?.close();
});

const SETUP = [
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
];

test('a ~/.sc-doctor others can write: the interactive screen shows the message and its fix and exits 2, like plain mode', async () => {
  const server = twin.store.get(RESOURCE_IDS.postgres)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres } = twin.databaseEndpoints;
  const home = join(tempDir('sc-doctor-tmux-usage-'), 'home');
  const state = join(home, '.sc-doctor');
  mkdirSync(state, { recursive: true });
  chmodSync(state, 0o777);
  const env: Record<string, string> = {
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    SC_DOCTOR_CONNECT_TO: `${fqdn}:5432=${postgres!.host}:${postgres!.port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  const twinEnv = twin.env();
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }

  // Plain mode, for comparison: the message, its fix, exit 2.
  const plain = await runProgram(process.execPath, [builtCli().cli, ...SETUP, '--plain'], env);
  assert.equal(plain.code, 2, plain.stdout + plain.stderr);
  const fix = /^Fix: make it private: chmod 700 .*$/m.exec(plain.stderr)?.[0];
  assert.ok(fix, plain.stderr);

  const pane = openPane({ argv: [process.execPath, builtCli().cli, ...SETUP], env, columns: 160, rows: 40 });
  try {
    await pane.waitForScreen(() => pane.isDead(), 'the program to end by itself', 60_000);
    const screen = pane.history();
    assert.equal(pane.exitCode(), '2', screen);
    assert.match(screen, /sc-doctor: .*\.sc-doctor can be written by other users \(mode 0777\)/, screen);
    assert.ok(screen.includes(fix), `the fix line "${fix}" is shown:\n${screen}`);
    assert.doesNotMatch(screen, /the doctor itself failed/, screen);
  } finally {
    pane.close();
  }
});
