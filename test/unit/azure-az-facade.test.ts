import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAzFacade } from '../../source/azure/az.ts';
import type { ExecOptions, ExecResult } from '../../source/core/services.ts';

type Reply = Partial<ExecResult> | ((args: string[]) => Partial<ExecResult>);

/** An exec that answers from a table and records every call (no process is started). */
function fakeExec(reply: Reply, delayMs = 10) {
  const calls: { file: string; args: string[]; options: ExecOptions | undefined }[] = [];
  const exec = async (file: string, args: string[], options?: ExecOptions): Promise<ExecResult> => {
    calls.push({ file, args, options });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const partial = typeof reply === 'function' ? reply(args) : reply;
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false, ...partial };
  };
  return { exec, calls };
}

const tokenJson = (resource: string) =>
  JSON.stringify({
    accessToken: `tok-for-${resource}`,
    expires_on: 2_000_000_000,
    subscription: 'sub-1',
    tenant: 't-1',
  });

test('each question is asked once, even when asked concurrently and repeatedly', async () => {
  const { exec, calls } = fakeExec((args) =>
    args[0] === 'version' ? { stdout: '{"azure-cli": "2.67.0"}' } : { stdout: tokenJson(args.at(-1)!) },
  );
  const az = createAzFacade({ exec, env: { PATH: '/x' } });
  const arm = 'https://management.core.windows.net/';
  const graph = 'https://graph.microsoft.com/';
  const answers = await Promise.all([
    az.version(),
    az.version(),
    az.accessToken(arm),
    az.accessToken(arm),
    az.accessToken(graph),
  ]);
  await az.version();
  await az.accessToken(arm);
  assert.ok(answers.every((a) => a.ok));
  assert.equal(calls.length, 3);
  assert.equal(az.processCount(), 3);
  assert.deepEqual(
    calls.map((c) => c.args.join(' ')).sort(),
    [
      `account get-access-token -o json --resource ${arm}`,
      `account get-access-token -o json --resource ${graph}`,
      'version -o json',
    ].sort(),
  );
  assert.ok(
    calls.every((c) => c.file === 'az' && c.options?.env?.PATH === '/x' && c.options.timeoutMs === 15_000),
  );
  const token = answers[2];
  assert.ok(token.ok);
  assert.deepEqual(token.value, {
    accessToken: `tok-for-${arm}`,
    expiresOnMs: 2_000_000_000_000,
    subscription: 'sub-1',
    tenant: 't-1',
  });
});

test('a fresh token is asked for again only on request', async () => {
  const { exec, calls } = fakeExec((args) => ({ stdout: tokenJson(args.at(-1)!) }));
  const az = createAzFacade({ exec, env: {} });
  await az.accessToken('r');
  await az.accessToken('r', true);
  await az.accessToken('r');
  assert.equal(calls.length, 2);
});

test('az missing, timeout, non-JSON and a failed command are answers, not exceptions', async () => {
  const missing = createAzFacade({ exec: fakeExec({ exitCode: null, notFound: true }).exec, env: {} });
  assert.deepEqual(await missing.version(), { ok: false, failure: { kind: 'not-found' } });

  const slow = createAzFacade({
    exec: fakeExec({ exitCode: null, timedOut: true }).exec,
    env: {},
    timeoutMs: 1500,
  });
  assert.deepEqual(await slow.accessToken('r'), { ok: false, failure: { kind: 'timeout', timeoutMs: 1500 } });

  const garbage = createAzFacade({
    exec: fakeExec({ stdout: '\n  <html>proxy login page</html>\nmore' }).exec,
    env: {},
  });
  assert.deepEqual(await garbage.version(), {
    ok: false,
    failure: { kind: 'non-json', firstLine: '<html>proxy login page</html>' },
  });

  const failed = createAzFacade({
    exec: fakeExec({ exitCode: 1, stderr: "ERROR: Please run 'az login' to setup account.\n" }).exec,
    env: {},
  });
  const answer = await failed.accessToken('r');
  assert.ok(!answer.ok && answer.failure.kind === 'failed' && /az login/.test(answer.failure.stderr));
});

test('dispose aborts the signal every az process was started with', async () => {
  const { exec, calls } = fakeExec({ stdout: '{"azure-cli":"2.67.0"}' });
  const az = createAzFacade({ exec, env: {} });
  await az.version();
  assert.equal(calls[0]!.options?.signal?.aborted, false);
  az.dispose();
  assert.equal(calls[0]!.options?.signal?.aborted, true);
});
