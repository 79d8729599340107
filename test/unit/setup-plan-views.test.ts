/** The plan's view of each step: work already in place is said (when the step can tell), checks are marked read-only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Services } from '../../source/core/services.ts';
import { entraAdminStep as mysqlEntraAdmin } from '../../source/setup/mysql/entra-admin.ts';
import type { MysqlSetupInput } from '../../source/setup/mysql/input.ts';
import { planSteps } from '../../source/setup/plan.ts';
import { entraAdminStep as postgresEntraAdmin } from '../../source/setup/postgres/entra-admin.ts';
import { sqlEntraAdminStep } from '../../source/setup/sql/entra-admin.ts';
import type { Step } from '../../source/setup/step.ts';

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

test('the Entra-admin step of each database says "already" when the doctor saw the caller an admin, itself or through a group', async () => {
  const input = (adminLogin?: MysqlSetupInput['adminLogin']) =>
    ({
      server: { id: '/subscriptions/s/resourceGroups/g/providers/x/servers/db-orders', name: 'db-orders' },
      signedIn: { objectId: '00000000-0000-4000-8000-00000000da4a', user: 'dana@contoso.com', type: 'user' },
      ...(adminLogin ? { adminLogin } : {}),
      ...(adminLogin?.via === 'direct'
        ? { mysqlAdmin: { login: 'dana@contoso.com', sid: '00000000-0000-4000-8000-00000000da4a' } }
        : {}),
    }) as MysqlSetupInput;
  const services = {} as Services;
  const words = (build: (input: MysqlSetupInput, services: Services) => Step<any>) =>
    [
      undefined,
      { login: 'dana@contoso.com', via: 'direct' as const },
      { login: 'DB Admins', via: 'group' as const },
    ].map((adminLogin) =>
      build(input(adminLogin), services).alreadyDone?.({ signal: new AbortController().signal }),
    );
  assert.deepEqual(words(postgresEntraAdmin), [
    undefined,
    'already an admin',
    'already an admin through the group DB Admins',
  ]);
  assert.deepEqual(words(mysqlEntraAdmin), [
    undefined,
    'already the admin',
    'already the admin through the group DB Admins',
  ]);
  assert.deepEqual(words(sqlEntraAdminStep), [
    undefined,
    'already the admin',
    'already the admin through its group',
  ]);
});
