/**
 * `session.setup()` for a container app: the container that gets the settings (the linker's `scope`)
 * is the only one, `--container` (checked against the app's containers), or picked; plain and JSON
 * modes cannot pick and refuse with a usage error naming `--container` (exit 2) before any step. And
 * Azure SQL refuses client types Service Connector cannot link, with what works instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPromptChannel, PromptUnavailableError } from '../../source/core/prompter.ts';
import type { CheckResult } from '../../source/core/types.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import type { AppFacts } from '../../source/doctor/facts.ts';
import { FakeWorld } from './fake-world.ts';
import { APP, doctorChecks, SERVER, setupHarness } from './setup-world.ts';

const CONTAINER_APP: AppFacts = {
  ...APP,
  kind: 'containerapp',
  id: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.App/containerApps/orders-worker',
  name: 'orders-worker',
  containers: ['sidecar', 'api'],
};

function withApp(app: AppFacts, extra: { id: string; result: CheckResult }[] = []) {
  return doctorChecks([
    {
      id: 'app-identity',
      title: 'App identity',
      run: async () => ({ status: 'pass', message: app.name, data: { app } }),
    },
    ...extra.map(({ id, result }) => ({ id, title: id, run: async () => result })),
  ]);
}

test('a container app with several containers in plain mode: a usage error naming --container, before any step', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' })];
  const h = setupHarness({ steps, checks: withApp(CONTAINER_APP) });
  await assert.rejects(h.session.setup!(), (error: unknown) => {
    assert.ok(error instanceof PromptUnavailableError);
    assert.equal(error.flag, '--container');
    return true;
  });
  assert.equal(h.input(), undefined, 'no step was built');
  assert.ok(
    new PromptUnavailableError({ message: 'x', flag: '--container' }, 'plain') instanceof UsageError,
    'exit 2',
  );
});

test('interactive: the picker offers the containers and the one picked reaches the steps', async () => {
  const world = new FakeWorld();
  const channel = createPromptChannel();
  const offered: string[][] = [];
  channel.serve(async (prompt) => {
    if (prompt.kind === 'pick' && prompt.question.flag === '--container') {
      const choices = Array.isArray(prompt.question.choices) ? prompt.question.choices : [];
      offered.push(choices.map((choice) => choice.label));
      prompt.answer('api' as never);
    } else if (prompt.kind === 'confirm') prompt.answer(true);
  });
  const h = setupHarness({
    steps: [world.step({ id: 'a' })],
    checks: withApp(CONTAINER_APP),
    prompter: channel.prompter,
    request: { yes: false },
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'ran');
  assert.deepEqual(offered, [['sidecar', 'api']]);
  assert.equal(h.input()?.container, 'api');
});

test('--container names the container; one the app does not have is a usage error listing those it has', async () => {
  const ok = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    checks: withApp(CONTAINER_APP),
    request: { container: 'sidecar' },
  });
  assert.equal((await ok.session.setup!()).kind, 'ran');
  assert.equal(ok.input()?.container, 'sidecar');

  const wrong = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    checks: withApp(CONTAINER_APP),
    request: { container: 'web' },
  });
  await assert.rejects(wrong.session.setup!(), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /orders-worker has no container named "web"; its containers: sidecar, api/);
    return true;
  });
  assert.equal(wrong.input(), undefined);

  const web = setupHarness({ steps: [new FakeWorld().step({ id: 'a' })], request: { container: 'api' } });
  await assert.rejects(web.session.setup!(), /--container is for a container app; orders-api is not one/);
});

test('a container app with one container needs no flag: that container gets the settings', async () => {
  const h = setupHarness({
    steps: [new FakeWorld().step({ id: 'a' })],
    checks: withApp({ ...CONTAINER_APP, containers: ['worker'] }),
  });
  const outcome = await h.session.setup!();
  assert.equal(outcome.kind, 'ran');
  assert.equal(h.input()?.container, 'worker');
  assert.equal(outcome.kind === 'ran' && outcome.connection?.settingsWriter, 'service-connector');
});

test('Azure SQL with a client type Service Connector cannot link: a usage error before any step, naming --no-linker', async () => {
  const sqlServer = { ...SERVER, kind: 'sql' as const, name: 'sql-orders' };
  for (const clientType of ['go', 'php', 'django', 'ruby'] as const) {
    const h = setupHarness({
      steps: [new FakeWorld().step({ id: 'a' })],
      checks: doctorChecks([
        {
          id: 'server',
          title: 'server',
          run: async () => ({ status: 'pass', message: 'sql', data: { server: sqlServer } }),
        },
      ]),
      request: { database: 'sql', clientType },
    });
    await assert.rejects(h.session.setup!(), (error: unknown) => {
      assert.ok(error instanceof UsageError, clientType);
      assert.match(error.message, new RegExp(`does not connect ${clientType} apps to Azure SQL`));
      assert.match(error.hints.join(' '), /--no-linker/);
      return true;
    });
    assert.equal(h.input(), undefined, `${clientType}: no step was built`);
    const without = setupHarness({
      steps: [new FakeWorld().step({ id: 'a' })],
      checks: doctorChecks([
        {
          id: 'server',
          title: 'server',
          run: async () => ({ status: 'pass', message: 'sql', data: { server: sqlServer } }),
        },
      ]),
      request: { database: 'sql', clientType, linker: false },
    });
    const ran = await without.session.setup!();
    assert.equal(ran.kind, 'ran', `${clientType} with --no-linker`);
    assert.equal(
      ran.kind === 'ran' && ran.connection?.settingsWriter,
      'sc-doctor',
      'the code screen knows who wrote',
    );
  }
});
