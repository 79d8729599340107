// The interactive figures of the benchmark, taken in a real terminal (tmux): how long until the
// first frame (the header) appears, how long until the doctor screen itself (its first check row),
// and the peak RSS of the whole interactive run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const tmux = (socket, ...args) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const quote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

/**
 * Runs `node <cli> doctor` in a 100x30 tmux pane `runs` times. Returns the median milliseconds from
 * starting the pane to the header being on screen and to the screen's first check row (`Azure CLI`),
 * and the largest peak RSS (MiB) of the runs. Returns undefined when tmux is missing.
 */
export function measureInteractive({ cli, env, scratch, root, runs = 5 }) {
  if (spawnSync('tmux', ['-V']).status !== 0) return undefined;
  const firstFrames = [];
  const screens = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const socket = `sc-doctor-bench-${process.pid}-${i}`;
    const rssFile = join(scratch, `rss-${i}.txt`);
    const assignments = Object.entries({ ...env, CI: '', SC_DOCTOR_RSS_FILE: rssFile })
      .map(([key, value]) => `${key}=${quote(value)}`)
      .join(' ');
    const command = `env ${assignments} ${quote(process.execPath)} --import ${quote(join(root, 'scripts/lib/report-rss.mjs'))} ${quote(cli)} doctor`;
    const started = process.hrtime.bigint();
    tmux(socket, 'new-session', '-d', '-x', '100', '-y', '30', command);
    let seen;
    let screen;
    while (Number(process.hrtime.bigint() - started) / 1e6 < 10_000) {
      const pane = tmux(socket, 'capture-pane', '-p').stdout;
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (seen === undefined && pane.includes('· doctor')) seen = elapsed;
      if (pane.includes('Azure CLI')) {
        screen = elapsed;
        break;
      }
      sleep(5);
    }
    // Let the checks settle, quit like a user, and wait for the exit hook to write the RSS.
    sleep(800);
    tmux(socket, 'send-keys', 'q');
    for (let wait = 0; wait < 200 && !existsSync(rssFile); wait++) sleep(10);
    tmux(socket, 'kill-server');
    if (seen !== undefined) firstFrames.push(seen);
    if (screen !== undefined) screens.push(screen);
    if (existsSync(rssFile)) rss.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
  }
  firstFrames.sort((a, b) => a - b);
  screens.sort((a, b) => a - b);
  return {
    firstFrameMs: firstFrames[Math.floor(firstFrames.length / 2)],
    firstFrameRange: [firstFrames[0], firstFrames.at(-1)],
    screenMs: screens[Math.floor(screens.length / 2)],
    screenRange: [screens[0], screens.at(-1)],
    peakRssMiB: rss.length > 0 ? Math.max(...rss) : undefined,
    runs: firstFrames.length,
  };
}
