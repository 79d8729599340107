/** The one function that turns how a run ended into its exit code, as a table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, exitCodeFor, type RunEnd } from '../../source/core/exit-codes.ts';
import type { DoctorSummary } from '../../source/core/types.ts';

const counts = (partial: Partial<DoctorSummary>): DoctorSummary => ({
  pass: 0,
  warn: 0,
  fail: 0,
  skip: 0,
  error: 0,
  timeout: 0,
  ...partial,
});

const table: [string, RunEnd, number][] = [
  ['all passed', { cancelled: false, doctor: counts({ pass: 3 }) }, 0],
  ['skips alone pass', { cancelled: false, doctor: counts({ pass: 1, skip: 2 }) }, 0],
  ['a warning passes', { cancelled: false, doctor: counts({ pass: 2, warn: 1 }) }, 0],
  ['a warning fails with --strict', { cancelled: false, strict: true, doctor: counts({ warn: 1 }) }, 1],
  ['a failure', { cancelled: false, doctor: counts({ pass: 2, fail: 1 }) }, 1],
  ['an error', { cancelled: false, doctor: counts({ error: 1 }) }, 1],
  ['a timeout', { cancelled: false, doctor: counts({ timeout: 1 }) }, 1],
  ['cancelled wins over failures', { cancelled: true, doctor: counts({ fail: 2 }) }, 130],
  ['cancelled with nothing finished', { cancelled: true }, 130],
  ['the flow crashed', { cancelled: false, crashed: true, doctor: counts({ pass: 3 }) }, 1],
  ['setup rolled back cleanly', { cancelled: false, setup: 'rolled-back' }, 1],
  [
    'setup rollback incomplete',
    { cancelled: false, setup: 'rollback-incomplete', doctor: counts({ fail: 1 }) },
    3,
  ],
  [
    'setup succeeded after passing checks',
    { cancelled: false, setup: 'succeeded', doctor: counts({ pass: 3 }) },
    0,
  ],
  ['cancelled during setup', { cancelled: true, setup: 'rollback-incomplete' }, 130],
  [
    'setup handed the rest off: not done',
    { cancelled: false, setup: 'handed-off', doctor: counts({ pass: 3 }) },
    4,
  ],
  ['cancelled wins over a hand-off', { cancelled: true, setup: 'handed-off' }, 130],
  ['a usage mistake', { cancelled: false, usage: true }, 2],
  ['cancelled wins over a usage mistake', { cancelled: true, usage: true }, 130],
  ['setup refused: a blocking check failed', { cancelled: false, refused: true }, 1],
  ['undo left nothing', { cancelled: false, undo: 'undone' }, 0],
  ['undo left something', { cancelled: false, undo: 'rollback-incomplete' }, 3],
  ['undo stopped by the user', { cancelled: true, undo: 'rollback-incomplete' }, 130],
  ['stdout went away: the broken pipe wins', { cancelled: true, brokenPipe: true }, 141],
];

for (const [name, end, code] of table) {
  test(`exit code: ${name} → ${code}`, () => assert.equal(exitCodeFor(end), code));
}

test('the codes are the documented ones', () => {
  assert.deepEqual(ExitCode, {
    Success: 0,
    Failure: 1,
    Usage: 2,
    RollbackIncomplete: 3,
    HandedOff: 4,
    Cancelled: 130,
    BrokenPipe: 141,
  });
});
