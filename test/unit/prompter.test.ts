/** The Prompter: refused with a usage error naming the flag outside interactive mode; queued to the UI inside it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import type { DoctorDeps } from '../../source/cli/run-doctor.ts';
import {
  createPromptChannel,
  type OpenPrompt,
  PromptUnavailableError,
  refusingPrompter,
} from '../../source/core/prompter.ts';
import type { Services } from '../../source/core/services.ts';
import { UsageError } from '../../source/core/usage-error.ts';
import { CaptureStream } from '../helpers/capture.ts';

const serverQuestion = {
  message: 'Which database server?',
  flag: '--server',
  choices: async () => [{ label: 'pg-orders', value: 'pg' }],
};

for (const mode of ['plain', 'json'] as const) {
  test(`${mode} mode: every kind of question fails at once, naming the flag that answers it`, async () => {
    const prompter = refusingPrompter(mode);
    assert.equal(prompter.interactive, false);
    const asks = [
      () => prompter.pick(serverQuestion),
      () => prompter.confirm({ message: 'Apply the plan?', flag: '--yes' }),
      () => prompter.input({ message: 'Database name:', flag: '--database' }),
      () => prompter.secret({ message: 'Client secret?', flag: 'AZURE_CLIENT_SECRET' }),
    ];
    const flags = ['--server', '--yes', '--database', 'AZURE_CLIENT_SECRET'];
    for (const [index, ask] of asks.entries()) {
      await assert.rejects(ask(), (error: unknown) => {
        assert.ok(error instanceof PromptUnavailableError && error instanceof UsageError);
        assert.equal(error.flag, flags[index]);
        assert.match(error.message, new RegExp(`cannot ask in ${mode} mode`));
        assert.deepEqual(error.hints, [`Pass ${flags[index]} to answer it.`]);
        return true;
      });
    }
  });
}

test('a refused question ends the CLI with exit 2 and the flag on stderr, nothing on stdout', async () => {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env: {}, stdinIsTTY: false, stdoutIsTTY: false };
  const services = { env: {}, now: Date.now, azure: { dispose() {} } } as unknown as Services;
  const deps: DoctorDeps = {
    createServices: async () => services,
    loadChecks: async () => [],
    // A flow that needs an answer (setup will): it asks through the prompter of the mode.
    loadFrontEnd: async (mode) => async () => {
      await refusingPrompter(mode === 'json' ? 'json' : 'plain').pick(serverQuestion);
      return 0;
    },
  };
  const code = await main(['doctor', '--json'], io, deps);
  assert.equal(code, 2);
  assert.equal(stdout.text, '');
  assert.equal(
    stderr.text,
    'sc-doctor: Which database server: sc-doctor cannot ask in json mode.\nPass --server to answer it.\n',
  );
});

test('interactive: questions asked before the UI serves them wait, then arrive in order and resolve with the answer', async () => {
  const channel = createPromptChannel();
  assert.equal(channel.prompter.interactive, true);
  const first = channel.prompter.pick(serverQuestion);
  const second = channel.prompter.confirm({ message: 'Apply?', flag: '--yes', default: true });
  const seen: OpenPrompt[] = [];
  channel.serve((prompt) => seen.push(prompt));
  assert.deepEqual(
    seen.map((prompt) => [prompt.kind, prompt.question.flag]),
    [
      ['pick', '--server'],
      ['confirm', '--yes'],
    ],
  );
  seen[0]!.answer('pg' as never);
  seen[1]!.answer(false as never);
  assert.equal(await first, 'pg');
  assert.equal(await second, false);
});

test('interactive: a question whose signal aborts resolves as backed out, and a masked one says so', async () => {
  const channel = createPromptChannel();
  const seen: OpenPrompt[] = [];
  channel.serve((prompt) => seen.push(prompt));
  const controller = new AbortController();
  const secret = channel.prompter.secret(
    { message: 'Client secret?', flag: 'AZURE_CLIENT_SECRET' },
    controller.signal,
  );
  assert.equal(seen[0]?.kind === 'text' && seen[0].masked, true);
  controller.abort();
  assert.equal(await secret, undefined);
  // A late answer from the UI changes nothing.
  seen[0]!.answer('too late' as never);
  assert.equal(await secret, undefined);
});
