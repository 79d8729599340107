import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type RunSetupOptions, runSetup } from '../../source/setup/engine.ts';
import type { EngineEvent } from '../../source/setup/engine-events.ts';
import { Journal } from '../../source/setup/journal.ts';
import { InvalidPlanError, planSteps } from '../../source/setup/plan.ts';
import { nothingChanged, type Step, type StepContext } from '../../source/setup/step.ts';
import { FakeWorld, tick, untilAborted, within } from './fake-world.ts';

const TARGET =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders';

async function run(steps: Step[], options: Partial<RunSetupOptions> = {}) {
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-engine-'));
  const journal = options.journal ?? new Journal({ home });
  const events: EngineEvent[] = [];
  const plan = await planSteps(steps);
  const result = await runSetup(plan, {
    target: TARGET,
    ...options,
    journal,
    emit: (event) => {
      events.push(event);
      options.emit?.(event);
    },
  });
  return { result, events, journal };
}

/** A chain of five steps, each after the one before. */
function chain(world: FakeWorld, failAt?: number) {
  return [1, 2, 3, 4, 5].map((n) =>
    world.step({
      id: `step-${n}`,
      after: n > 1 ? [`step-${n - 1}`] : [],
      failWith: n === failAt ? `step ${n} broke` : undefined,
    }),
  );
}

test('a step runs only after the steps it comes after have ended', async () => {
  const world = new FakeWorld();
  const { result } = await run([
    world.step({ id: 'c', after: ['a', 'b'] }),
    world.step({ id: 'a' }),
    world.step({ id: 'b', after: ['a'] }),
  ]);
  assert.equal(result.status, 'succeeded');
  assert.equal(result.exitCode, 0);
  const at = (entry: string) => world.log.indexOf(entry);
  assert.ok(at('end a') < at('start b'), world.log.join(', '));
  assert.ok(at('end b') < at('start c'), world.log.join(', '));
  assert.deepEqual(world.store.snapshot(), {
    a: `${result.runId}:a`,
    b: `${result.runId}:b`,
    c: `${result.runId}:c`,
  });
});

test('independent steps on different resources really run at the same time', async () => {
  const world = new FakeWorld();
  // Each waits inside apply until the other has started: run one after the other, this never completes.
  const { result } = await run([
    world.step({
      id: 'app-identity',
      beforeChange: () => within(world.started('entra-auth'), 5000, 'entra-auth starting'),
    }),
    world.step({
      id: 'entra-auth',
      beforeChange: () => within(world.started('app-identity'), 5000, 'app-identity starting'),
    }),
  ]);
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(world.maxActiveTotal, 2);
});

test('writes to the same resource never overlap, whatever the case of its id', async () => {
  const world = new FakeWorld();
  const server = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg';
  const { result } = await run([
    world.step({ id: 'entra-auth', resource: server, beforeChange: () => tick(20) }),
    world.step({ id: 'entra-admin', resource: server.toUpperCase(), beforeChange: () => tick(20) }),
    world.step({ id: 'firewall-rule', resource: server, beforeChange: () => tick(20) }),
    // The app step holds its write until a server step is writing too (or 5 s pass): it overlaps them
    // exactly when the engine runs it beside them, however slow the machine is.
    world.step({
      id: 'app-identity',
      beforeChange: async () => {
        for (const deadline = Date.now() + 5000; world.maxActiveTotal < 2 && Date.now() < deadline; )
          await tick(5);
      },
    }),
  ]);
  assert.equal(result.status, 'succeeded');
  assert.equal(world.maxActive.get(server.toLowerCase()), 1);
  assert.ok(world.maxActiveTotal >= 2, 'the app step should still overlap the server steps');
});

for (const failAt of [1, 2, 3, 4, 5]) {
  test(`a failure at step ${failAt} of 5 undoes exactly the steps before it, newest first`, async () => {
    const world = new FakeWorld();
    const steps = chain(world, failAt);
    const { result, events, journal } = await run(steps);
    assert.equal(result.status, 'rolled-back');
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.failure, {
      id: `step-${failAt}`,
      title: `Thing step-${failAt}`,
      message: `step ${failAt} broke`,
    });
    const applied = Array.from({ length: failAt - 1 }, (_, i) => `step-${i + 1}`);
    assert.deepEqual(
      world.log.filter((entry) => entry.startsWith('undo')),
      applied.map((id) => `undo ${id}`).reverse(),
    );
    assert.deepEqual(world.store.snapshot(), {}, 'the world is as it was before the run');
    assert.deepEqual(
      result.steps.map((s) => [s.id, s.outcome, s.rollback]),
      steps.map((s, i) => [
        s.id,
        i + 1 < failAt ? 'applied' : i + 1 === failAt ? 'failed' : 'not-run',
        i + 1 < failAt ? 'undone' : null,
      ]),
    );
    const rollbackStart = events.find((e) => e.type === 'rollback:start');
    assert.deepEqual(rollbackStart?.type === 'rollback:start' && rollbackStart.reason, 'failure');
    const saved = await journal.loadRun(result.runId);
    assert.equal(saved.status, 'rolled-back');
    assert.deepEqual(
      saved.steps.map((s) => s.state),
      steps.map((_, i) => (i + 1 < failAt ? 'undone' : i + 1 === failAt ? 'failed' : 'not-run')),
    );
  });
}

test('rollback follows the order steps finished in, not the order they were declared in', async () => {
  const world = new FakeWorld();
  const { result } = await run([
    world.step({
      id: 'slow',
      beforeChange: () =>
        within(
          world.started('fast').then(() => tick(30)),
          5000,
          'fast',
        ),
    }),
    world.step({ id: 'fast' }),
    world.step({ id: 'last', after: ['slow', 'fast'], failWith: 'nope' }),
  ]);
  assert.equal(result.status, 'rolled-back');
  assert.deepEqual(
    world.log.filter((entry) => entry.startsWith('undo')),
    ['undo slow', 'undo fast'],
  );
});

test('Ctrl-C mid-apply stops the run, undoes what was applied, and ends cancelled with 130', async () => {
  const world = new FakeWorld();
  const controller = new AbortController();
  const { result, events } = await run(
    [
      world.step({ id: 'first' }),
      world.step({ id: 'second', after: ['first'], beforeChange: (ctx) => untilAborted(ctx.signal) }),
      world.step({ id: 'third', after: ['second'] }),
    ],
    {
      signal: controller.signal,
      emit: (event) => {
        if (event.type === 'step:start' && event.id === 'second') controller.abort();
      },
    },
  );
  assert.equal(result.status, 'cancelled');
  assert.equal(result.exitCode, 130);
  assert.equal(result.cancelled, true);
  assert.equal(result.failure, null);
  assert.deepEqual(
    result.steps.map((s) => [s.id, s.outcome, s.rollback]),
    [
      ['first', 'applied', 'undone'],
      ['second', 'cancelled', null],
      ['third', 'not-run', null],
    ],
  );
  assert.deepEqual(world.store.snapshot(), {});
  const start = events.find((e) => e.type === 'rollback:start');
  assert.equal(start?.type === 'rollback:start' && start.reason, 'cancelled');
});

test('a second Ctrl-C during the rollback stops waiting and returns what is left with its commands', async () => {
  const world = new FakeWorld();
  const cancel = new AbortController();
  const stop = new AbortController();
  const { result, journal } = await run(
    [
      world.step({ id: 'first' }),
      // Its undo never answers and ignores its signal: only the stop can end the wait.
      world.step({ id: 'second', after: ['first'], beforeUndo: () => new Promise(() => {}) }),
      world.step({ id: 'third', after: ['second'], beforeChange: (ctx) => untilAborted(ctx.signal) }),
    ],
    {
      signal: cancel.signal,
      stopSignal: stop.signal,
      emit: (event) => {
        if (event.type === 'step:start' && event.id === 'third') cancel.abort();
        if (event.type === 'rollback:step-start' && event.id === 'second') stop.abort();
      },
    },
  );
  assert.equal(result.status, 'rollback-incomplete');
  assert.equal(result.exitCode, 130);
  assert.deepEqual(
    result.left.map((l) => [l.id, l.commands]),
    [
      ['second', ['fake-cli delete thing second']],
      ['first', ['fake-cli delete thing first']],
    ],
  );
  assert.equal(world.store.get('first'), `${result.runId}:first`, 'first was never undone');
  const saved = await journal.loadRun(result.runId);
  assert.equal(saved.status, 'rollback-incomplete');
  assert.deepEqual(
    saved.steps.map((s) => [s.id, s.record?.thing ?? null]),
    [
      ['first', 'first'],
      ['second', 'second'],
      ['third', null],
    ],
    'the journal still holds the records an undo needs',
  );
  assert.deepEqual(
    saved.left.map((l) => l.id),
    ['second', 'first'],
  );
});

test('undo leaves a thing changed since the run made it, and the run says so (exit 3)', async () => {
  const world = new FakeWorld();
  const { result } = await run([
    world.step({ id: 'entra-admin' }),
    world.step({
      id: 'database-role',
      after: ['entra-admin'],
      beforeChange: async () => {
        world.store.set('entra-admin', 'replaced by a colleague');
        throw new Error('permission denied');
      },
    }),
  ]);
  assert.equal(result.status, 'rollback-incomplete');
  assert.equal(result.exitCode, 3);
  assert.equal(result.steps[0]?.rollback, 'changed-since');
  assert.equal(world.store.get('entra-admin'), 'replaced by a colleague');
  assert.match(result.left[0]?.reason ?? '', /now holds replaced by a colleague/);
});

test('consent is asked before any change; a refusal drops the step and what depends on it', async () => {
  const world = new FakeWorld();
  const asked: string[] = [];
  const entra = world.step({ id: 'entra-auth', consent: 'may restart the server' });
  const role = world.step({ id: 'database-role', after: ['entra-auth'] });
  const verify = world.step({ id: 'verify', after: ['database-role'] });
  const identity = world.step({ id: 'app-identity' });
  const { result, journal } = await run([identity, entra, role, verify], {
    confirm: async (request) => {
      asked.push(`${request.id}: ${request.reason}`);
      assert.equal(world.log.length, 0, 'nothing may change before every consent is answered');
      return false;
    },
  });
  assert.deepEqual(asked, ['entra-auth: may restart the server']);
  assert.equal(entra.calls.apply + role.calls.apply + verify.calls.apply, 0);
  assert.equal(identity.calls.apply, 1);
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.notDone, [
    { id: 'entra-auth', title: 'Thing entra-auth', reason: 'consent refused' },
    {
      id: 'database-role',
      title: 'Thing database-role',
      reason: 'depends on entra-auth, whose consent was refused',
    },
    { id: 'verify', title: 'Thing verify', reason: 'depends on entra-auth, whose consent was refused' },
  ]);
  assert.deepEqual(
    result.steps.map((s) => s.id),
    ['app-identity'],
  );
  assert.equal((await journal.loadRun(result.runId)).notDone.length, 3);
});

test('a re-run after success finds every step done and makes no apply call', async () => {
  const world = new FakeWorld();
  const home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-engine-'));
  const journal = new Journal({ home });
  const make = () => [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'] })];
  const first = await run(make(), { journal });
  assert.equal(first.result.status, 'succeeded');
  const again = make();
  const second = await run(again, { journal });
  assert.equal(second.result.status, 'succeeded');
  assert.deepEqual(
    again.map((s) => [s.calls.isDone, s.calls.apply]),
    [
      [1, 0],
      [1, 0],
    ],
  );
  assert.deepEqual(
    second.result.steps.map((s) => s.outcome),
    ['already-done', 'already-done'],
  );
});

test('a step that runs past its time is stopped and the run rolls back', async () => {
  const world = new FakeWorld();
  const { result } = await run([
    world.step({ id: 'first' }),
    world.step({
      id: 'slow',
      after: ['first'],
      timeoutMs: 50,
      beforeChange: (ctx) => untilAborted(ctx.signal),
    }),
  ]);
  assert.equal(result.status, 'rolled-back');
  assert.equal(result.failure?.id, 'slow');
  assert.match(result.failure?.message ?? '', /no answer after 0\.1s/);
  assert.deepEqual(world.store.snapshot(), {});
});

test('a step that checkpointed before its write is undone even when it then fails', async () => {
  const world = new FakeWorld();
  const { result } = await run([
    world.step({
      id: 'entra-auth',
      checkpoint: true,
      afterChange: async () => {
        throw new Error('the operation ended Failed');
      },
    }),
  ]);
  assert.equal(result.status, 'rolled-back');
  assert.equal(result.steps[0]?.rollback, 'undone');
  assert.deepEqual(world.store.snapshot(), {});
});

test('progress and step events carry ids, details and elapsed time', async () => {
  const world = new FakeWorld();
  const { events } = await run([world.step({ id: 'a' })]);
  assert.deepEqual(
    events.map((e) => e.type),
    ['plan:ready', 'step:start', 'step:progress', 'step:end'],
  );
  const progress = events[2];
  assert.equal(progress?.type === 'step:progress' && progress.detail, 'creating a');
  const end = events[3];
  assert.ok(end?.type === 'step:end' && end.outcome === 'applied' && end.elapsedMs >= 0);
});

test('a handed-off step records its script; its dependants run and can see it was handed off', async () => {
  const world = new FakeWorld();
  let seen: string | undefined;
  const { result, journal } = await run([
    world.step({ id: 'database-role', handOffScript: '/tmp/sc-doctor-role.sql' }),
    world.step({
      id: 'linker',
      after: ['database-role'],
      beforeChange: async (ctx) => {
        seen = ctx.outcomeOf('database-role');
      },
    }),
  ]);
  // Handed off is not done: its own status and exit code, in the result and the journal.
  assert.equal(result.status, 'handed-off');
  assert.equal(result.exitCode, 4);
  assert.equal(seen, 'handed-off');
  assert.deepEqual(result.handedOff, [
    {
      id: 'database-role',
      title: 'Thing database-role',
      scriptPath: '/tmp/sc-doctor-role.sql',
      summary: 'statements for database-role',
    },
  ]);
  const saved = await journal.loadRun(result.runId);
  assert.equal(saved.status, 'handed-off');
  assert.equal(saved.steps[0]?.state, 'handed-off');
  assert.equal(saved.steps[0]?.scriptPath, '/tmp/sc-doctor-role.sql');
});

test('an undo record holding a token fails the step, is undone from memory, and never reaches the journal', async () => {
  const world = new FakeWorld();
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJl';
  const { result, journal } = await run([
    world.step({ id: 'leaky', extraRecord: { note: `Bearer ${jwt}` } }),
  ]);
  assert.equal(result.status, 'rolled-back');
  assert.match(result.failure?.message ?? '', /cannot be kept: refusing to write leaky undo record\.note/);
  assert.deepEqual(world.store.snapshot(), {});
  const text = await readFile(path.join(journal.runsDir, `${result.runId}.json`), 'utf8');
  assert.ok(!text.includes(jwt));
});

test('an undo record that is not plain JSON fails the step', async () => {
  const world = new FakeWorld();
  const { result } = await run([world.step({ id: 'dated', extraRecord: { when: new Date(0) } })]);
  assert.equal(result.status, 'rolled-back');
  assert.match(result.failure?.message ?? '', /dated undo record\.when is a Date instance/);
});

test('a plan with a duplicate id, an unknown dependency, a cycle or a bad id is refused before anything runs', async () => {
  const world = new FakeWorld();
  await assert.rejects(
    planSteps([world.step({ id: 'a' }), world.step({ id: 'a' })]),
    /two steps have the id a/,
  );
  await assert.rejects(planSteps([world.step({ id: 'a', after: ['ghost'] })]), /after unknown step ghost/);
  await assert.rejects(
    planSteps([world.step({ id: 'a', after: ['b'] }), world.step({ id: 'b', after: ['a'] })]),
    (error: unknown) => error instanceof InvalidPlanError && /cycle: a → b → a/.test(error.message),
  );
  await assert.rejects(planSteps([world.step({ id: 'Entra_Auth' })]), /not kebab-case/);
  assert.equal(world.log.length, 0);
});

test('a front-end that throws on every event does not stop the rollback', async () => {
  const world = new FakeWorld();
  const { result } = await run(
    [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'], failWith: 'broke' })],
    {
      emit: () => {
        throw new Error('broken screen');
      },
    },
  );
  assert.equal(result.status, 'rolled-back');
  assert.deepEqual(world.store.snapshot(), {});
});

test('an undo that throws before its first await is a failed undo, named as left with its commands', async () => {
  const world = new FakeWorld();
  const first = world.step({ id: 'a' });
  first.undo = () => {
    throw new Error('ResourceNotFound? no: AuthorizationFailed');
  };
  const { result } = await run([first, world.step({ id: 'b', after: ['a'], failWith: 'broke' })]);
  assert.equal(result.status, 'rollback-incomplete');
  assert.equal(result.exitCode, 3);
  assert.deepEqual(result.left, [
    {
      id: 'a',
      title: 'Thing a',
      reason: 'ResourceNotFound? no: AuthorizationFailed',
      commands: ['fake-cli delete thing a'],
    },
  ]);
});

/** A promise the test resolves when it decides. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * A step whose write Azure carries out once `lands` opens, whether or not anyone still waits for the
 * answer (as a long-running operation does): the step waits for it, or until its signal aborts.
 * `sent` runs once the write has gone out.
 */
function slowWriteStep(world: FakeWorld, id: string, lands: Promise<void>, sent: (ctx: StepContext) => void) {
  return world.step({
    id,
    checkpoint: true,
    beforeChange: async (ctx) => {
      const landed = lands.then(() => world.store.set(id, `${ctx.runId}:${id}`));
      sent(ctx);
      await Promise.race([landed, untilAborted(ctx.signal)]);
    },
  });
}

const FINISHING = /^finishing the change Azure started, then undoing it/;

test('Ctrl-C while a write is in flight lets it land, then undoes it: nothing is called gone before it landed', async () => {
  const world = new FakeWorld();
  const controller = new AbortController();
  const azure = gate();
  const { result, events } = await run(
    [slowWriteStep(world, 'entra-admin', azure.opened, () => controller.abort())],
    {
      signal: controller.signal,
      emit: (event) => {
        // Azure finishes the write while the run waits for it.
        if (event.type === 'step:progress' && FINISHING.test(event.detail)) azure.open();
      },
    },
  );
  // Had the run not waited, the write lands now, after the rollback looked: it must not be left behind.
  azure.open();
  await tick();
  assert.deepEqual(world.store.snapshot(), {}, 'the admin the write made is undone');
  assert.equal(result.status, 'cancelled');
  assert.equal(result.exitCode, 130);
  assert.deepEqual(
    result.steps.map((s) => [s.id, s.outcome, s.rollback]),
    [['entra-admin', 'applied', 'undone']],
  );
  assert.ok(
    events.some((e) => e.type === 'step:progress' && FINISHING.test(e.detail)),
    'the user is told why Ctrl-C did not stop at once',
  );
});

test('a second Ctrl-C while a write is finishing stops waiting: the step is left, with its commands', async () => {
  const world = new FakeWorld();
  const cancel = new AbortController();
  const stop = new AbortController();
  const { result } = await run(
    [slowWriteStep(world, 'entra-admin', new Promise(() => {}), () => cancel.abort())],
    {
      signal: cancel.signal,
      stopSignal: stop.signal,
      emit: (event) => {
        if (event.type === 'step:progress' && FINISHING.test(event.detail)) stop.abort();
      },
    },
  );
  assert.equal(result.exitCode, 130);
  assert.equal(result.status, 'rollback-incomplete');
  assert.deepEqual(
    result.left.map((l) => [l.id, l.commands]),
    [['entra-admin', ['fake-cli delete thing entra-admin']]],
  );
});
test('a write Azure refused outright changed nothing: its step is not undone, and what the refusal was about stays', async () => {
  const world = new FakeWorld();
  // Another run (another machine) made this; the refusal (409, busy) was about its write.
  world.store.set('entra-auth', 'the other run');
  const refused = world.step({
    id: 'entra-auth',
    checkpoint: true,
    beforeChange: async () => {
      throw nothingChanged(new Error('turning on Entra authentication: Azure answered 409 ServerIsBusy'));
    },
  });
  // The step exists already in the fake world, so isDone would say done: ask for the write anyway.
  refused.isDone = async () => false;
  const { result, journal } = await run([
    world.step({ id: 'app-identity' }),
    { ...refused, after: ['app-identity'] },
  ]);
  assert.equal(result.status, 'rolled-back', JSON.stringify(result.left));
  assert.equal(result.exitCode, 1);
  assert.equal(refused.calls.undo, 0, 'nothing to undo for a refused write');
  assert.deepEqual(world.store.snapshot(), { 'entra-auth': 'the other run' });
  const saved = await journal.loadRun(result.runId);
  const step = saved.steps.find((s) => s.id === 'entra-auth')!;
  assert.deepEqual([step.state, step.record], ['failed', null], 'a later undo finds nothing to undo either');
});

test('a write cut off in flight is waited for (settleWrite) before its undo decides', async () => {
  const world = new FakeWorld();
  const azure = gate();
  const step = world.step({
    id: 'entra-admin',
    checkpoint: true,
    beforeChange: async (ctx) => {
      ctx.inFlight({
        statusUrl: 'https://arm.example/operations/1',
        resultUrl: null,
        what: 'adding the admin',
      });
      void azure.opened.then(() => world.store.set('entra-admin', `${ctx.runId}:entra-admin`));
      await untilAborted(ctx.signal);
    },
  });
  const settled: string[] = [];
  const { result, journal } = await run([step], {
    // The step gives up waiting (its time is up) while Azure still works on the write.
    stepTimeoutMs: 30,
    settleWrite: async (write, ctx) => {
      settled.push(write.what);
      ctx.progress('waiting for Azure: InProgress');
      // Azure ends the operation while the rollback waits for it.
      azure.open();
      await tick();
    },
  });
  // Had the rollback not waited, the write lands now, after the undo looked.
  azure.open();
  await tick();
  assert.deepEqual(settled, ['adding the admin']);
  assert.equal(result.status, 'rolled-back');
  assert.deepEqual(world.store.snapshot(), {});
  assert.equal(result.steps[0]?.rollback, 'undone');
  const saved = await journal.loadRun(result.runId);
  assert.equal(saved.steps[0]?.inFlight, null, 'the write is over once undone');
});

/** A check as the flows' verify steps are: it reads, changes nothing and returns what it saw. */
function checkStep(id: string, after: string[], undone: string[]): Step {
  return {
    id,
    title: `Check ${id}`,
    resource: TARGET,
    after,
    readOnly: true,
    preview: () => ['check what the run made'],
    isDone: async () => false,
    apply: async () => ({ checked: 'all there' }),
    undo: async () => {
      undone.push(id);
      return { status: 'already-gone', reason: 'the check changed nothing' };
    },
    manualUndo: () => [],
  };
}

test('a check that ran is no change: a later failure rolls back without a row for it, and the journal keeps no record', async () => {
  const world = new FakeWorld();
  const undone: string[] = [];
  const { result, events, journal } = await run([
    world.step({ id: 'change' }),
    checkStep('verify', ['change'], undone),
    world.step({ id: 'after', after: ['verify'], failWith: 'broke after the check' }),
  ]);
  assert.equal(result.status, 'rolled-back');
  const rollback = events.find((event) => event.type === 'rollback:start');
  assert.deepEqual(rollback?.type === 'rollback:start' ? rollback.steps.map((step) => step.id) : null, [
    'change',
  ]);
  assert.deepEqual(undone, [], "the check's undo is never called");
  assert.deepEqual(
    result.steps.map((step) => [step.id, step.outcome, step.rollback]),
    [
      ['change', 'applied', 'undone'],
      ['verify', 'applied', null],
      ['after', 'failed', null],
    ],
  );
  const saved = await journal.loadRun(result.runId);
  assert.deepEqual(
    saved.steps.map((step) => [step.id, step.state, step.record === null]),
    [
      ['change', 'undone', false],
      ['verify', 'applied', true],
      ['after', 'failed', true],
    ],
  );
});

test('a rollback a failure started is stopped by the first Ctrl-C: there is no run left to cancel', async () => {
  const world = new FakeWorld();
  const cancel = new AbortController();
  const stop = new AbortController();
  const { result } = await run(
    [
      world.step({ id: 'first' }),
      // Its undo never answers and ignores its signal: only stopping the wait can end it.
      world.step({ id: 'second', after: ['first'], beforeUndo: () => new Promise(() => {}) }),
      world.step({ id: 'third', after: ['second'], failWith: 'third broke' }),
    ],
    {
      signal: cancel.signal,
      stopSignal: stop.signal,
      emit: (event) => {
        if (event.type === 'rollback:step-start' && event.id === 'second') cancel.abort();
      },
    },
  );
  assert.equal(stop.signal.aborted, false, 'no second Ctrl-C was needed');
  assert.equal(result.status, 'rollback-incomplete');
  assert.equal(result.failure?.message, 'third broke');
  assert.deepEqual(
    result.left.map((l) => l.id),
    ['second', 'first'],
  );
});
