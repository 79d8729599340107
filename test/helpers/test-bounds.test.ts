/**
 * scripts/test-inner.sh, the way `npm test` runs every file, never hangs on a broken test file: one
 * stuck outside any test ends as a failure at its bound (test/helpers/file-bound.ts), and one whose
 * tests are done but that left a handle open (a listening server) ends at once.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from './build.ts';
import { runInGroup } from './processes.ts';

/** Runs test-inner.sh on `source` (written to a file of its own) as a run of its own. */
async function runFile(name: string, source: string, boundSeconds: number) {
  const file = join(tempDir(), name);
  writeFileSync(file, source);
  const env: NodeJS.ProcessEnv = { ...process.env, SC_DOCTOR_TEST_FILE_TIMEOUT_S: String(boundSeconds) };
  delete env.NODE_TEST_CONTEXT; // not a file of this run
  const started = Date.now();
  const result = await runInGroup('sh', ['scripts/test-inner.sh', file], {
    cwd: repoRoot,
    env,
    timeoutMs: 90_000,
  });
  return { ...result, file, seconds: (Date.now() - started) / 1000 };
}

test('a test file stuck outside any test ends as a failure at its bound, naming the file', async () => {
  const run = await runFile(
    'stuck.test.mts',
    [
      "import { test } from 'node:test';",
      // A top-level await that never settles (a twin started before the tests, say), with a live
      // interval: no test has started, so neither the test timeout nor force-exit applies.
      'await new Promise(() => setInterval(() => {}, 1000));',
      "test('a test that never gets to run', () => {});",
    ].join('\n'),
    3,
  );
  assert.equal(run.timedOut, false, `the run ended by itself:\n${run.stdout}`);
  assert.notEqual(run.code, 0, 'a stuck file fails the run');
  assert.match(
    run.stderr + run.stdout,
    /stuck\.test\.mts was still running after 3 s, the bound for one test file/,
  );
  assert.ok(run.seconds < 60, `ended after ${run.seconds} s`);
});

test('a test file whose tests are done ends even if it left a server listening', async () => {
  const run = await runFile(
    'leaky.test.mts',
    [
      "import { createServer } from 'node:net';",
      "import { test } from 'node:test';",
      "test('leaves a server open', () => { createServer().listen(0, '127.0.0.1'); });",
    ].join('\n'),
    600,
  );
  assert.equal(run.timedOut, false, `the run ended by itself:\n${run.stdout}`);
  assert.equal(run.code, 0, run.stdout);
  assert.ok(run.seconds < 60, `ended after ${run.seconds} s`);
});

test('every result of a file of quick async tests reaches the runner, though --test-force-exit ends the file at once', async () => {
  const run = await runFile(
    'quick.test.mts',
    [
      "import { test } from 'node:test';",
      // Tests that end within promise callbacks, as a test of a lazily imported module does.
      "for (let i = 0; i < 1000; i++) test('quick ' + i, async () => { await Promise.resolve(); });",
    ].join('\n'),
    600,
  );
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /ℹ tests 1000\n/, run.stdout.slice(-400));
  assert.match(run.stdout, /ℹ pass 1000\n/);
});
