import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Journal, type RunDocument } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { isRunId, newRunId } from '../../source/engine/run-id.ts';
import { lockFileFor, RunLockedError } from '../../source/engine/run-lock.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import { SecretInJournalError } from '../../source/engine/secret-scrubber.ts';
import { FakeWorld } from './fake-world.ts';

const TARGET =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders';

async function tempHome(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'sc-doctor-journal-'));
}

/** The one journal under `home`, read synchronously from inside a step. */
function readOnlyRun(journal: Journal): RunDocument {
  const [name] = readdirSync(journal.runsDir).filter((n) => n.endsWith('.json'));
  return JSON.parse(readFileSync(path.join(journal.runsDir, name!), 'utf8'));
}

const states = (run: RunDocument) => Object.fromEntries(run.steps.map((s) => [s.id, s.state]));

test('the journal directory is 0700 and each journal 0600, even when ~/.sc-doctor already existed wider', async () => {
  const home = await tempHome();
  await mkdir(path.join(home, '.sc-doctor'), { mode: 0o755 });
  await chmod(path.join(home, '.sc-doctor'), 0o755);
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const result = await runSetup(await planSteps([world.step({ id: 'a' })]), { journal, target: TARGET });
  const mode = async (file: string) => (await stat(file)).mode & 0o777;
  assert.equal(await mode(journal.root), 0o700);
  assert.equal(await mode(journal.runsDir), 0o700);
  assert.equal(await mode(path.join(journal.runsDir, `${result.runId}.json`)), 0o600);
});

test('the journal holds the plan, then each step started before and applied with its record after, then the rollback', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const seen: Record<string, RunDocument> = {};
  const steps = [
    world.step({
      id: 'first',
      beforeChange: async () => {
        seen.duringFirst = readOnlyRun(journal);
      },
      beforeUndo: async () => {
        seen.duringUndo = readOnlyRun(journal);
      },
    }),
    world.step({
      id: 'second',
      after: ['first'],
      beforeChange: async () => {
        seen.duringSecond = readOnlyRun(journal);
        throw new Error('the operation ended Failed');
      },
    }),
  ];
  const result = await runSetup(await planSteps(steps), { journal, target: TARGET });

  const duringFirst = seen.duringFirst!;
  assert.equal(duringFirst.status, 'running');
  assert.equal(duringFirst.target, TARGET);
  assert.deepEqual(duringFirst.steps[0]?.preview, ['create thing first']);
  assert.deepEqual(states(duringFirst), { first: 'started', second: 'pending' });
  assert.equal(duringFirst.steps[0]?.record, null);

  const duringSecond = seen.duringSecond!;
  assert.deepEqual(states(duringSecond), { first: 'applied', second: 'started' });
  assert.deepEqual(duringSecond.steps[0]?.record, { thing: 'first', value: `${result.runId}:first` });
  assert.equal(duringSecond.steps[0]?.appliedOrder, 1);

  const duringUndo = seen.duringUndo!;
  assert.equal(duringUndo.status, 'rolling-back');
  assert.deepEqual(states(duringUndo), { first: 'undoing', second: 'failed' });
  assert.equal(duringUndo.steps[1]?.message, 'the operation ended Failed');

  const after = await journal.loadRun(result.runId);
  assert.equal(after.status, 'rolled-back');
  assert.deepEqual(states(after), { first: 'undone', second: 'failed' });
});

test('every write replaces the journal by rename, never in place, and leaves no temporary file', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  const world = new FakeWorld();
  const file = () =>
    path.join(journal.runsDir, readdirSync(journal.runsDir).find((n) => n.endsWith('.json'))!);
  const keptVersion = path.join(home, 'kept.json');
  const steps = [
    world.step({
      id: 'a',
      // A second name for the journal as it is now: a rename replaces the name, an in-place write would
      // change this file too (and a crash in the middle of it would leave half a journal).
      beforeChange: () => link(file(), keptVersion),
    }),
  ];
  await runSetup(await planSteps(steps), { journal, target: TARGET });
  const kept = JSON.parse(readFileSync(keptVersion, 'utf8')) as RunDocument;
  const final = JSON.parse(readFileSync(file(), 'utf8')) as RunDocument;
  assert.deepEqual([kept.status, kept.steps[0]?.state], ['running', 'started']);
  assert.deepEqual([final.status, final.steps[0]?.state], ['succeeded', 'applied']);
  assert.deepEqual(
    (await readdir(journal.runsDir)).filter((n) => !n.endsWith('.json')),
    [],
  );
});

test('a journal update that would write a secret is refused loudly and the file keeps its last good version', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  const writer = await journal.create({
    runId: journal.newRunId(),
    target: TARGET,
    steps: [{ id: 'a', title: 'A', resource: 'r', after: [], lines: ['x'], consent: null }],
    notDone: [],
  });
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJl';
  await assert.rejects(
    writer.updateStep('a', (step) => {
      step.record = { previous: { AZURE_POSTGRESQL_CLIENTSECRET: 'p4ss' } };
    }),
    (error: unknown) =>
      error instanceof SecretInJournalError &&
      error.path === 'journal.steps[0].record.previous.AZURE_POSTGRESQL_CLIENTSECRET',
  );
  await assert.rejects(
    writer.updateStep('a', (step) => {
      step.message = `token ${jwt}`;
    }),
    /JWT-shaped token/,
  );
  const text = readFileSync(path.join(journal.runsDir, `${writer.runId}.json`), 'utf8');
  assert.ok(!text.includes(jwt) && !text.includes('p4ss'));
  assert.equal((await journal.loadRun(writer.runId)).steps[0]?.record, null);
  await writer.updateStep('a', (step) => {
    step.state = 'applied';
  });
  assert.equal((await journal.loadRun(writer.runId)).steps[0]?.state, 'applied', 'later writes still work');
});

test('run ids look like 20261126-1a2b3c and sort in the order runs started', () => {
  const early = newRunId(Date.UTC(2026, 10, 26, 9, 0, 0), () => 127);
  const later = newRunId(Date.UTC(2026, 10, 26, 9, 0, 1), () => 0);
  const nextDay = newRunId(Date.UTC(2026, 10, 27, 0, 0, 0), () => 0);
  assert.ok(isRunId(early) && isRunId(later) && isRunId(nextDay));
  assert.match(early, /^20261126-[0-9a-f]{6}$/);
  assert.deepEqual([nextDay, later, early].sort(), [early, later, nextDay]);
  assert.ok(!isRunId('../20261126-1a2b3c'));
});

test('listRuns shows every run oldest first; unfinishedRuns only killed runs and incomplete rollbacks', async () => {
  const home = await tempHome();
  const alive = new Set<number>([1111]);
  let clock = Date.UTC(2026, 10, 26, 9, 0, 0);
  const journalAs = (pid: number) =>
    new Journal({ home, pid, now: () => (clock += 1000), isProcessAlive: (p) => alive.has(p) });
  const plan = [{ id: 'a', title: 'A', resource: 'r', after: [], lines: [], consent: null }];
  const make = async (pid: number, status: RunDocument['status']) => {
    const journal = journalAs(pid);
    const writer = await journal.create({
      runId: journal.newRunId(),
      target: TARGET,
      steps: plan,
      notDone: [],
    });
    await writer.update((doc) => {
      doc.status = status;
    });
    return writer.runId;
  };
  const succeeded = await make(1111, 'succeeded');
  const killed = await make(2222, 'running');
  const live = await make(1111, 'running');
  const incomplete = await make(1111, 'rollback-incomplete');
  const journal = journalAs(1111);
  const runs = await journal.listRuns();
  assert.deepEqual(
    runs.map((r) => [r.runId, r.status, r.unfinished]),
    [
      [succeeded, 'succeeded', false],
      [killed, 'running', true],
      [live, 'running', false],
      [incomplete, 'rollback-incomplete', true],
    ],
  );
  assert.deepEqual(
    (await journal.unfinishedRuns()).map((r) => r.runId),
    [killed, incomplete],
  );
});

test('a second run on the same server is refused while the first holds it, whatever the case of the id', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  const lock = await journal.lock(TARGET, '20261126-000001');
  const world = new FakeWorld();
  const step = world.step({ id: 'a', consent: 'may restart the server' });
  const asked: string[] = [];
  const confirm = async (request: { id: string }) => {
    asked.push(request.id);
    return true;
  };
  await assert.rejects(
    runSetup(await planSteps([step]), { journal, target: TARGET.toUpperCase(), confirm }),
    (error: unknown) =>
      error instanceof RunLockedError &&
      error.message.includes(`another sc-doctor run (20261126-000001, process ${process.pid}`) &&
      error.message.includes('Wait for it to finish'),
  );
  assert.equal(step.calls.apply, 0);
  assert.deepEqual(asked, [], 'refused before any question is asked');
  const other = await runSetup(await planSteps([world.step({ id: 'b' })]), {
    journal,
    target: `${TARGET}-other`,
  });
  assert.equal(other.status, 'succeeded', 'another server is not locked');
  await lock.release();
  const after = await runSetup(await planSteps([world.step({ id: 'c' })]), { journal, target: TARGET });
  assert.equal(after.status, 'succeeded', 'released once the first run ends');
});

test('a lock left by a process that no longer exists is taken over', async () => {
  const home = await tempHome();
  const journal = new Journal({ home });
  await mkdir(journal.locksDir, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const file = lockFileFor(journal.locksDir, TARGET);
  await writeFile(
    file,
    JSON.stringify({ pid: dead, runId: '20261126-00000a', target: TARGET, since: 'earlier' }),
  );
  const lock = await journal.lock(TARGET.toLowerCase(), '20261126-00000b');
  const owner = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.runId, '20261126-00000b');
  await lock.release();
  assert.deepEqual(await readdir(journal.locksDir), []);
});
