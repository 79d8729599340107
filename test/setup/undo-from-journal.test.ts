import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSetup } from '../../source/setup/engine.ts';
import type { EngineEvent } from '../../source/setup/engine-events.ts';
import { Journal } from '../../source/setup/journal.ts';
import { planSteps } from '../../source/setup/plan.ts';
import { undoFromJournal } from '../../source/setup/undo-from-journal.ts';
import { checkOnly } from '../../source/setup/undoer.ts';
import { FakeWorld, undoersOf } from './fake-world.ts';
import { killedRunSteps } from './killed-run-steps.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const TARGET =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-killed';

/** Starts the child run, waits until its last step has made its change and hangs, then SIGKILLs it. */
async function killMidRun(home: string, worldFile: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'killed-run.child.ts'), home, worldFile, TARGET],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('hung')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the child run ended by itself (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

test('a run killed with SIGKILL mid-step is found on the next start and undone from its journal alone', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-killed-'));
  const worldFile = path.join(home, 'world.json');
  await writeFile(worldFile, '{}');
  await killMidRun(home, worldFile);

  const { world, steps } = killedRunSteps(worldFile);
  assert.deepEqual(Object.keys(world.store.snapshot()), ['app-identity', 'database-role', 'entra-auth']);

  const journal = new Journal({ home });
  const unfinished = await journal.unfinishedRuns();
  assert.equal(unfinished.length, 1, 'the killed run is offered for undo');
  const run = unfinished[0]!;
  assert.equal(run.status, 'running');
  assert.deepEqual(
    run.steps.map((s) => [s.id, s.state, s.record?.thing ?? null]),
    [
      ['app-identity', 'applied', 'app-identity'],
      ['entra-auth', 'applied', 'entra-auth'],
      // Killed between its write and its end: the checkpointed record is what makes it undoable.
      ['database-role', 'started', 'database-role'],
    ],
  );

  const events: EngineEvent[] = [];
  // The dead child still holds the lock on the server: undo takes the stale lock over.
  const result = await undoFromJournal({ journal, runId: run.runId, steps, emit: (e) => events.push(e) });
  assert.equal(result.status, 'undone');
  assert.equal(result.exitCode, 0);
  // app-identity and entra-auth ran concurrently, so either may have finished last.
  assert.deepEqual(result.outcomes.map((o) => [o.id, o.outcome]).sort(), [
    ['app-identity', 'undone'],
    ['database-role', 'undone'],
    ['entra-auth', 'undone'],
  ]);
  assert.equal(result.outcomes[0]?.id, 'database-role', 'the step in flight is undone first');
  assert.deepEqual(world.store.snapshot(), {}, 'the world is as it was before the run');
  assert.ok(events.some((e) => e.type === 'rollback:start' && e.reason === 'undo'));

  const saved = await journal.loadRun(run.runId);
  assert.equal(saved.status, 'undone');
  assert.deepEqual(
    saved.steps.map((s) => s.state),
    ['undone', 'undone', 'undone'],
  );
  assert.deepEqual(await journal.unfinishedRuns(), []);
});

test('undo of a finished run restores the world, and a second undo changes nothing', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'] })];
  const setup = await runSetup(await planSteps(steps), { journal, target: TARGET });
  assert.equal(setup.status, 'succeeded');
  world.store.set('unrelated', 'kept');

  const first = await undoFromJournal({ journal, runId: setup.runId, steps });
  assert.equal(first.status, 'undone');
  assert.deepEqual(
    first.outcomes.map((o) => [o.id, o.outcome]),
    [
      ['b', 'undone'],
      ['a', 'undone'],
    ],
  );
  assert.deepEqual(world.store.snapshot(), { unrelated: 'kept' });

  const undoCalls = steps.map((s) => s.calls.undo);
  const second = await undoFromJournal({ journal, runId: setup.runId, steps });
  assert.equal(second.status, 'undone');
  assert.deepEqual(second.outcomes, []);
  assert.deepEqual(
    steps.map((s) => s.calls.undo),
    undoCalls,
    'no undo is called twice',
  );
});

test('a step this version cannot undo is named as left, with the rest undone', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' }), world.step({ id: 'retired-step' })];
  const setup = await runSetup(await planSteps(steps), { journal, target: TARGET });
  const result = await undoFromJournal({ journal, runId: setup.runId, steps: [steps[0]!] });
  assert.equal(result.status, 'rollback-incomplete');
  assert.equal(result.exitCode, 3);
  assert.deepEqual(
    result.left.map((l) => [l.id, l.reason]),
    [['retired-step', 'this version of sc-doctor does not know how to undo step retired-step']],
  );
  assert.equal(world.store.get('a'), undefined);
  assert.equal((await journal.loadRun(setup.runId)).status, 'rollback-incomplete');
});

test('undo of an unknown run id says how to list the runs', async () => {
  const journal = new Journal({ home: await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-')) });
  await assert.rejects(
    undoFromJournal({ journal, runId: '../../etc/passwd', steps: [] }),
    /there is no run \.\.\/\.\.\/etc\/passwd\. Run sc-doctor undo --list to see the runs\./,
  );
});

test('a check has no row in undo: not from this version, nor from an earlier journal that kept a record for it', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const change = world.step({ id: 'change' });
  // Earlier versions journaled the check's result like a change's record.
  const oldVerify = world.step({ id: 'verify', after: ['change'] });
  const setup = await runSetup(await planSteps([change, oldVerify]), { journal, target: TARGET });
  assert.equal(setup.status, 'succeeded');
  assert.notEqual((await journal.loadRun(setup.runId)).steps[1]!.record, null);

  const events: EngineEvent[] = [];
  const result = await undoFromJournal({
    journal,
    runId: setup.runId,
    steps: [...undoersOf([change]), { ...checkOnly('verify', 'Check'), checkRecord: () => [] }],
    emit: (event) => events.push(event),
  });
  assert.equal(result.status, 'undone');
  assert.deepEqual(
    result.outcomes.map((o) => o.id),
    ['change'],
  );
  const start = events.find((event) => event.type === 'rollback:start');
  assert.deepEqual(start?.type === 'rollback:start' ? start.steps.map((step) => step.id) : null, ['change']);
  assert.equal(oldVerify.calls.undo, 0);
});
