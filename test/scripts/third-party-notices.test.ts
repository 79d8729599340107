/**
 * The package carries the licence notices of everything bundled into it: dist/THIRD_PARTY_NOTICES.txt,
 * read here from the packed tarball (as `npm pack` makes it from a fresh build), names every package
 * the build's metafile shows in the bundle with its notice text; a bundled package without any notice
 * stops the build.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { bundledPackageDirs, thirdPartyNotices } from '../../scripts/lib/notices.mjs';
import { buildInto, repoRoot, tempDir } from '../helpers/build.ts';

let notices = '';
let packedFiles: string[] = [];
let bundled: { name: string; version: string }[] = [];

before(() => {
  const staging = tempDir('sc-doctor-notices-stage-');
  buildInto(join(staging, 'dist'));
  copyFileSync(join(repoRoot, 'package.json'), join(staging, 'package.json'));
  const packs = tempDir('sc-doctor-notices-pack-');
  // --ignore-scripts: prepack would rebuild into the shared dist/; the staging copy is already built.
  const packed = spawnSync(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--offline', '--pack-destination', packs],
    {
      cwd: staging,
      encoding: 'utf8',
      env: {
        ...process.env,
        npm_config_cache: tempDir('sc-doctor-npm-cache-'),
        npm_config_update_notifier: 'false',
      },
    },
  );
  assert.equal(packed.status, 0, packed.stderr);
  packedFiles = JSON.parse(packed.stdout)[0].files.map((file: { path: string }) => file.path);
  const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz'))!);
  const unpacked = tempDir('sc-doctor-notices-unpacked-');
  execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
  notices = readFileSync(join(unpacked, 'package', 'dist', 'THIRD_PARTY_NOTICES.txt'), 'utf8');

  const metafile = JSON.parse(readFileSync(join(staging, 'dist', 'meta.json'), 'utf8'));
  bundled = bundledPackageDirs(metafile).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8'));
    return { name: manifest.name, version: manifest.version };
  });
});

test('the packed tarball holds dist/THIRD_PARTY_NOTICES.txt', () => {
  assert.ok(packedFiles.includes('dist/THIRD_PARTY_NOTICES.txt'), packedFiles.join(', '));
});

test('every package in the bundle is named with its version, licence and a notice text', () => {
  // The bundle's big parts, so a metafile read wrongly cannot pass with an empty list.
  for (const name of ['ink', 'react', 'pg', 'mysql2', 'tedious', '@azure/identity'])
    assert.ok(
      bundled.some((p) => p.name === name),
      `${name} is bundled`,
    );
  const blocks = notices.split(/^={78}$/m).slice(1);
  for (const { name, version } of bundled) {
    const block = blocks.find((b) => b.startsWith(`\n${name} ${version} (`));
    assert.ok(block, `${name} ${version} has a notice`);
    const body = block.split('\n').slice(3).join('\n');
    assert.match(body, /copyright|permission is hereby granted|licensed under/i, `${name}: a notice text`);
  }
  assert.equal(blocks.length, new Set(bundled.map((p) => `${p.name}@${p.version}`)).size, 'nothing else');
});

test('a bundled package with no licence file, README section or MIT copyright stops the build', () => {
  const root = tempDir('sc-doctor-notices-root-');
  const dir = join(root, 'node_modules', 'quiet-package');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'quiet-package', version: '1.0.0', license: 'UNLICENSED' }),
  );
  writeFileSync(join(dir, 'index.js'), 'export default 1;\n');
  assert.throws(
    () =>
      thirdPartyNotices(root, bundledPackageDirs({ inputs: { 'node_modules/quiet-package/index.js': {} } })),
    /No licence notice found for bundled package\(s\): quiet-package@1\.0\.0/,
  );
});
