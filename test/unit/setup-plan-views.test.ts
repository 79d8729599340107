/** The plan's view of each step: work already in place is said (when the step can tell), checks are marked read-only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSteps } from '../../source/engine/plan.ts';
import type { Step } from '../../source/engine/step.ts';

function step(id: string, extra: Partial<Step> = {}): Step {
  return {
    id,
    title: id,
    resource: `/r/${id}`,
    preview: () => [`change ${id}`],
    isDone: async () => false,
    apply: async () => ({}),
    undo: async () => ({ status: 'undone' }),
    manualUndo: () => [],
    ...extra,
  };
}

test('planSteps: alreadyDone words and readOnly reach the views; a step that cannot tell is planned as a change', async () => {
  const plan = await planSteps([
    step('identity', { alreadyDone: () => 'already on' }),
    step('auth', { alreadyDone: async () => undefined }),
    step('admin', {
      alreadyDone: async () => {
        throw new Error('read failed');
      },
    }),
    step('verify', { readOnly: true }),
  ]);
  assert.deepEqual(
    plan.views.map((view) => [view.id, view.alreadyDone ?? null, view.readOnly ?? false]),
    [
      ['identity', 'already on', false],
      ['auth', null, false],
      ['admin', null, false],
      ['verify', null, true],
    ],
  );
  // Views of steps that say nothing extra keep the journal's shape as it was.
  assert.deepEqual(Object.keys(plan.views[1]!).sort(), [
    'after',
    'consent',
    'id',
    'lines',
    'resource',
    'title',
  ]);
});
