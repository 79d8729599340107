/**
 * A database name typed at the prompt (or picked) goes into ARM ids: setup holds it to Azure's rule
 * for the server's kind before any step is built, as the CLI does for --database.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Prompter } from '../../source/core/prompter.ts';
import { FakeWorld } from './fake-world.ts';
import { doctorChecks, SERVER, setupHarness } from './setup-world.ts';

test('a typed database name PostgreSQL cannot have is refused naming the rule; no step is built', async () => {
  const world = new FakeWorld();
  const steps = [world.step({ id: 'a' })];
  const asked: string[] = [];
  const prompter: Prompter = {
    interactive: true,
    pick: async () => undefined,
    confirm: async () => true,
    input: async (question) => {
      asked.push(question.flag);
      return "o'rders; DROP DATABASE x";
    },
    secret: async () => undefined,
  };
  const h = setupHarness({
    steps,
    prompter,
    checks: doctorChecks([
      {
        id: 'server',
        title: 'server',
        run: async () => ({
          status: 'pass',
          message: 'pg-orders',
          data: { server: { ...SERVER, database: null } },
        }),
      },
    ]),
  });
  const outcome = await h.session.setup!();
  assert.deepEqual(asked, ['--database']);
  assert.equal(outcome.kind, 'refused');
  assert.ok(outcome.kind === 'refused');
  assert.match(
    outcome.reasons.join('\n'),
    /is not a valid PostgreSQL database name: Azure allows 1-63 letters/,
  );
  assert.equal(h.input(), undefined, 'no step was built');
  assert.equal(steps[0]!.calls.apply, 0);
});
