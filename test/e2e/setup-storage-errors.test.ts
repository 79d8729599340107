/**
 * A file the system refuses during a step, as a user meets it: the built CLI's `setup postgres`
 * against the twin, run from a folder it cannot write, without the database owner's password, so
 * the owner's grants go to a hand-off script in that folder. Writing it fails: the step must say what
 * could not be written, where, why and how to fix it (the engine's `StorageError`), never Node's raw
 * `EROFS: read-only file system, open '...'`, and the run rolls back cleanly (exit 1). As root (as the
 * suite runs) the folder is a read-only bind mount in a mount namespace of the run's own; otherwise
 * it is a folder without write permission.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES } from '../azure-twin/scenarios.ts';
import { builtCli, tempDir } from '../helpers/build.ts';
import { runInGroup } from '../helpers/processes.ts';
import { twinCliEnv } from '../helpers/twin-cli.ts';
import { rolesOf, stateOf } from '../setup/postgres-helpers.ts';

let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'healthy', databases: ['postgres'] });
});

after(async () => {
  await twin?.close();
});

/** `argv` run with `folder` as its working directory, which it cannot write to. */
function inUnwritableFolder(folder: string, argv: string[]): string[] {
  if (process.getuid?.() !== 0) {
    chmodSync(folder, 0o555);
    return argv;
  }
  // Root may write anywhere a permission bit forbids: a read-only mount stops it.
  const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$0" && exec "$@"';
  return ['/usr/bin/unshare', '-m', '--propagation', 'private', '/usr/bin/sh', '-c', script, folder, ...argv];
}

test('a hand-off script that cannot be written: the step says what, where, why and the fix; rolled back, exit 1', async () => {
  const folder = tempDir('sc-doctor-unwritable-');
  const env = twinCliEnv(twin);
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const [file, ...args] = inUnwritableFolder(folder, [
    process.execPath,
    builtCli().cli,
    'setup',
    'postgres',
    '--server',
    NAMES.postgres,
    '--database',
    NAMES.database,
    '-g',
    NAMES.resourceGroup,
    '-n',
    NAMES.webApp,
    '--target',
    'webapp',
    '--system-identity',
    '--client-type',
    'nodejs',
    '--yes',
    '--plain',
  ]);
  const run = await runInGroup(file!, args, { env, cwd: folder, timeoutMs: 120_000 });
  const output = run.stdout + run.stderr;
  assert.equal(run.code, 1, output);
  assert.match(
    run.stdout,
    /cannot write the hand-off script \/\S+\/sc-doctor-\d{8}-[0-9a-f]{6}-postgres-owner\.sh: (the file system is read-only \(EROFS\)|permission denied \(EACCES\))\. Fix: /,
  );
  assert.match(run.stdout, /Fix: (run sc-doctor from a folder on a writable file system|make it yours)/);
  assert.doesNotMatch(output, /EROFS: read-only|EACCES: permission denied|internal error/);
  assert.match(run.stdout, /nothing is left/);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});
