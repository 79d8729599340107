/**
 * `npm run twin` and `npm run demo` as a developer uses them: the env files a shell sources, the
 * stand-in az answering from the twin, sc-doctor run against it, and everything cleaned up on Ctrl-C.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, tempDir } from '../helpers/build.ts';

const run = promisify(execFile);

async function waitFor(file: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > timeoutMs) throw new Error(`${file} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('npm run twin writes .twin/env for the shell and .twin/app-env for app code, and removes them on Ctrl-C', async () => {
  const dir = tempDir('sc-doctor-twin-main-');
  const envFile = join(dir, 'env');
  const twin = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/azure-twin/main.ts', 'reader-only', '--no-databases', '--lro-delay=1500'],
    {
      cwd: repoRoot,
      env: { ...process.env, TWIN_ENV_FILE: envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  twin.stdout.setEncoding('utf8').on('data', (text: string) => {
    printed += text;
  });
  const exited = new Promise<number | null>((resolve) => twin.on('close', resolve));
  try {
    await waitFor(envFile);
    const shellEnv = readFileSync(envFile, 'utf8');
    const appEnv = readFileSync(join(dir, 'app-env'), 'utf8');
    assert.match(shellEnv, /export AZ_TWIN_URL='https:\/\/127\.0\.0\.1:\d+'/);
    assert.doesNotMatch(
      shellEnv,
      /IDENTITY_ENDPOINT/,
      'the developer shell must not look like an App Service box',
    );
    assert.match(appEnv, /export IDENTITY_ENDPOINT='http:\/\/127\.0\.0\.1:\d+\/msi\/token'/);
    assert.match(printed, /scenario 'reader-only'/);
    assert.match(printed, /1500 ms per long-running operation/);
    assert.doesNotMatch(printed, /AZ_TWIN_KEY|IDENTITY_HEADER=/, 'secrets stay in the env files');

    const { stdout } = await run('sh', ['-c', `. '${envFile}' && az account show -o json`], {
      cwd: repoRoot,
    });
    const account = JSON.parse(stdout);
    assert.equal(account.user.name, 'dana@contoso.twin.test');
    assert.equal(account.name, 'Contoso Dev');
  } finally {
    twin.kill('SIGINT');
  }
  assert.equal(await exited, 0);
  assert.equal(existsSync(envFile), false);
  assert.equal(existsSync(join(dir, 'app-env')), false);
});

test('npm run demo builds, starts the twin, runs sc-doctor against it and stops the twin', async () => {
  const result = await run('sh', ['scripts/demo.sh', 'doctor', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, TWIN_SCENARIO: 'healthy' },
    timeout: 120_000,
  });
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.exitCode, 0);
  assert.deepEqual(
    doc.doctor.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`),
    ['azure-cli:pass', 'signin:pass', 'subscription:pass'],
  );
});
