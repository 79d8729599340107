import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../source/run/events.ts';
import {
  countRows,
  type DoctorAction,
  type DoctorState,
  doctorReducer,
  initialDoctorState,
  quitExitCode,
} from '../../source/ui/state/doctor-state.ts';
import { azCliPass, signedOut, signinFail, signinPass, subscriptionSkip } from './fixtures.ts';

const start: RunEvent = {
  type: 'doctor:start',
  checks: [
    { id: 'az-cli', title: 'Azure CLI' },
    { id: 'signin', title: 'Signed in' },
    { id: 'subscription', title: 'Subscription' },
  ],
};
const ev = (event: RunEvent, at = 5): DoctorAction => ({ type: 'event', event, at });
/** The run ends signed out: az passes, sign-in fails, the subscription is skipped. */
const endSignedOut = ev({
  type: 'doctor:end',
  outcomes: signedOut,
  summary: { pass: 1, warn: 0, fail: 1, skip: 1, error: 0, timeout: 0 },
});
const reduce = (actions: DoctorAction[], state = initialDoctorState()): DoctorState =>
  actions.reduce(doctorReducer, state);
const phases = (state: DoctorState) => state.rows.map((row) => `${row.id}:${row.phase}`);

const transitions: { name: string; actions: DoctorAction[]; expect: (state: DoctorState) => void }[] = [
  {
    name: 'doctor:start announces every row as waiting, in declared order',
    actions: [ev(start)],
    expect: (s) => assert.deepEqual(phases(s), ['az-cli:waiting', 'signin:waiting', 'subscription:waiting']),
  },
  {
    name: 'check:start marks a row running with the UI time it was seen',
    actions: [ev(start), ev({ type: 'check:start', id: 'signin', title: 'Signed in', at: 999_999 }, 42)],
    expect: (s) => {
      assert.equal(s.rows[1]?.phase, 'running');
      assert.equal(s.rows[1]?.startedAt, 42);
    },
  },
  {
    name: 'check:slow flags the row without changing its phase',
    actions: [
      ev(start),
      ev({ type: 'check:start', id: 'signin', title: 'Signed in', at: 0 }),
      ev({ type: 'check:slow', id: 'signin', title: 'Signed in', elapsedMs: 3000 }),
    ],
    expect: (s) => assert.deepEqual([s.rows[1]?.phase, s.rows[1]?.slow], ['running', true]),
  },
  {
    name: 'check:end stores the outcome and keeps the declared order when checks end out of order',
    actions: [
      ev(start),
      ev({ type: 'check:end', outcome: subscriptionSkip }),
      ev({ type: 'check:end', outcome: azCliPass }),
    ],
    expect: (s) => {
      assert.deepEqual(phases(s), ['az-cli:done', 'signin:waiting', 'subscription:done']);
      assert.equal(s.rows[2]?.outcome?.status, 'skip');
    },
  },
  {
    name: 'an event for a check doctor:start did not announce appends a row',
    actions: [ev(start), ev({ type: 'check:start', id: 'extra', title: 'Extra', at: 0 })],
    expect: (s) => assert.deepEqual(phases(s).at(-1), 'extra:running'),
  },
  {
    name: 'doctor:end finishes the run and fills in any outcome that was missed',
    actions: [ev(start), endSignedOut],
    expect: (s) => {
      assert.equal(s.finished, true);
      assert.deepEqual(phases(s), ['az-cli:done', 'signin:done', 'subscription:done']);
    },
  },
  {
    name: 'doctor:end selects the first failed row when the user has not moved',
    actions: [ev(start), endSignedOut],
    expect: (s) => assert.equal(s.selected, 1),
  },
  {
    name: 'doctor:end selects a warning when nothing failed',
    actions: [
      ev(start),
      ev({
        type: 'doctor:end',
        outcomes: [azCliPass, signinPass, { ...subscriptionSkip, status: 'warn' }],
        summary: { pass: 2, warn: 1, fail: 0, skip: 0, error: 0, timeout: 0 },
      }),
    ],
    expect: (s) => assert.equal(s.selected, 2),
  },
  {
    name: 'doctor:end leaves the selection alone once the user moved it',
    actions: [ev(start), { type: 'move', delta: 2 }, endSignedOut],
    expect: (s) => assert.equal(s.selected, 2),
  },
  {
    name: 'move clamps at both ends',
    actions: [ev(start), { type: 'move', delta: -1 }, { type: 'move', delta: 1 }, { type: 'move', delta: 5 }],
    expect: (s) => assert.equal(s.selected, 2),
  },
  {
    name: 'move on an empty screen does nothing',
    actions: [{ type: 'move', delta: 1 }],
    expect: (s) => assert.equal(s.selected, 0),
  },
  {
    name: 'toggle-details opens and closes only the selected row',
    actions: [ev(start), { type: 'move', delta: 1 }, { type: 'toggle-details' }],
    expect: (s) =>
      assert.deepEqual(
        s.rows.map((r) => r.expanded),
        [false, true, false],
      ),
  },
  {
    name: 'toggle-details twice closes again',
    actions: [ev(start), { type: 'toggle-details' }, { type: 'toggle-details' }],
    expect: (s) => assert.equal(s.rows[0]?.expanded, false),
  },
  {
    name: 'run-failed records the message and ends the run',
    actions: [{ type: 'run-failed', message: 'boom' }],
    expect: (s) => assert.deepEqual([s.runError, s.finished], ['boom', true]),
  },
  {
    name: 'cancel sets exit code 130',
    actions: [ev(start), { type: 'cancel' }],
    expect: (s) => assert.equal(s.exitCode, 130),
  },
  {
    name: 'nothing changes once an exit code is set',
    actions: [ev(start), { type: 'cancel' }, { type: 'move', delta: 1 }, { type: 'quit', strict: false }],
    expect: (s) => assert.deepEqual([s.selected, s.exitCode], [0, 130]),
  },
];

for (const { name, actions, expect } of transitions) {
  test(`reducer: ${name}`, () => expect(reduce(actions)));
}

test('reducer: --verbose starts rows expanded', () => {
  const state = reduce([ev(start)], initialDoctorState({ verbose: true }));
  assert.ok(state.rows.every((row) => row.expanded));
});

const finished = (outcomes = signedOut) =>
  reduce([
    ev(start),
    ...outcomes.map((outcome) => ev({ type: 'check:end', outcome })),
    ev({ type: 'doctor:end', outcomes, summary: countOf(outcomes) }),
  ]);
function countOf(outcomes: typeof signedOut) {
  return countRows(reduce(outcomes.map((outcome) => ev({ type: 'check:end', outcome })))).summary;
}

const exitCodes: { name: string; state: DoctorState; strict: boolean; code: number }[] = [
  { name: 'all pass', state: finished([azCliPass, signinPass]), strict: false, code: 0 },
  { name: 'a failure', state: finished(), strict: false, code: 1 },
  {
    name: 'a warning',
    state: finished([azCliPass, { ...signinPass, status: 'warn' }]),
    strict: false,
    code: 0,
  },
  {
    name: 'a warning with --strict',
    state: finished([azCliPass, { ...signinPass, status: 'warn' }]),
    strict: true,
    code: 1,
  },
  { name: 'a timeout', state: finished([{ ...signinFail, status: 'timeout' }]), strict: false, code: 1 },
  { name: 'still running', state: reduce([ev(start)]), strict: false, code: 130 },
  {
    name: 'the run itself failed',
    state: reduce([{ type: 'run-failed', message: 'x' }]),
    strict: false,
    code: 1,
  },
];

for (const { name, state, strict, code } of exitCodes) {
  test(`quit exit code: ${name} → ${code}`, () => {
    assert.equal(quitExitCode(state, strict), code);
    assert.equal(doctorReducer(state, { type: 'quit', strict }).exitCode, code);
  });
}

test('countRows counts finished rows per status and the unfinished ones', () => {
  const state = reduce([ev(start), ev({ type: 'check:end', outcome: signinFail })]);
  const { summary, unfinished } = countRows(state);
  assert.deepEqual([summary.fail, summary.pass, unfinished], [1, 0, 2]);
});
