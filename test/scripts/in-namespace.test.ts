/**
 * scripts/in-namespace.sh, what `npm test` runs the suite in: a DNS question asked of the machine's
 * resolver fails the run and is named; a run that asks none keeps its own exit status; and the
 * resolv.conf it replaces is replaced in a mount namespace of its own, never the caller's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoRoot } from '../helpers/build.ts';
import { runInGroup } from '../helpers/processes.ts';

const canUnshare = spawnSync('unshare', ['-n', '-m', 'true']).status === 0;
const skip = canUnshare ? false : 'needs root to make network and mount namespaces';

/** Runs `script` (sh) through in-namespace.sh in a fresh network namespace. */
function inNamespace(script: string) {
  return runInGroup('unshare', ['-n', 'sh', 'scripts/in-namespace.sh', 'sh', '-c', script], {
    cwd: repoRoot,
    env: process.env,
    timeoutMs: 60_000,
  });
}

test('a lookup through the machine resolver fails the run and is named', { skip }, async () => {
  const before = readFileSync('/etc/resolv.conf', 'utf8');
  const run = await inNamespace('getent hosts pg-orders.postgres.twin.test; exit 0');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /FAIL: these DNS questions were asked of the machine's resolver/);
  assert.match(run.stderr, /\d+ pg-orders\.postgres\.twin\.test A\n/);
  assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), before, 'the caller’s resolv.conf is untouched');
});

test('a run that asks no DNS question keeps its exit status, and sees the sentinel as its resolver', {
  skip,
}, async () => {
  const clean = await inNamespace("grep -qx 'nameserver 127.0.0.1' /etc/resolv.conf && exit 0");
  assert.equal(clean.code, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /FAIL/);
  const failing = await inNamespace('exit 3');
  assert.equal(failing.code, 3);
});
