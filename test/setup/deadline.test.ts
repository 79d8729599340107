import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeadlineExceeded, startDeadline } from '../../source/core/deadline.ts';

test('a deadline aborts its signal with DeadlineExceeded when the time is up', async () => {
  const deadline = startDeadline(20);
  await deadline.expired;
  assert.equal(deadline.timedOut, true);
  assert.ok(deadline.signal.reason instanceof DeadlineExceeded);
  assert.equal(deadline.signal.reason.message, 'no answer after 0.0s');
  deadline.dispose();
});

test('a deadline follows the outer signal without counting it as a timeout, and dispose stops the timer', () => {
  const outer = new AbortController();
  const deadline = startDeadline(60_000, outer.signal);
  outer.abort(new Error('cancelled'));
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.timedOut, false);
  assert.equal(deadline.signal.reason.message, 'cancelled');
  deadline.dispose();
});
