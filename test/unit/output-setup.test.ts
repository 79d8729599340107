/**
 * The plain and JSON setup reporters from a scripted event sequence: the plan with consent marks,
 * one line per step, the rollback newest first, the closing line naming what is left and how to
 * remove it; the JSON `setup` block with ids, outcomes and the rollback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../source/core/events.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import type { PlannedStepView } from '../../source/engine/events.ts';
import type { SetupResult } from '../../source/engine/run-setup.ts';
import { runSetupJson } from '../../source/output/setup-json.ts';
import { createSetupPlainFrontEnd, SetupLines } from '../../source/output/setup-plain.ts';
import type { RunEvent } from '../../source/run/events.ts';
import type { FrontEnd, FrontEndInput } from '../../source/run/front-end.ts';
import type { Session } from '../../source/run/session.ts';
import type { SetupOutcome } from '../../source/setup/flow-types.ts';
import { closingLinesOf } from '../../source/setup/wording.ts';
import { CaptureStream } from '../helpers/capture.ts';

const doctor: CheckOutcome[] = [
  {
    id: 'signin',
    title: 'Signed in',
    status: 'pass',
    durationMs: 5,
    message: 'dana@contoso.com',
    details: [],
    remediation: null,
    data: {},
    blocking: false,
  },
];

const plan: PlannedStepView[] = [
  {
    id: 'app-identity',
    title: 'system identity on orders-api',
    resource: '/app',
    after: [],
    lines: ['Turn on the system-assigned identity of orders-api'],
    consent: null,
  },
  {
    id: 'entra-auth',
    title: 'Entra authentication on pg-orders',
    resource: '/pg',
    after: [],
    lines: ['Turn on Entra authentication'],
    consent: 'may restart the server',
  },
  {
    id: 'database-role',
    title: 'role aad_orders_api on orders',
    resource: '/pg/db',
    after: ['app-identity', 'entra-auth'],
    lines: ['Create role aad_orders_api'],
    consent: null,
  },
];
const TITLE = 'orders-api → pg-orders/orders · system identity · client java';

/** A failed run: two steps applied, the third failed, both undone, one could not be. */
const failedRun: RunEvent[] = [
  { type: 'doctor:start', checks: [{ id: 'signin', title: 'Signed in' }] },
  { type: 'check:end', outcome: doctor[0]! },
  {
    type: 'doctor:end',
    outcomes: doctor,
    summary: { pass: 1, warn: 0, fail: 0, skip: 0, error: 0, timeout: 0 },
  },
  { type: 'setup:plan', title: TITLE, steps: plan, dryRun: false },
  { type: 'plan:ready', runId: '20261126-1000-1a2b', steps: plan, notDone: [] },
  { type: 'step:start', id: 'app-identity', title: plan[0]!.title, at: 0 },
  { type: 'step:start', id: 'entra-auth', title: plan[1]!.title, at: 0 },
  { type: 'step:progress', id: 'entra-auth', detail: 'waiting for Azure: InProgress', elapsedMs: 2000 },
  {
    type: 'step:end',
    id: 'app-identity',
    title: plan[0]!.title,
    outcome: 'applied',
    elapsedMs: 4100,
    message: null,
    scriptPath: null,
  },
  {
    type: 'step:end',
    id: 'entra-auth',
    title: plan[1]!.title,
    outcome: 'applied',
    elapsedMs: 48000,
    message: null,
    scriptPath: null,
  },
  { type: 'step:start', id: 'database-role', title: plan[2]!.title, at: 0 },
  {
    type: 'step:end',
    id: 'database-role',
    title: plan[2]!.title,
    outcome: 'failed',
    elapsedMs: 1200,
    message: 'permission denied to create role',
    scriptPath: null,
  },
  {
    type: 'rollback:start',
    runId: '20261126-1000-1a2b',
    reason: 'failure',
    steps: [
      { id: 'entra-auth', title: plan[1]!.title },
      { id: 'app-identity', title: plan[0]!.title },
    ],
  },
  { type: 'rollback:step-start', id: 'entra-auth', title: plan[1]!.title, at: 0 },
  {
    type: 'rollback:step-end',
    id: 'entra-auth',
    title: plan[1]!.title,
    outcome: 'undone',
    elapsedMs: 30000,
    reason: null,
  },
  { type: 'rollback:step-start', id: 'app-identity', title: plan[0]!.title, at: 0 },
  {
    type: 'rollback:step-end',
    id: 'app-identity',
    title: plan[0]!.title,
    outcome: 'failed',
    elapsedMs: 900,
    reason: 'HTTP 500',
  },
];

const left = [
  {
    id: 'app-identity',
    title: plan[0]!.title,
    reason: 'undo failed: HTTP 500',
    commands: ['az webapp identity remove -g rg-orders -n orders-api'],
  },
];
const failedResult: SetupResult = {
  runId: '20261126-1000-1a2b',
  status: 'rollback-incomplete',
  exitCode: 3,
  cancelled: false,
  steps: [
    {
      id: 'app-identity',
      title: plan[0]!.title,
      outcome: 'applied',
      rollback: 'failed',
      message: null,
      scriptPath: null,
      elapsedMs: 4100,
    },
    {
      id: 'entra-auth',
      title: plan[1]!.title,
      outcome: 'applied',
      rollback: 'undone',
      message: null,
      scriptPath: null,
      elapsedMs: 48000,
    },
    {
      id: 'database-role',
      title: plan[2]!.title,
      outcome: 'failed',
      rollback: null,
      message: 'permission denied to create role',
      scriptPath: null,
      elapsedMs: 1200,
    },
  ],
  notDone: [],
  failure: { id: 'database-role', title: plan[2]!.title, message: 'permission denied to create role' },
  left,
  handedOff: [],
};

function scripted(events: RunEvent[], outcome: SetupOutcome) {
  const bus = new EventBus<RunEvent>();
  const session: Session = {
    bus,
    doctor: async () => doctor,
    setup: async () => {
      for (const event of events) bus.emit(event);
      return outcome;
    },
  };
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const input: FrontEndInput = {
    session,
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'setup' },
    verbose: false,
    strict: false,
    color: false,
    cancel: new AbortController(),
    stdout,
    stderr,
  };
  return { input, stdout, stderr, run: (frontEnd: FrontEnd) => frontEnd(input) };
}

test('plain: the plan, a line per step, the rollback newest first, and what is left with its command', async () => {
  const s = scripted(failedRun, {
    kind: 'ran',
    doctor,
    title: TITLE,
    plan,
    result: failedResult,
    undone: [],
  });
  const code = await s.run(createSetupPlainFrontEnd(true));
  assert.equal(code, 3);
  const out = s.stdout.text;
  assert.match(out, /PASS\s+Signed in\s+dana@contoso.com/);
  assert.match(out, /Plan · orders-api → pg-orders\/orders · system identity · client java\n/);
  assert.match(out, / {2}2 {2}Entra authentication on pg-orders {2}⚠ may restart the server\n/);
  assert.match(out, /Nothing else changes\. Every step is undone if a later one fails or you press Ctrl-C\./);
  assert.match(out, /✔ 1 {2}system identity on orders-api {2}4\.1s\n/);
  assert.match(out, /✔ 2 {2}Entra authentication on pg-orders {2}48\.0s\n/);
  assert.match(
    out,
    /✖ 3 {2}role aad_orders_api on orders {2}FAILED: permission denied to create role {2}1\.2s\n/,
  );
  const rollback = out.slice(out.indexOf('Rolling back'));
  assert.ok(rollback.indexOf('↺ 2') < rollback.indexOf('✖ 1'), 'newest first');
  assert.match(rollback, /✖ 1 {2}system identity on orders-api {2}UNDO FAILED: HTTP 500/);
  assert.match(out, /Failed at role aad_orders_api on orders: permission denied to create role/);
  assert.match(
    out,
    /Left in place \(1\); remove by hand:\n {2}system identity on orders-api: undo failed: HTTP 500\n {4}az webapp identity remove -g rg-orders -n orders-api\n/,
  );
  assert.match(out, /Exit code 3\.\n$/);
  // Progress goes to stderr only, never between the result lines.
  assert.match(s.stderr.text, /… Entra authentication on pg-orders/);
  assert.match(s.stderr.text, /… Entra authentication on pg-orders: waiting for Azure: InProgress\n/);
  assert.doesNotMatch(out, /InProgress/);
  assert.doesNotMatch(out + s.stderr.text, /\u001b\[/, 'no colour when colour is off');
});

test('plain without Unicode uses ASCII marks', async () => {
  const s = scripted(failedRun, {
    kind: 'ran',
    doctor,
    title: TITLE,
    plan,
    result: failedResult,
    undone: [],
  });
  await s.run(createSetupPlainFrontEnd(false));
  assert.match(s.stdout.text, /\+ 1 {2}system identity on orders-api/);
  assert.match(s.stdout.text, /! may restart the server/);
  assert.doesNotMatch(s.stdout.text, /[✔✖↺⚠]/);
});

test('plain: a dry run prints the plan and says nothing changed; exit 0', async () => {
  const s = scripted([{ type: 'setup:plan', title: TITLE, steps: plan, dryRun: true }], {
    kind: 'planned',
    doctor,
    title: TITLE,
    plan,
  });
  assert.equal(await s.run(createSetupPlainFrontEnd(true)), 0);
  assert.match(s.stdout.text, /Dry run: nothing was changed/);
  assert.doesNotMatch(s.stdout.text, /✔ 1/);
});

test('plain: a refusal names every reason; exit 1', async () => {
  const reasons = ['Permissions (rbac): 3 of 9 actions missing. Fix: ask for Contributor'];
  const s = scripted([{ type: 'setup:refused', reasons }], { kind: 'refused', doctor, reasons });
  assert.equal(await s.run(createSetupPlainFrontEnd(true)), 1);
  assert.match(s.stdout.text, /Setup cannot start; nothing was changed:\n {2}Permissions \(rbac\): 3 of 9/);
});

test('JSON: one document with the setup block: status, steps with ids and outcomes, the rollback', async () => {
  const s = scripted(failedRun, {
    kind: 'ran',
    doctor,
    title: TITLE,
    plan,
    result: failedResult,
    undone: [],
  });
  assert.equal(await s.run(runSetupJson), 3);
  const document = JSON.parse(s.stdout.text);
  assert.equal(s.stderr.text, '');
  assert.equal(document.schemaVersion, 1);
  assert.equal(document.command, 'setup');
  assert.equal(document.exitCode, 3);
  assert.equal(document.doctor.checks[0].id, 'signin');
  assert.equal(document.setup.status, 'rollback-incomplete');
  assert.equal(document.setup.runId, '20261126-1000-1a2b');
  assert.deepEqual(
    document.setup.steps.map((s: { id: string; outcome: string }) => [s.id, s.outcome]),
    [
      ['app-identity', 'applied'],
      ['entra-auth', 'applied'],
      ['database-role', 'failed'],
    ],
  );
  assert.deepEqual(document.setup.plan[1], {
    id: 'entra-auth',
    title: plan[1]!.title,
    lines: ['Turn on Entra authentication'],
    consent: 'may restart the server',
    alreadyDone: false,
    readOnly: false,
  });
  assert.deepEqual(document.setup.rollback, {
    ran: true,
    complete: false,
    steps: [
      { id: 'app-identity', title: plan[0]!.title, outcome: 'failed' },
      { id: 'entra-auth', title: plan[1]!.title, outcome: 'undone' },
    ],
    left,
  });
});

test('JSON: a dry run has the plan and no steps; exit 0', async () => {
  const s = scripted([], { kind: 'planned', doctor, title: TITLE, plan });
  assert.equal(await s.run(runSetupJson), 0);
  const document = JSON.parse(s.stdout.text);
  assert.equal(document.setup.status, 'planned');
  assert.equal(document.setup.plan.length, 3);
  assert.deepEqual(document.setup.steps, []);
  assert.equal(document.setup.rollback.ran, false);
});

test('plain progress on real Azure: a line per new detail, and at most one "still waiting" per step every 10 s', () => {
  const err: string[] = [];
  const lines = new SetupLines(
    { color: false, unicode: true, verbose: false },
    () => {},
    (line) => err.push(line),
  );
  lines.handle({ type: 'step:start', id: 'entra-auth', title: 'Entra authentication on pg-orders', at: 0 });
  // Azure is polled every 2 s for 4 minutes: 120 identical answers, then a new state.
  for (let ms = 2000; ms <= 240_000; ms += 2000)
    lines.handle({
      type: 'step:progress',
      id: 'entra-auth',
      detail: 'waiting for Azure: InProgress',
      elapsedMs: ms,
    });
  lines.handle({
    type: 'step:progress',
    id: 'entra-auth',
    detail: 'waiting for Azure: Finalizing',
    elapsedMs: 241_000,
  });
  lines.handle({
    type: 'step:progress',
    id: 'entra-auth',
    detail: 'waiting for Azure: Finalizing',
    elapsedMs: 242_000,
  });
  assert.equal(err[0], '… Entra authentication on pg-orders');
  assert.equal(err[1], '… Entra authentication on pg-orders: waiting for Azure: InProgress');
  const waiting = err.filter((line) => line.includes('still waiting'));
  assert.equal(err.at(-1), '… Entra authentication on pg-orders: waiting for Azure: Finalizing');
  // 4 minutes at one line per 10 s at most: 23 (12 s, 22 s, ... 232 s), never one per poll.
  assert.ok(waiting.length <= 24 && waiting.length >= 20, `${waiting.length} still-waiting lines`);
  assert.equal(waiting[0], '… Entra authentication on pg-orders: still waiting (12s)');
  assert.equal(err.length, 2 + waiting.length + 1);

  // The undo of a step is throttled the same way, on its own clock.
  err.length = 0;
  lines.handle({
    type: 'rollback:step-start',
    id: 'entra-auth',
    title: 'Entra authentication on pg-orders',
    at: 0,
  });
  for (let ms = 1000; ms <= 30_000; ms += 1000)
    lines.handle({
      type: 'rollback:progress',
      id: 'entra-auth',
      detail: 'waiting for Azure: InProgress',
      elapsedMs: ms,
    });
  assert.deepEqual(err, [
    '… undo Entra authentication on pg-orders: waiting for Azure: InProgress',
    '… undo Entra authentication on pg-orders: still waiting (11s)',
    '… undo Entra authentication on pg-orders: still waiting (21s)',
  ]);
});

test('"N changes made" counts changes, not the read-only check; the plan marks work already in place', async () => {
  const withVerify: PlannedStepView[] = [
    { ...plan[0]!, alreadyDone: 'already on' },
    plan[1]!,
    {
      id: 'verify',
      title: 'Check the database user of orders-api',
      resource: '/v',
      after: [],
      lines: [],
      consent: null,
      readOnly: true,
    },
  ];
  const result: SetupResult = {
    runId: '20261126-1000-1a2b',
    status: 'succeeded',
    exitCode: 0,
    cancelled: false,
    steps: [
      {
        id: 'app-identity',
        title: plan[0]!.title,
        outcome: 'already-done',
        rollback: null,
        message: null,
        scriptPath: null,
        elapsedMs: 1,
      },
      {
        id: 'entra-auth',
        title: plan[1]!.title,
        outcome: 'applied',
        rollback: null,
        message: null,
        scriptPath: null,
        elapsedMs: 1,
      },
      {
        id: 'verify',
        title: withVerify[2]!.title,
        outcome: 'applied',
        rollback: null,
        message: null,
        scriptPath: null,
        elapsedMs: 1,
      },
    ],
    notDone: [],
    failure: null,
    left: [],
    handedOff: [],
  };
  assert.equal(closingLinesOf(result, withVerify)[0], 'Done: 1 change made (run 20261126-1000-1a2b).');
  const onlyChecked = { ...result, steps: result.steps.filter((step) => step.id !== 'entra-auth') };
  assert.equal(
    closingLinesOf(onlyChecked, withVerify)[0],
    'Done: everything was already in place; nothing was changed.',
  );

  const s = scripted([{ type: 'setup:plan', title: TITLE, steps: withVerify, dryRun: true }], {
    kind: 'planned',
    doctor,
    title: TITLE,
    plan: withVerify,
  });
  await s.run(createSetupPlainFrontEnd(true));
  assert.match(s.stdout.text, /^ {2}1 {2}system identity on orders-api {2}✔ already on$/m);
  const json = scripted([], { kind: 'planned', doctor, title: TITLE, plan: withVerify });
  await json.run(runSetupJson);
  const document = JSON.parse(json.stdout.text);
  assert.deepEqual(
    document.setup.plan.map((step: { id: string; alreadyDone: boolean; readOnly: boolean }) => [
      step.id,
      step.alreadyDone,
      step.readOnly,
    ]),
    [
      ['app-identity', true, false],
      ['entra-auth', false, false],
      ['verify', false, true],
    ],
  );
});
