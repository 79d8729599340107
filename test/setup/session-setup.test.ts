/**
 * `session.setup()` with fake steps: the doctor first (a blocking failure stops it), the plan, --yes
 * or the prompter's yes, the engine, and Ctrl-C counted by Interrupts (rollback, then stop waiting).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPromptChannel, PromptUnavailableError } from '../../source/core/prompter.ts';
import { setupOutcomeExitCode } from '../../source/setup/outcome-exit.ts';
import { FakeWorld, untilAborted, within } from './fake-world.ts';
import { doctorChecks, setupHarness } from './setup-world.ts';

test('a blocking doctor failure stops setup before any step is built, naming the check and the fix', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' })];
  const h = setupHarness({
    steps,
    checks: doctorChecks([
      {
        id: 'rbac',
        title: 'Permissions',
        run: async () => ({
          status: 'fail',
          message: '3 of 9 actions missing on pg-orders',
          blocking: true,
          remediation: { summary: 'ask for "Contributor" on rg-orders', commands: [], fixable: false },
        }),
      },
    ]),
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'refused');
  assert.equal(h.input(), undefined, 'no step was built');
  assert.equal(steps[0]!.calls.apply, 0);
  assert.ok(outcome.kind === 'refused');
  assert.match(
    outcome.reasons.join('\n'),
    /Permissions \(rbac\): 3 of 9 actions missing.*Fix: ask for "Contributor"/,
  );
  assert.equal(setupOutcomeExitCode(outcome, false), 1);
  assert.ok(h.events.some((e) => e.type === 'setup:refused'));
});

test('an unreachable server is no refusal: the database step is handed off to a script in the folder', async () => {
  const world = new FakeWorld();
  const h = setupHarness({
    steps: [world.step({ id: 'a' })],
    checks: doctorChecks([
      {
        id: 'network-path',
        title: 'Network path',
        run: async () => ({ status: 'fail', message: 'private only', blocking: true, data: { network: {} } }),
      },
    ]),
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'ran');
  assert.equal(h.input()?.handOffDir, h.home);
});

test('the facts the doctor found reach the steps', async () => {
  const world = new FakeWorld();
  const h = setupHarness({
    steps: [world.step({ id: 'a' })],
    request: { dbUser: 'app_role', grants: 'owner' },
  });
  await h.session.setup!();
  const input = h.input()!;
  assert.equal(input.server.name, 'pg-orders');
  assert.equal(input.app.name, 'orders-api');
  assert.equal(input.database, 'orders');
  assert.deepEqual(input.signedIn, {
    objectId: '9f1c0d6e-0000-4000-8000-00000000dana',
    user: 'dana@contoso.com',
    type: 'user',
  });
  assert.equal(input.publicIp, '203.0.113.7');
  assert.equal(input.dbUser, 'app_role');
  assert.equal(input.grants, 'owner');
  // A reachable server may still need a script: for the database's owner (docs/setup-postgres.md).
  assert.equal(input.handOffDir, h.home);
});

test('--dry-run shows the plan and sends no write: no apply and no isDone is ever called', async () => {
  const world = new FakeWorld();
  const steps = [
    world.step({ id: 'a' }),
    world.step({ id: 'b', after: ['a'], consent: 'may restart the server' }),
  ];
  const h = setupHarness({ steps, request: { dryRun: true, yes: false } });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'planned');
  for (const step of steps) assert.deepEqual(step.calls, { isDone: 0, apply: 0, undo: 0 });
  const plan = h.events.find((e) => e.type === 'setup:plan');
  assert.ok(plan && plan.type === 'setup:plan');
  assert.deepEqual(
    plan.steps.map((s) => [s.id, s.consent]),
    [
      ['a', null],
      ['b', 'may restart the server'],
    ],
  );
  assert.equal(plan.dryRun, true);
  assert.deepEqual(await h.journal.listRuns(), [], 'no journal: nothing ran');
  assert.equal(setupOutcomeExitCode(outcome, false), 0);
});

test('without --yes in plain mode setup refuses with a usage error naming --yes, after the plan', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' })];
  const h = setupHarness({ steps, request: { yes: false } });
  await assert.rejects(h.session.setup!(), (error: unknown) => {
    assert.ok(error instanceof PromptUnavailableError);
    assert.equal(error.flag, '--yes');
    assert.match(error.hints.join(' '), /Pass --yes/);
    return true;
  });
  assert.ok(
    h.events.some((e) => e.type === 'setup:plan'),
    'the plan was shown first',
  );
  assert.equal(steps[0]!.calls.apply, 0);
});

test('interactive: the plan and each consent are asked through the prompter; a refused consent drops the step', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' }), world.step({ id: 'b', consent: 'may restart the server' })];
  const channel = createPromptChannel();
  const asked: string[] = [];
  channel.serve((prompt) => {
    asked.push(`${prompt.question.id ?? '-'}: ${prompt.question.message}`);
    if (prompt.kind === 'confirm') prompt.answer(prompt.question.id === 'setup-plan');
  });
  const h = setupHarness({ steps, request: { yes: false }, prompter: channel.prompter });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'ran');
  assert.deepEqual(asked, ['setup-plan: Apply this plan?', '-: Thing b: may restart the server. Go ahead?']);
  assert.equal(steps[0]!.calls.apply, 1);
  assert.equal(steps[1]!.calls.apply, 0);
  assert.ok(outcome.kind === 'ran');
  assert.deepEqual(outcome.result.notDone, [{ id: 'b', title: 'Thing b', reason: 'consent refused' }]);
});

test('--yes applies every step; engine events reach the bus', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' }), world.step({ id: 'b', after: ['a'], consent: 'replaces x' })];
  const h = setupHarness({ steps });
  const outcome = await h.session.setup!();
  assert.ok(outcome.kind === 'ran');
  assert.equal(outcome.result.status, 'succeeded');
  assert.equal(setupOutcomeExitCode(outcome, false), 0);
  const types = h.events.map((e) => e.type).filter((t) => /^(plan|step):/.test(t));
  assert.deepEqual(
    types.filter((t) => t !== 'step:progress'),
    ['plan:ready', 'step:start', 'step:end', 'step:start', 'step:end'],
  );
});

test('two runs on the same server at once: the second is refused with a clear message', async () => {
  const world = new FakeWorld();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const first = setupHarness({ steps: [world.step({ id: 'a', beforeChange: () => gate })] });
  const running = first.session.setup!();
  await within(world.started('a'), 5000, 'step a start');
  const second = setupHarness({ steps: [new FakeWorld().step({ id: 'a' })], home: first.home });
  await assert.rejects(second.session.setup!(), /another sc-doctor run .* is changing .*pg-orders/);
  release();
  await running;
});

test('Ctrl-C mid-apply rolls back what was applied and ends 130', async () => {
  const world = new FakeWorld();
  const steps = [
    world.step({ id: 'a' }),
    world.step({ id: 'b', after: ['a'], beforeChange: (ctx) => untilAborted(ctx.signal) }),
  ];
  const h = setupHarness({ steps });
  const running = h.session.setup!();
  await within(world.started('b'), 5000, 'step b start');
  assert.equal(h.interrupts.interrupt(), 'cancel');
  const outcome = await running;
  assert.ok(outcome.kind === 'ran');
  assert.equal(outcome.result.status, 'cancelled');
  assert.equal(setupOutcomeExitCode(outcome, true), 130);
  assert.deepEqual(world.store.snapshot(), {}, 'a was undone');
  assert.equal(steps[0]!.calls.undo, 1);
  assert.ok(h.events.some((e) => e.type === 'rollback:start' && e.reason === 'cancelled'));
});

test('a second Ctrl-C stops waiting for the rollback: what is left and its commands, 130, journal intact', async () => {
  const world = new FakeWorld();
  let undoStarted!: () => void;
  const undoing = new Promise<void>((resolve) => {
    undoStarted = resolve;
  });
  const steps = [
    world.step({
      id: 'a',
      beforeUndo: (signal) => {
        undoStarted();
        return untilAborted(signal);
      },
    }),
    world.step({ id: 'b', after: ['a'], beforeChange: (ctx) => untilAborted(ctx.signal) }),
  ];
  const h = setupHarness({ steps });
  const running = h.session.setup!();
  await within(world.started('b'), 5000, 'step b start');
  h.interrupts.interrupt();
  await within(undoing, 5000, 'undo of a');
  assert.equal(h.interrupts.interrupt(), 'stop');
  const outcome = await running;
  assert.ok(outcome.kind === 'ran');
  assert.equal(setupOutcomeExitCode(outcome, true), 130);
  assert.equal(outcome.result.status, 'rollback-incomplete');
  assert.deepEqual(
    outcome.result.left.map((l) => [l.id, l.commands]),
    [['a', ['fake-cli delete thing a']]],
  );
  assert.ok(world.store.get('a'), 'a is still there');
  const journal = await h.journal.loadRun(outcome.result.runId);
  assert.equal(journal.status, 'rollback-incomplete');
  assert.ok(journal.steps.find((s) => s.id === 'a')?.record, 'the undo record is kept for sc-doctor undo');
  assert.deepEqual(
    (await h.journal.unfinishedRuns()).map((r) => r.runId),
    [outcome.result.runId],
  );
});

test('an unfinished earlier run is announced before a new one (plain: a notice with the undo command)', async () => {
  const world = new FakeWorld();
  const steps = [
    world.step({ id: 'a', beforeUndo: (signal) => untilAborted(signal) }),
    world.step({ id: 'b', after: ['a'], beforeChange: (ctx) => untilAborted(ctx.signal) }),
  ];
  const first = setupHarness({ steps });
  const running = first.session.setup!();
  await within(world.started('b'), 5000, 'step b start');
  first.interrupts.interrupt();
  first.interrupts.interrupt();
  const left = await running;
  assert.ok(left.kind === 'ran');

  const second = setupHarness({ steps: [new FakeWorld().step({ id: 'z' })], home: first.home });
  await second.session.setup!();
  const notice = second.events.find((e) => e.type === 'setup:unfinished');
  assert.ok(notice && notice.type === 'setup:unfinished');
  assert.deepEqual(
    notice.runs.map((r) => r.runId),
    [left.result.runId],
  );
});
