/**
 * A program in a real terminal: a detached tmux pane on a private socket (so the test never talks to
 * a tmux server outside itself or its network namespace), read with capture-pane and typed into with
 * send-keys. The pane stays after the program ends (remain-on-exit), so its exit status and the last
 * frame it left, what a user's scrollback keeps, can still be read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { tempDir } from './build.ts';
import { cleanUpOnTestExit } from './processes.ts';

function tmux(socket: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run tmux (is it installed?): ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A single-quoted shell word. */
export const sh = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export interface Pane {
  capture(): string;
  /**
   * Everything the pane holds, scrollback included, with lines the terminal wrapped joined again
   * (what a user's terminal selection of a long line copies).
   */
  history(): string;
  waitForScreen(predicate: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** A tmux key name (`q`, `Enter`, `Escape`, `Down`). */
  press(key: string): void;
  /** Text typed character by character, as is. */
  type(text: string): void;
  isDead(): boolean;
  /** The program's exit status, once it ended. */
  exitCode(): string;
  startedAt: number;
  /** Kills the private tmux server. */
  close(): void;
}

export interface PaneOptions {
  /** The program and its arguments. */
  argv: string[];
  /** The whole environment the program sees (`env -i`: nothing leaks in from the test process). */
  env: Record<string, string>;
  columns?: number;
  rows?: number;
}

export function openPane({ argv, env, columns = 100, rows = 30 }: PaneOptions): Pane {
  const dir = tempDir('sc-doctor-tmux-');
  const socket = join(dir, 'tmux.sock');
  const session = `scd-${process.pid}-${Date.now()}`;
  const codeFile = join(dir, 'exit-code');
  const config = join(dir, 'tmux.conf');
  writeFileSync(config, 'set -g remain-on-exit on\n');
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${sh(value)}`);
  const command = `env -i ${assignments.join(' ')} ${argv.map(sh).join(' ')}; echo $? > ${sh(codeFile)}`;

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
    String(columns),
    '-y',
    String(rows),
    command,
  ]);
  assert.equal(created.status, 0, created.stderr);
  // The tmux server is a daemon outside every process group of the test: kill it even when the
  // test fails before close() or its file is ended early.
  const forget = cleanUpOnTestExit(() => void tmux(socket, ['kill-server']));
  return {
    capture,
    history: () => tmux(socket, ['capture-pane', '-p', '-J', '-S', '-', '-t', session]).stdout,
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
    type: (text) => void tmux(socket, ['send-keys', '-t', session, '-l', text]),
    isDead: () =>
      tmux(socket, ['display-message', '-p', '-t', session, '#{pane_dead}']).stdout.trim() === '1',
    exitCode: () => readFileSync(codeFile, 'utf8').trim(),
    startedAt,
    close: () => {
      tmux(socket, ['kill-server']);
      forget();
    },
  };
}
