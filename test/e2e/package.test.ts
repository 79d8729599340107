// The package as `npx sc-doctor` gets it: packed into a tarball, installed offline into an empty
// folder, and run through node_modules/.bin. Needs no registry (the bundle has no dependencies).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { buildInto, repoRoot, runProgram, tempDir } from '../helpers/build.ts';
import { twinCliEnv } from '../helpers/twin-cli.ts';
import { catalogueOf, stateOf } from '../setup/sql-helpers.ts';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
let bin: string;
let packedFiles: string[];

/** npm with a private cache and a registry nobody listens on: any fetch fails instead of leaving the machine. */
function npm(args: string[], cwd: string, cache: string): string {
  const result = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--cache', cache], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' },
  });
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

before(() => {
  const staging = tempDir('sc-doctor-stage-');
  const cache = tempDir('sc-doctor-npm-cache-');
  buildInto(join(staging, 'dist'));
  for (const name of ['package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(repoRoot, name))) copyFileSync(join(repoRoot, name), join(staging, name));
  }
  const packs = tempDir('sc-doctor-pack-');
  // --ignore-scripts: prepack would rebuild into the shared dist/; the staging copy is already built.
  const [packed] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packs], staging, cache),
  );
  packedFiles = packed.files.map((file: { path: string }) => file.path);
  const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz'))!);

  const project = tempDir('sc-doctor-project-');
  npm(['install', tarball], project, cache);
  bin = join(project, 'node_modules', '.bin', 'sc-doctor');
});

/** Only node on PATH (the bin's shebang is `/usr/bin/env node`): no az, no azd. */
function pathWithoutAz(): string {
  const nodeDir = dirname(process.execPath);
  assert.ok(!existsSync(join(nodeDir, 'az')), `${nodeDir} holds no az`);
  return nodeDir;
}

test('the package has no runtime dependencies and ships the bundle, not the metafile', () => {
  assert.deepEqual(manifest.dependencies ?? {}, {});
  assert.ok(packedFiles.includes('dist/cli.js'));
  assert.ok(packedFiles.some((file) => file.startsWith('dist/chunks/')));
  assert.ok(!packedFiles.includes('dist/meta.json'));
  assert.deepEqual(
    packedFiles.filter(
      (file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file),
    ),
    [],
  );
});

test('the installed bin prints the version', async () => {
  assert.deepEqual(await runProgram(bin, ['--version'], { PATH: pathWithoutAz() }), {
    code: 0,
    stdout: `${manifest.version}\n`,
    stderr: '',
  });
});

test('the installed bin prints help', async () => {
  const result = await runProgram(bin, ['--help'], { PATH: pathWithoutAz() });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage\n {2}sc-doctor \[command\] \[flags\]/);
});

test('the installed bin runs doctor --json without az: one document, exit 1', async () => {
  const result = await runProgram(bin, ['doctor', '--json'], { PATH: pathWithoutAz() });
  assert.equal(result.code, 1, result.stderr);
  const document = JSON.parse(result.stdout);
  assert.equal(document.tool.version, manifest.version);
  assert.equal(
    document.doctor.checks.find((check: { id: string }) => check.id === 'azure-cli')?.status,
    'fail',
  );
  assert.equal(document.exitCode, 1);
});

let twin: Twin | undefined;
after(async () => {
  await twin?.close();
});

test('the installed bin sets up Azure SQL against the twin (tedious from its chunk) and undoes it', async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
  const env = twinCliEnv(twin);
  const stateBefore = stateOf(twin);
  const catalogueBefore = catalogueOf(twin);
  const setup = await runProgram(
    bin,
    [
      'setup',
      'sql',
      '--server',
      'sql-orders',
      '--database',
      'orders',
      '-g',
      'rg-orders',
      '-n',
      'orders-api',
      '--target',
      'webapp',
      '--system-identity',
      '--client-type',
      'nodejs',
      '--yes',
      '--json',
    ],
    env,
    120_000,
  );
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  const document = JSON.parse(setup.stdout);
  assert.equal(document.setup.status, 'succeeded');
  assert.notDeepEqual(catalogueOf(twin), catalogueBefore, 'the database user was created');
  const undo = await runProgram(bin, ['undo', document.setup.runId, '--json'], env, 120_000);
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(catalogueOf(twin), catalogueBefore);
});
