import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../source/core/events.ts';
import { exitCodeFor } from '../../source/core/exit-codes.ts';
import { runChecks, summarize } from '../../source/core/run-checks.ts';
import type { Services } from '../../source/core/services.ts';
import type { CheckOutcome, CheckResult } from '../../source/core/types.ts';
import type { DoctorCheck, DoctorOptions } from '../../source/doctor/check.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { RunEvent } from '../../source/run/events.ts';

const services = {
  env: {},
  now: () => Date.now(),
  exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false }),
  azure: {},
} as unknown as Services;
const options: DoctorOptions = { verbose: false, target: NO_TARGET };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(id: string, run: () => Promise<CheckResult>, extra: Partial<DoctorCheck> = {}): DoctorCheck {
  return { id, title: id.toUpperCase(), run, ...extra };
}

function record() {
  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  return { bus, events };
}

test('independent checks run concurrently and results keep the declared order', async () => {
  const { bus } = record();
  let running = 0;
  let maxRunning = 0;
  const slow = (id: string, ms: number) =>
    check(id, async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(ms);
      running -= 1;
      return { status: 'pass', message: id };
    });
  const outcomes = await runChecks([slow('a', 60), slow('b', 20), slow('c', 40)], { services, options, bus });
  assert.equal(maxRunning, 3, 'all three independent checks should have been in flight together');
  assert.deepEqual(
    outcomes.map((o) => o.id),
    ['a', 'b', 'c'],
  );
});

test('a check waits for what it needs, can read its outcome, and is skipped when it failed', async () => {
  const { bus } = record();
  const order: string[] = [];
  const outcomes = await runChecks(
    [
      check('dependent', async () => ({ status: 'pass', message: 'ran' }), { needs: ['broken'] }),
      check('broken', async () => {
        order.push('broken');
        return { status: 'fail', message: 'nope' };
      }),
      check(
        'reader',
        async () => {
          order.push('reader');
          return { status: 'pass', message: 'read' };
        },
        { needs: ['base'] },
      ),
      check('base', async () => {
        order.push('base');
        await sleep(20);
        return { status: 'warn', message: 'ok-ish', data: { answer: 42 } };
      }),
    ],
    { services, options, bus },
  );
  const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
  assert.equal(byId.dependent?.status, 'skip');
  assert.match(byId.dependent?.message ?? '', /needs broken \(fail\)/);
  assert.equal(byId.reader?.status, 'pass');
  assert.ok(order.indexOf('base') < order.indexOf('reader'));
});

test('a check skipped down a chain names the failure at its root, not the skipped check in between', async () => {
  const { bus } = record();
  const outcomes = await runChecks(
    [
      check('signin', async () => ({ status: 'fail', message: 'not signed in' })),
      check('subscription', async () => ({ status: 'pass', message: '' }), { needs: ['signin'] }),
      check('server', async () => ({ status: 'pass', message: '' }), { needs: ['subscription'] }),
      check('firewall', async () => ({ status: 'pass', message: '' }), { needs: ['server'] }),
    ],
    { services, options, bus },
  );
  const byId = Object.fromEntries(outcomes.map((o) => [o.id, o]));
  assert.equal(byId.subscription?.message, 'needs signin (fail)');
  assert.equal(byId.server?.message, 'needs signin (fail)');
  assert.equal(byId.firewall?.message, 'needs signin (fail)');
  // A check skipped for its own reason (no target) is the root itself.
  const own = await runChecks(
    [
      check('server', async () => ({ status: 'skip', message: 'no server chosen' })),
      check('firewall', async () => ({ status: 'pass', message: '' }), { needs: ['server'] }),
    ],
    { services, options, bus },
  );
  assert.equal(own[1]?.message, 'needs server (skip)');
  // Across runs too: the target checks see the base outcomes as `previous`.
  const base = outcomes.filter((o) => o.id === 'signin' || o.id === 'subscription');
  const later = await runChecks(
    [check('server', async () => ({ status: 'pass', message: '' }), { needs: ['subscription'] })],
    { services, options, bus, previous: base, announce: false },
  );
  assert.equal(later[0]?.message, 'needs signin (fail)');
});

test('outcomeOf exposes only the checks listed in needs', async () => {
  const { bus } = record();
  let seen: unknown[] = [];
  await runChecks(
    [
      check('base', async () => ({ status: 'pass', message: '', data: { answer: 42 } })),
      check('other', async () => ({ status: 'pass', message: '' })),
      check('reader', async () => ({ status: 'pass', message: '' }), {
        needs: ['base'],
        run: async (ctx) => {
          seen = [ctx.outcomeOf('base')?.data.answer, ctx.outcomeOf('other')];
          return { status: 'pass', message: '' };
        },
      }),
    ],
    { services, options, bus },
  );
  assert.deepEqual(seen, [42, undefined]);
});

test('a thrown error becomes status error with a report hint; a slow check times out', async () => {
  const { bus, events } = record();
  const outcomes = await runChecks(
    [
      check('throws', async () => {
        throw new Error('kaboom');
      }),
      check('hangs', () => new Promise(() => {}), { timeoutMs: 80 }),
    ],
    { services, options, bus, slowAfterMs: 30 },
  );
  const [thrown, hung] = outcomes;
  assert.equal(thrown?.status, 'error');
  assert.deepEqual(thrown?.details, ['kaboom']);
  assert.match(thrown?.remediation?.summary ?? '', /report/);
  assert.equal(hung?.status, 'timeout');
  assert.match(hung?.message ?? '', /no answer after/);
  assert.ok(events.some((e) => e.type === 'check:slow' && e.id === 'hangs'));
  assert.ok(!events.some((e) => e.type === 'check:slow' && e.id === 'throws'));
});

test('the timeout aborts the signal the check was given', async () => {
  const { bus } = record();
  let aborted = false;
  await runChecks(
    [
      check('hangs', () => new Promise(() => {}), {
        timeoutMs: 40,
        run: (ctx) =>
          new Promise(() => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
            });
          }),
      }),
    ],
    { services, options, bus },
  );
  assert.equal(aborted, true);
});

test('cancelling ends running checks as skipped', async () => {
  const { bus } = record();
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 30);
  const [outcome] = await runChecks([check('hangs', () => new Promise(() => {}), { timeoutMs: 5_000 })], {
    services,
    options,
    bus,
    signal: cancel.signal,
  });
  assert.equal(outcome?.status, 'skip');
  assert.equal(outcome?.message, 'cancelled');
});

test('events arrive in order: doctor:start, check:start before check:end, doctor:end with the summary', async () => {
  const { bus, events } = record();
  await runChecks([check('a', async () => ({ status: 'warn', message: 'w' }))], { services, options, bus });
  assert.deepEqual(
    events.map((e) => e.type),
    ['doctor:start', 'check:start', 'check:end', 'doctor:end'],
  );
  const end = events.at(-1);
  assert.ok(end?.type === 'doctor:end');
  assert.deepEqual(end.summary, { pass: 0, warn: 1, fail: 0, skip: 0, error: 0, timeout: 0 });
});

test('a check waits for what it wants and runs even when that was skipped or failed', async () => {
  const { bus } = record();
  const seen: unknown[] = [];
  const outcomes = await runChecks(
    [
      check('reader', async () => ({ status: 'pass', message: '' }), {
        wants: ['skipped', 'failed'],
        run: async (ctx) => {
          seen.push(ctx.outcomeOf('skipped')?.status, ctx.outcomeOf('failed')?.data.why);
          return { status: 'pass', message: 'ran anyway' };
        },
      }),
      check('skipped', async () => ({ status: 'skip', message: 'no app' })),
      check('failed', async () => {
        await sleep(20);
        return { status: 'fail', message: 'nope', data: { why: 'broken' } };
      }),
    ],
    { services, options, bus },
  );
  assert.equal(outcomes[0]!.status, 'pass');
  assert.deepEqual(seen, ['skip', 'broken']);
  await assert.rejects(
    runChecks([check('a', async () => ({ status: 'pass', message: '' }), { wants: ['zzz'] })], {
      services,
      options,
      bus,
    }),
    /unknown check zzz/,
  );
});

test('invalid graphs are rejected: unknown need, cycle, duplicate id', async () => {
  const { bus } = record();
  const ok = async (): Promise<CheckResult> => ({ status: 'pass', message: '' });
  await assert.rejects(
    runChecks([check('a', ok, { needs: ['zzz'] })], { services, options, bus }),
    /unknown check zzz/,
  );
  await assert.rejects(
    runChecks([check('a', ok, { needs: ['b'] }), check('b', ok, { needs: ['a'] })], {
      services,
      options,
      bus,
    }),
    /cycle/,
  );
  await assert.rejects(runChecks([check('a', ok), check('a', ok)], { services, options, bus }), /duplicate/);
});

test('exit code: failures, errors and timeouts fail; warnings only with strict', () => {
  const base = summarize([{ status: 'pass' }, { status: 'warn' }]);
  assert.equal(exitCodeFor({ doctor: base, cancelled: false }), 0);
  assert.equal(exitCodeFor({ doctor: base, strict: true, cancelled: false }), 1);
  for (const status of ['fail', 'error', 'timeout'] as const) {
    assert.equal(exitCodeFor({ doctor: summarize([{ status: 'pass' }, { status }]), cancelled: false }), 1);
  }
});

test('previous outcomes: a check may need one that ran before, and it sees that outcome', async () => {
  const bus = new EventBus<RunEvent>();
  const events: string[] = [];
  bus.on((event) => events.push(event.type));
  const earlier = { ...outcomeOf('signin', 'pass'), data: { user: 'dana' } };
  let seen: unknown;
  const later: DoctorCheck = {
    id: 'server',
    title: 'Server',
    needs: ['signin'],
    run: async (ctx) => {
      seen = ctx.outcomeOf('signin')?.data.user;
      return { status: 'pass', message: 'ready' };
    },
  };
  const outcomes = await runChecks([later], { services, options, bus, previous: [earlier], announce: false });
  assert.deepEqual(
    outcomes.map((o) => o.id),
    ['server'],
  );
  assert.equal(seen, 'dana');
  assert.ok(!events.includes('doctor:start') && !events.includes('doctor:end'), 'announce: false');

  const blocked = await runChecks([later], {
    services,
    options,
    bus,
    previous: [outcomeOf('signin', 'fail')],
  });
  assert.equal(blocked[0]?.message, 'needs signin (fail)');
  await assert.rejects(
    runChecks([check('signin', async () => ({ status: 'pass', message: '' }))], {
      services,
      options,
      bus,
      previous: [earlier],
    }),
    /already ran/,
  );
});

function outcomeOf(id: string, status: CheckOutcome['status']): CheckOutcome {
  return {
    id,
    title: id,
    status,
    durationMs: 1,
    message: '',
    details: [],
    remediation: null,
    data: {},
    blocking: false,
  };
}
