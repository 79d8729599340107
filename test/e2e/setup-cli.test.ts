// `sc-doctor setup` and `undo` as a user runs them: the built CLI, a fresh HOME, no az on PATH.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { builtCli, runCli, tempDir } from '../helpers/build.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;

before(() => {
  builtCli();
});

test('setup postgres --dry-run --plain without az: the doctor runs first and setup refuses, changing nothing', async () => {
  const result = await runCli([
    'setup',
    'postgres',
    '--dry-run',
    '--plain',
    '--system-identity',
    '--client-type',
    'nodejs',
    '--server',
    'pg-orders',
    '--database',
    'orders',
    '-g',
    'rg-orders',
    '-n',
    'orders-api',
    '--target',
    'webapp',
  ]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /FAIL\s+Azure CLI/);
  assert.match(result.stdout, /Setup cannot start; nothing was changed:/);
  assert.match(result.stdout, /Exit code 1: setup did not start\./);
  assert.doesNotMatch(result.stdout, /^Plan ·/m, 'no plan without a server');
  assert.doesNotMatch(result.stdout + result.stderr, STACK_LINE);
});

test('setup --json usage errors are one JSON document on stdout, exit 2', async () => {
  for (const argv of [
    ['setup', 'postgres', '--json', '--grants', 'all'],
    ['setup', 'oracle', '--json', '--system-identity'],
    [
      'setup',
      'postgres',
      '--json',
      '--service-principal',
      'client-id=0b1f6471-1bf0-4dda-aec3-111122223333',
      'secret=hunter2',
    ],
  ]) {
    const result = await runCli(argv);
    assert.equal(result.code, 2, argv.join(' '));
    const document = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(document), ['schemaVersion', 'error', 'exitCode']);
    assert.equal(document.error.code, 'usage');
    assert.equal(document.exitCode, 2);
    assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
    assert.doesNotMatch(result.stderr, STACK_LINE);
  }
});

test('undo --list with an empty home says there is nothing to undo; undo names the way out', async () => {
  const list = await runCli(['undo', '--list']);
  assert.deepEqual(list, { code: 0, stdout: 'No setup runs yet: nothing to undo.\n', stderr: '' });
  const json = await runCli(['undo', '--list', '--json']);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout).runs, []);
  const undo = await runCli(['undo']);
  assert.equal(undo.code, 2);
  assert.match(undo.stderr, /there is no setup run to undo\.\nRun sc-doctor undo --list to see the runs\./);
});

test('setup --resume of a run this machine never made: exit 2 naming the run and where to find the runs', async () => {
  for (const format of ['--plain', '--json']) {
    const result = await runCli(
      [
        'setup',
        'postgres',
        '--server',
        'pg-orders',
        '--database',
        'orders',
        '-g',
        'rg-orders',
        '-n',
        'orders-api',
        '--target',
        'webapp',
        '--system-identity',
        '--yes',
        format,
        '--resume',
        '20990101-0000-abcd',
      ],
      { HOME: tempDir('sc-doctor-resume-home-') },
    );
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /^sc-doctor: --resume 20990101-0000-abcd: there is no such run\.$/m);
    assert.match(result.stderr, /sc-doctor undo --list/);
    assert.doesNotMatch(result.stderr, STACK_LINE);
    if (format === '--json') assert.equal(JSON.parse(result.stdout).exitCode, 2);
  }
});
