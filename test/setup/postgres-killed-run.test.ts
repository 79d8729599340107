/**
 * A PostgreSQL setup killed with SIGKILL half way, while Azure is still working on its write: the
 * journal alone, through `undoFromJournal` and `postgresUndoers`, puts the twin and PostgreSQL back as
 * they were before the run, including a change whose operation finished after the kill.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../source/engine/journal.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { postgresUndoers } from '../../source/setup/postgres/index.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { inputFor, rolesOf, servicesFor, stateOf } from './postgres-helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'entra-off', databases: true });
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  twin.store.put({
    ...site,
    identity: { type: 'UserAssigned', userAssignedIdentities: (site.identity as any).userAssignedIdentities },
  });
});

after(async () => {
  await twin?.close();
});

const CASES = [
  {
    name: 'SIGKILL while the Entra admin is being added; undo after Azure finished it',
    step: 'entra-admin',
    lroResource: `${RESOURCE_IDS.postgres}/administrators/`,
    waitForAzure: true,
  },
  {
    name: 'SIGKILL while Entra authentication is being enabled; undo at once waits for the Updating server',
    step: 'entra-auth',
    lroResource: RESOURCE_IDS.postgres,
    waitForAzure: false,
  },
] as const;

for (const killCase of CASES) {
  test(killCase.name, async () => {
    const stateBefore = stateOf(twin);
    const rolesBefore = await rolesOf(twin);
    const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-pg-killed-'));
    const file = path.join(home, 'run.json');
    twin.faults.clear();
    // The operation runs long enough for the kill to land while it is in flight.
    twin.faults.addLro({ resourceId: killCase.lroResource, delayMs: 1500 });
    await writeFile(
      file,
      JSON.stringify({
        input: inputFor(twin, { connectionName: 'orders_killed' }),
        env: twin.env(),
        ca: twin.caPem,
        home,
      }),
      { mode: 0o600 },
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'postgres-killed-run.child.ts'), file],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        if (String(chunk).includes(`start ${killCase.step}`)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the child run ended by itself (${code}): ${stderr}`)));
    });
    const inFlight = () =>
      twin
        .state()
        .operations.some(
          (op) =>
            op.status === 'InProgress' &&
            op.resourceId.toLowerCase().includes(killCase.lroResource.toLowerCase()),
        );
    // Let the write reach Azure before the kill.
    for (let i = 0; i < 200 && !inFlight(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(inFlight(), 'the write reached Azure before the kill');
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    if (killCase.waitForAzure) {
      // Azure finishes what it was asked even though the asker died.
      for (let i = 0; i < 300 && inFlight(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const journal = new Journal({ home });
    const [unfinished] = await journal.unfinishedRuns();
    assert.ok(unfinished, 'the next start offers the killed run for undo');
    const services = servicesFor(twin);
    try {
      const undone = await undoFromJournal({
        journal,
        runId: unfinished.runId,
        steps: postgresUndoers(services, inputFor(twin).connectTo),
      });
      assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
      assert.ok(undone.outcomes.some((o) => o.id === killCase.step && o.outcome === 'undone'));
    } finally {
      services.azure.dispose();
    }
    assert.deepEqual(stateOf(twin), stateBefore);
    assert.deepEqual(await rolesOf(twin), rolesBefore);
  });
}
