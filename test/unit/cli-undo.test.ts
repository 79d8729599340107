/**
 * `sc-doctor undo` through `main`: `--list` shows id, started, server and status; without an id the
 * latest run is undone with the step undoers; an unknown id says how to find the runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import type { Services } from '../../source/core/services.ts';
import { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import type { Step } from '../../source/engine/step.ts';
import { runPlain } from '../../source/output/plain.ts';
import type { FrontEnd } from '../../source/run/front-end.ts';
import { CaptureStream } from '../helpers/capture.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { FakeWorld, undoersOf } from '../setup/fake-world.ts';

const TARGET =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders';

async function finishedRun(home: string, steps: Step[], target = TARGET) {
  return runSetup(await planSteps(steps), { journal: new Journal({ home }), target });
}

async function run(argv: string[], home: string, steps: Step[]) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env: {}, stdinIsTTY: false, stdoutIsTTY: false };
  const code = await main(argv, io, {
    home,
    undoers: () => undoersOf(steps),
    createServices: async () => ({ env: {}, now: Date.now }) as unknown as Services,
    loadChecks: async () => [],
    loadFrontEnd: async () => {
      throw new Error('undo needs no front-end');
    },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('undo --list with no runs says so; exit 0', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const result = await run(['undo', '--list'], home, []);
  assert.deepEqual(result, { code: 0, stdout: 'No setup runs yet: nothing to undo.\n', stderr: '' });
});

test('undo --list shows every run: id, started, server, status', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const world = new FakeWorld();
  const first = await finishedRun(home, [world.step({ id: 'a' })]);
  const second = await finishedRun(home, [world.step({ id: 'b', failWith: 'HTTP 500' })], `${TARGET}-2`);
  const result = await run(['undo', '--list'], home, []);
  assert.equal(result.code, 0);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^RUN\s+STARTED\s+SERVER\s+STATUS$/);
  assert.equal(lines.length, 3);
  const line = (runId: string) => lines.find((l) => l.startsWith(`${runId} `)) ?? '';
  assert.match(line(first.runId), /^\S+\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+pg-orders\s+succeeded$/);
  assert.match(line(second.runId), /^\S+\s+\S+\s+pg-orders-2\s+rolled-back$/);

  const json = await run(['undo', '--list', '--json'], home, []);
  const document = JSON.parse(json.stdout);
  assert.deepEqual(
    document.runs.map((r: { runId: string; status: string }) => [r.runId, r.status]).sort(),
    [
      [first.runId, 'succeeded'],
      [second.runId, 'rolled-back'],
    ].sort(),
  );
});

test('undo without an id reverses the latest run with the step undoers; a second undo changes nothing', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'] })];
  const done = await finishedRun(home, steps);
  assert.deepEqual(Object.keys(world.store.snapshot()), ['a', 'b']);

  const result = await run(['undo', '--plain'], home, steps);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(world.store.snapshot(), {});
  assert.match(result.stdout, /↺ 2 {2}Thing b {2}undone/);
  assert.match(result.stdout, /↺ 1 {2}Thing a {2}undone/);
  assert.ok(result.stdout.indexOf('Thing b') < result.stdout.indexOf('Thing a'), 'newest first');
  assert.match(result.stdout, new RegExp(`Run ${done.runId} is undone: nothing it changed is left\\.`));
  assert.equal((await new Journal({ home }).loadRun(done.runId)).status, 'undone');

  const again = await run(['undo', done.runId], home, steps);
  assert.equal(again.code, 0);
  assert.equal(steps[0]!.calls.undo, 1, 'nothing is undone twice');
});

test('undo of an unknown run id exits 2 and says how to see the runs', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const result = await run(['undo', '20261126-1000-ffff'], home, []);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /there is no run 20261126-1000-ffff\. Run sc-doctor undo --list to see the runs\./,
  );
  const none = await run(['undo'], home, []);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /there is no setup run to undo/);
});

/** A run whose step failed and whose undo failed too: unfinished, offered on the next start. */
async function unfinishedRun(home: string) {
  const world = new FakeWorld();
  const steps = [
    world.step({ id: 'a', beforeUndo: async () => Promise.reject(new Error('HTTP 500')) }),
    world.step({ id: 'b', after: ['a'], failWith: 'HTTP 403' }),
  ];
  const result = await finishedRun(home, steps);
  assert.equal(result.status, 'rollback-incomplete');
  return { world, steps, result };
}

async function doctorRun(argv: string[], home: string, interactive?: FrontEnd) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env: {}, stdinIsTTY: !!interactive, stdoutIsTTY: !!interactive };
  const code = await main(argv, io, {
    home,
    createServices: async () => ({ env: {}, now: Date.now, azure: { dispose() {} } }) as unknown as Services,
    loadChecks: async () => [],
    loadFrontEnd: async (mode) => (mode === 'plain' ? runPlain : interactive!),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('the doctor in plain mode names an unfinished run and the command that undoes it', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const { result } = await unfinishedRun(home);
  const run = await doctorRun(['doctor', '--plain'], home);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      `Run ${result.runId} on .*pg-orders did not finish \\(rollback-incomplete\\)\\. Undo it: sc-doctor undo ${result.runId}`,
    ),
  );
  const clean = await doctorRun(['doctor', '--plain'], await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-')));
  assert.doesNotMatch(clean.stderr, /did not finish/);
});

test('the interactive doctor offers an unfinished run for undo through the prompter', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-undo-'));
  const { result } = await unfinishedRun(home);
  const asked: string[] = [];
  const interactive: FrontEnd = async (input) => {
    input.prompts!.serve((prompt) => {
      asked.push(`${prompt.question.message} [${prompt.question.flag}]`);
      if (prompt.kind === 'confirm') prompt.answer(false);
    });
    // The offer is made while the screen runs: it ends once the question came.
    await waitFor(() => asked.length > 0, 'the offer of the unfinished run');
    return 0;
  };
  await doctorRun([], home, interactive);
  assert.deepEqual(asked, [
    `Run ${result.runId} on ${TARGET} did not finish. Undo what it changed first? [sc-doctor undo ${result.runId}]`,
  ]);
});
