/**
 * The doctor flow of a session: base checks first, then (interactive, no target flag) the target
 * question, then the target checks with the base outcomes visible to their `needs`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../source/core/events.ts';
import { createPromptChannel, type Prompter, refusingPrompter } from '../../source/core/prompter.ts';
import type { Services } from '../../source/core/services.ts';
import type { DoctorCheck, DoctorContext } from '../../source/doctor/check.ts';
import type { DoctorTarget, TargetFlags } from '../../source/doctor/target.ts';
import type { ChooseTarget } from '../../source/doctor/target-question.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { createSession } from '../../source/run/session.ts';
import { typedTarget } from '../helpers/target.ts';

const services = { env: {}, now: Date.now } as unknown as Services;

function world() {
  const order: string[] = [];
  const seen: Record<string, { target: DoctorTarget; signin: string | undefined }> = {};
  const base = (id: string): DoctorCheck => ({
    id,
    title: id,
    async run() {
      order.push(id);
      return { status: 'pass', message: 'ok', data: { user: 'dana@contoso.com' } };
    },
  });
  const target = (id: string, needs: string[] = []): DoctorCheck => ({
    id,
    title: id,
    phase: 'target',
    needs,
    async run(ctx: DoctorContext) {
      order.push(id);
      seen[id] = {
        target: ctx.options.target,
        signin: ctx.outcomeOf('signin')?.data.user as string | undefined,
      };
      const server = ctx.options.target.server;
      return server?.by === 'name'
        ? { status: 'pass', message: server.name }
        : { status: 'skip', message: 'no server: pass --server' };
    },
  });
  // Declared interleaved on purpose: the phase, not the position, decides when a check runs.
  const checks = [
    base('azure-cli'),
    target('server', ['signin']),
    base('signin'),
    target('firewall', ['server']),
  ];
  return { order, seen, checks };
}

function run(
  checks: DoctorCheck[],
  prompter: Prompter,
  chooseTarget?: ChooseTarget,
  target: TargetFlags = {},
  signal = new AbortController().signal,
) {
  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  const session = createSession({
    bus,
    services,
    prompter,
    checks,
    options: { verbose: false, target: typedTarget(target) },
    signal,
    chooseTarget,
  });
  return { session, events };
}

test('interactive without a target: base checks, then the question, then target checks that see the base outcomes', async () => {
  const { order, seen, checks } = world();
  const channel = createPromptChannel();
  let asked: { prompter: Prompter; services: Services } | undefined;
  const chooser: ChooseTarget = async (prompter, given) => {
    order.push('choose');
    asked = { prompter, services: given };
    return { server: 'pg-orders', resourceGroup: 'rg-orders' };
  };
  const { session, events } = run(checks, channel.prompter, chooser);
  const outcomes = await session.doctor();

  assert.deepEqual(order.slice(2), ['choose', 'server', 'firewall']);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set(['azure-cli', 'signin']));
  assert.equal(asked?.prompter, channel.prompter);
  assert.equal(asked?.services.prompter, channel.prompter, 'checks and choosers share the prompter');
  assert.deepEqual(seen.server, {
    target: typedTarget({ server: 'pg-orders', resourceGroup: 'rg-orders' }),
    signin: 'dana@contoso.com',
  });
  assert.deepEqual(
    outcomes.map((o) => [o.id, o.status]),
    [
      ['azure-cli', 'pass'],
      ['server', 'pass'],
      ['signin', 'pass'],
      ['firewall', 'pass'],
    ],
    'outcomes in declared order',
  );
  const types = events.map((event) => event.type);
  assert.equal(types.filter((type) => type === 'doctor:start').length, 1);
  assert.equal(types.filter((type) => type === 'doctor:end').length, 1);
  const at = (wanted: (event: RunEvent) => boolean) => events.findIndex(wanted);
  const choose = at((event) => event.type === 'doctor:choose-target');
  assert.ok(choose > at((event) => event.type === 'check:end' && event.outcome.id === 'signin'));
  assert.ok(choose > at((event) => event.type === 'check:end' && event.outcome.id === 'azure-cli'));
  assert.ok(choose < at((event) => event.type === 'check:start' && event.id === 'server'));
  const start = events[0];
  assert.ok(start?.type === 'doctor:start');
  assert.deepEqual(
    start.checks.map((c) => c.id),
    ['azure-cli', 'server', 'signin', 'firewall'],
    'every row is announced up front',
  );
});

test('a target from the flags is never asked for', async () => {
  const { seen, checks } = world();
  let asks = 0;
  const { session } = run(
    checks,
    createPromptChannel().prompter,
    async () => {
      asks += 1;
      return undefined;
    },
    { server: 'pg-flag' },
  );
  await session.doctor();
  assert.equal(asks, 0);
  assert.deepEqual(seen.server?.target.server, { by: 'name', name: 'pg-flag', resourceGroup: null });
});

test('plain and JSON never ask: the target checks run without a target and say which flag names it', async () => {
  const { checks } = world();
  let asks = 0;
  const { session, events } = run(checks, refusingPrompter('plain'), async () => {
    asks += 1;
    return { server: 'never' };
  });
  const outcomes = await session.doctor();
  assert.equal(asks, 0);
  assert.equal(outcomes.find((o) => o.id === 'server')?.message, 'no server: pass --server');
  assert.ok(!events.some((event) => event.type === 'doctor:choose-target'));
});

test('backing out of the question (undefined) goes on without a target', async () => {
  const { checks } = world();
  const { session } = run(checks, createPromptChannel().prompter, async () => undefined);
  const outcomes = await session.doctor();
  assert.equal(outcomes.find((o) => o.id === 'server')?.status, 'skip');
});

test('Ctrl-C while the question is open: the target checks end as cancelled skips, never run', async () => {
  const { order, checks } = world();
  const controller = new AbortController();
  const channel = createPromptChannel();
  channel.serve(() => controller.abort(new Error('cancelled')));
  const chooser: ChooseTarget = async (prompter, _services, signal) => {
    const server = await prompter.pick({ message: 'Which server?', flag: '--server', choices: [] }, signal);
    return server === undefined ? undefined : { server: String(server) };
  };
  const { session } = run(checks, channel.prompter, chooser, {}, controller.signal);
  const outcomes = await session.doctor();
  assert.deepEqual(
    outcomes.filter((o) => o.id === 'server' || o.id === 'firewall').map((o) => [o.status, o.message]),
    [
      ['skip', 'cancelled'],
      ['skip', 'needs server (skip)'],
    ],
  );
  assert.ok(!order.includes('server'));
});
