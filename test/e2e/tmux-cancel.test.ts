/**
 * Ctrl-C while a write is in flight, in a real terminal: `sc-doctor setup postgres` (the built CLI)
 * in a private tmux pane against the twin (scenario entra-off) with every long-running operation
 * taking 3 s. Ctrl-C comes about a second into the Entra-admin write, while Azure is still working on
 * it. The run must not call the admin "already gone" before the write landed: it lets the write end,
 * undoes it, and only then says nothing is left; afterwards the twin is exactly as before, and
 * `sc-doctor undo` of that run finds nothing left either.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, runProgram, tempDir } from '../helpers/build.ts';
import { openPane } from '../helpers/tmux.ts';
import { rolesOf, stateOf } from '../setup/postgres-helpers.ts';

const LRO_MS = 3000;

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
});

after(async () => {
  await twin?.close();
});

const adminWriteInFlight = () =>
  twin
    .state()
    .operations.some((op) => op.status === 'InProgress' && /\/administrators\//i.test(op.resourceId));
const anyInFlight = () => twin.state().operations.some((op) => op.status === 'InProgress');

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

test('Ctrl-C one second into the Entra-admin write: the write is let land and undone, exit 130, nothing left', async () => {
  const server = twin.store.get(RESOURCE_IDS.postgres)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres } = twin.databaseEndpoints;
  const home = join(tempDir('sc-doctor-tmux-cancel-'), 'home');
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
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);

  const argv = [
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
  ];
  twin.faults.lroDelayMs = LRO_MS;
  const pane = openPane({ argv: [process.execPath, builtCli().cli, ...argv], env, rows: 40 });
  let runId: string;
  try {
    let screen = await pane.waitForScreen((s) => /enter apply/.test(s), 'the plan asking to apply', 60_000);
    // The first frame with the hint may come before the keys are listened to: press until answered.
    for (let i = 0; i < 10 && /enter apply/.test(pane.capture()); i++) {
      pane.press('Enter');
      await delay(300);
    }
    screen = await pane.waitForScreen(
      (s) => /Go ahead\?/.test(s),
      'the consent to restart the server',
      60_000,
    );
    pane.type('y');

    await until(adminWriteInFlight, 'the Entra-admin write to reach Azure');
    await delay(1000);
    assert.ok(adminWriteInFlight(), 'Ctrl-C comes while Azure is still adding the admin');
    pane.press('C-c');
    // The run says why it does not stop at once: it lets the write end, then undoes it.
    await pane.waitForScreen((s) => /Entra admin of pg-ord.*finishing/.test(s), 'the wait being explained');
    // And while the write finishes, before the rollback starts, its last line says what Ctrl-C does
    // now: it no longer cancels, it stops the waiting.
    screen = await pane.waitForScreen(
      (s) =>
        /finishing/.test(s) &&
        !/Cancelled: undoing/.test(s) &&
        /Ctrl-C again stops waiting and lists what is left/.test(s),
      'the last line to say what a second Ctrl-C does while the write finishes',
    );
    assert.doesNotMatch(screen, /Ctrl-C cancels and undoes/, screen);

    screen = await pane.waitForScreen(() => pane.isDead(), 'the program to end after the rollback', 60_000);
    screen = pane.capture();
    assert.equal(pane.exitCode(), '130', screen);
    assert.doesNotMatch(screen, /already gone/, screen);
    assert.match(screen, /Entra admin of pg-orders.*undone/, screen);
    assert.match(screen, /nothing is left/, screen);
    runId = /run (\d{8}-[0-9a-f]{6})/.exec(screen)?.[1] ?? '';
  } finally {
    pane.close();
    twin.faults.lroDelayMs = 0;
  }

  // Long after the write would have landed, nothing this run made is left: the twin is as before.
  await until(() => !anyInFlight(), 'every operation to end');
  await delay(LRO_MS);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);

  const undo = await runProgram(
    process.execPath,
    [builtCli().cli, 'undo', ...(runId ? [runId] : []), '--plain'],
    env,
  );
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  assert.match(undo.stdout, /is undone: nothing it changed is left/);
  assert.deepEqual(stateOf(twin), stateBefore);
});
