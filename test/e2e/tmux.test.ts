/**
 * The interactive doctor in a real terminal: the built CLI runs in a detached tmux pane (100x30)
 * with the signed-out stand-in az on PATH; the test reads the screen with capture-pane and types q.
 * tmux gets a private socket, so it never talks to a server outside this test (or its network
 * namespace), and the server is killed in `finally`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { builtCli, tempDir } from '../helpers/build.ts';
import { makeStandinAz } from '../helpers/standin-az.ts';

function tmux(socket: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run tmux (is it installed?): ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A single-quoted shell word. */
const sh = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

interface Pane {
  capture(): string;
  waitForScreen(predicate: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  press(key: string): void;
  isDead(): boolean;
  exitCode(): string;
  startedAt: number;
  close(): Promise<void>;
}

/** Starts `sc-doctor doctor` (the built CLI, signed-out stand-in az) in a private 100x30 tmux pane. */
async function openDoctorPane(extraEnv: Record<string, string> = {}): Promise<Pane> {
  const { cli } = builtCli();
  const az = await makeStandinAz('signed-out-2.45.0');
  const dir = tempDir('sc-doctor-tmux-');
  const socket = join(dir, 'tmux.sock');
  const session = `scd-${process.pid}-${Date.now()}`;
  const codeFile = join(dir, 'exit-code');
  // remain-on-exit keeps the pane after the program ends, so its exit status and the last frame it
  // left (what the user's scrollback keeps) can still be read.
  const config = join(dir, 'tmux.conf');
  writeFileSync(config, 'set -g remain-on-exit on\n');

  const home = join(dir, 'home');
  const env = {
    ...az.env({ AZ_STANDIN_VERSION: '2.67.0' }),
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${sh(value)}`);
  const command = `env -i ${assignments.join(' ')} ${sh(process.execPath)} ${sh(cli)} doctor; echo $? > ${sh(codeFile)}`;

  const capture = () => tmux(socket, ['capture-pane', '-p', '-t', session]).stdout;
  const startedAt = Date.now();
  const created = tmux(socket, [
    '-f',
    config,
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '100',
    '-y',
    '30',
    command,
  ]);
  assert.equal(created.status, 0, created.stderr);
  return {
    capture,
    async waitForScreen(predicate, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      while (Date.now() < deadline) {
        screen = capture();
        if (predicate(screen)) return screen;
        await delay(20);
      }
      throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    },
    press: (key) => void tmux(socket, ['send-keys', '-t', session, key]),
    isDead: () =>
      tmux(socket, ['display-message', '-p', '-t', session, '#{pane_dead}']).stdout.trim() === '1',
    exitCode: () => readFileSync(codeFile, 'utf8').trim(),
    startedAt,
    async close() {
      tmux(socket, ['kill-server']);
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
      (s) => /1 failed/.test(s) && !/running/.test(s),
      'every row to settle',
    );
    t.diagnostic(
      `first interactive frame after ~${firstFrameMs} ms; settled after ~${Date.now() - pane.startedAt} ms`,
    );

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
    await pane.close();
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
    await pane.close();
  }
});
