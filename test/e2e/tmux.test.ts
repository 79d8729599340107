/**
 * The interactive doctor in a real terminal: the built CLI runs in a detached tmux pane (100x30)
 * with the signed-out stand-in az on PATH; the test reads the screen with capture-pane and types q.
 * tmux gets a private socket, so it never talks to a server outside this test (or its network
 * namespace), and the server is killed in `finally`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtCli, tempDir } from '../helpers/build.ts';
import { makeStandinAz } from '../helpers/standin-az.ts';
import { openPane, type Pane } from '../helpers/tmux.ts';

/** Starts `sc-doctor doctor` (the built CLI, signed-out stand-in az) in a private 100x30 tmux pane. */
async function openDoctorPane(
  extraEnv: Record<string, string> = {},
): Promise<Pane & { cleanup(): Promise<void> }> {
  const { cli } = builtCli();
  const az = await makeStandinAz('signed-out-2.45.0');
  const home = join(tempDir('sc-doctor-tmux-home-'), 'home');
  const env = {
    ...az.env({ AZ_STANDIN_VERSION: '2.67.0' }),
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
  const pane = openPane({ argv: [process.execPath, cli, 'doctor'], env: env as Record<string, string> });
  return {
    ...pane,
    async cleanup() {
      pane.close();
      await az.cleanup();
    },
  };
}

test('the doctor screen in tmux: rows settle, the failing sign-in shows az login, q ends the program with 1', async (t) => {
  const pane = await openDoctorPane();
  try {
    await pane.waitForScreen((s) => s.includes('sc-doctor 0.1.0 · doctor'), 'the first frame');
    const firstFrameMs = Date.now() - pane.startedAt;
    const screen = await pane.waitForScreen(
      (s) => /1 failed/.test(s) && !/running|waiting/.test(s),
      'every row to settle',
    );
    t.diagnostic(
      `first interactive frame after ~${firstFrameMs} ms; settled after ~${Date.now() - pane.startedAt} ms`,
    );

    // The header drawn before Ink loaded was replaced in place by the screen's: once, on the first line.
    assert.equal(screen.split('\n').filter((line) => line.includes('sc-doctor 0.1.0 · doctor')).length, 1);
    assert.match(screen.split('\n')[0] ?? '', /^sc-doctor 0\.1\.0 · doctor/);
    assert.match(screen, /✔ pass +Azure CLI +2\.67\.0/);
    assert.match(screen, /✖ FAIL +Signed in +not signed in/);
    const lines = screen.split('\n');
    const signin = lines.findIndex((line) => line.includes('✖ FAIL'));
    const fix = lines.findIndex((line, i) => i > signin && /^ +fix +/.test(line));
    assert.ok(fix > signin, `no fix line under the failing row:\n${screen}`);
    assert.match(lines[fix + 1] ?? '', /^ +az login$/, 'the first command under the fix is az login');
    assert.match(screen, /○ skip +Subscription/);
    // Subscription, then the server and the two checks that need it, wait on the failed sign-in.
    assert.match(screen, /○ skip +Database server +needs signed in \(fail\)/);
    assert.match(screen, /^1 passed · 1 failed · 9 skipped$/m);
    const content = screen.trimEnd().split('\n');
    assert.equal(content.at(-1), '↑↓ move  enter details  q quit', 'key hints on the last line');
    assert.ok(content.length < 30, 'the live region is shorter than the terminal');

    pane.press('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
    assert.equal(pane.exitCode(), '1', 'exit code 1: a check failed');
    const final = pane.capture();
    assert.match(final, /✖ FAIL +Signed in/, 'the results stay on screen');
    assert.match(final, /1 passed · 1 failed · 9 skipped/);
    assert.doesNotMatch(final, /q quit/, 'no stale key hints left behind');
  } finally {
    await pane.cleanup();
  }
});

test('with CI set but empty the screen is still drawn live (Ink must not decide it is in CI)', async () => {
  const pane = await openDoctorPane({ CI: '' });
  try {
    const screen = await pane.waitForScreen((s) => /q quit/.test(s), 'the live screen with its key hints');
    assert.match(screen, /sc-doctor 0\.1\.0 · doctor/);
    assert.equal(pane.isDead(), false, 'the program is still running, waiting for a key');
    pane.press('q');
    await pane.waitForScreen(() => pane.isDead(), 'the program to end after q');
  } finally {
    await pane.cleanup();
  }
});
