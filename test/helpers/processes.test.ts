/**
 * The process-group helpers the tests start programs with: one stop ends a program and its children,
 * a run past its time is stopped by group, and what a test leaves running is killed when its process
 * exits, even after a failure.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from './build.ts';
import { alive, groupAlive, runInGroup, spawnGroup } from './processes.ts';

/** Whether `pid` is still running a moment later (a SIGKILL takes effect asynchronously). */
async function stillAlive(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await delay(25);
  return alive(pid);
}

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text;
    } catch {
      // not yet
    }
    await delay(25);
  }
  throw new Error(`${file} did not appear`);
}

/** A shell that starts a grandchild (`sleep`) and writes its pid to `pidFile`. */
const withGrandchild = (pidFile: string) => ['-c', `sleep 300 & echo $! > '${pidFile}'; wait`];

test('stopGroup ends the program and the children it started', async () => {
  const pidFile = join(tempDir(), 'pid');
  const child = spawnGroup('sh', withGrandchild(pidFile), { stdio: 'ignore' });
  const grandchild = Number(await waitForFile(pidFile));
  assert.equal(alive(grandchild), true);
  await child.stopGroup(2_000);
  assert.equal(groupAlive(child.pid!), false);
  assert.equal(await stillAlive(grandchild), false, 'the grandchild went with its group');
});

test('runInGroup stops the whole group when the run outlives its time, so the pipes close', async () => {
  const pidFile = join(tempDir(), 'pid');
  // The grandchild keeps stdout open: killing only sh would leave the run waiting for it.
  const started = Date.now();
  const result = await runInGroup('sh', withGrandchild(pidFile), { timeoutMs: 500 });
  assert.equal(result.timedOut, true);
  assert.ok(Date.now() - started < 10_000);
  assert.equal(await stillAlive(Number(readFileSync(pidFile, 'utf8'))), false);
});

test('a test file that fails with a program still running leaves nothing running after it', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'pid');
  const helper = pathToFileURL(join(repoRoot, 'test/helpers/processes.ts')).href;
  const file = join(dir, 'fails-midway.test.mts');
  writeFileSync(
    file,
    [
      "import assert from 'node:assert/strict';",
      "import { test } from 'node:test';",
      `import { spawnGroup } from '${helper}';`,
      "test('starts npm-like things and fails before stopping them', async () => {",
      `  spawnGroup('sh', ${JSON.stringify(withGrandchild(pidFile))}, { stdio: ['ignore', 'pipe', 'pipe'] });`,
      '  await new Promise((resolve) => setTimeout(resolve, 300));',
      "  assert.fail('a failing assertion before the finally that would stop them');",
      '});',
    ].join('\n'),
  );
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a run of its own, not a file of this one
  const result = await runInGroup('sh', ['scripts/test-inner.sh', file], {
    cwd: repoRoot,
    env,
    timeoutMs: 60_000,
  });
  assert.equal(result.timedOut, false, `the file ended:\n${result.stdout}`);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout, /a failing assertion before the finally/);
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(
    await stillAlive(grandchild),
    false,
    'the program the failed test started was killed with its file',
  );
});
