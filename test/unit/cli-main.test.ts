import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import { CaptureStream } from '../helpers/capture.ts';

const packageVersion = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env, stdinIsTTY: false, stdoutIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('--version and -v print the package version from source too', async () => {
  for (const flag of ['--version', '-v']) {
    const result = await run([flag]);
    assert.deepEqual(result, { code: 0, stdout: `${packageVersion}\n`, stderr: '' });
  }
});

test('--help, -h, help and doctor --help print usage with commands, flags, exit codes, env and examples', async () => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const result = await run(argv);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    for (const text of [
      'Usage',
      'doctor',
      'setup',
      '--json',
      '--plain',
      '--subscription <id>',
      '--cloud <name>',
      '-g, --resource-group <name>',
      '--server-id <id>',
      '--strict',
      '--verbose',
      'Exit codes',
      '130',
      'NO_COLOR',
      'FORCE_COLOR',
      'CI',
      'AZURE_SUBSCRIPTION_ID',
      'Examples',
    ]) {
      assert.ok(result.stdout.includes(text), `help lacks ${text}`);
    }
  }
  const doctorHelp = await run(['doctor', '--help']);
  assert.equal(doctorHelp.code, 0);
  assert.match(doctorHelp.stdout, /Usage\n {2}sc-doctor doctor \[flags\]/);
  assert.deepEqual(await run(['help', 'doctor']), doctorHelp);
});

test('setup and undo are in the command table and their help', async () => {
  const result = await run(['setup', '--help']);
  assert.equal(result.code, 0);
  assert.doesNotMatch(result.stdout, /not available yet/);
  assert.match(result.stdout, /sc-doctor setup <postgres\|mysql\|sql>/);
  for (const flag of [
    '--system-identity',
    '--user-identity',
    '--service-principal',
    '--client-type',
    '--yes',
    '--dry-run',
    '--no-linker',
    '--db-user',
    '--grants',
  ]) {
    assert.ok(result.stdout.includes(flag), `setup help lacks ${flag}`);
  }
  assert.match((await run(['--help'])).stdout, /undo \[RUN_ID\] \[--list\]/);
  assert.match((await run(['help', 'undo'])).stdout, /--list/);
});

test("help <command> shows that command's flags and no other", async () => {
  const flagsOf = (text: string) =>
    new Set(
      text
        .slice(0, text.indexOf('\nExit codes'))
        .match(/^ {2}(?:-\w, )? *--[\w-]+/gm)
        ?.map((f) => f.trim().replace(/^-\w, /, '')),
    );
  const snippet = flagsOf((await run(['help', 'snippet'])).stdout);
  for (const flag of [
    '--client-type',
    '--auth',
    '--client-id',
    '--out',
    '--force',
    '--server',
    '--database',
    '--db-user',
    '--cloud',
    '--json',
  ])
    assert.ok(snippet.has(flag), `snippet help lacks ${flag}`);
  for (const flag of [
    '--yes',
    '--dry-run',
    '--system-identity',
    '--list',
    '--subscription',
    '--resource-group',
    '--strict',
    '--check-user',
  ])
    assert.ok(!snippet.has(flag), `snippet help shows ${flag}, which snippet does not take`);
  const undo = flagsOf((await run(['help', 'undo'])).stdout);
  assert.ok(undo.has('--list') && undo.has('--connect-to') && undo.has('--plain'));
  assert.ok(!undo.has('--yes') && !undo.has('--server') && !undo.has('--client-type'));
  const doctor = flagsOf((await run(['doctor', '--help'])).stdout);
  assert.ok(
    doctor.has('--check-user') && doctor.has('--server') && !doctor.has('--yes') && !doctor.has('--out'),
  );
  // What help leaves out for a command is refused for it, naming where it belongs.
  const refused = await run(['snippet', 'postgres', '--client-type', 'nodejs', '--subscription', 'x']);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /--subscription is for sc-doctor doctor or setup or undo or audit or mcp, not snippet\./,
  );
});

test('an unknown command exits 2 with a suggestion and no stack trace', async () => {
  const result = await run(['docter']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.equal(
    result.stderr,
    'sc-doctor: unknown command docter. Did you mean doctor?\nRun sc-doctor --help to see every command and flag.\n',
  );
});

test('an unknown flag exits 2 naming it and the closest flag', async () => {
  const result = await run(['doctor', '--jsn']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^sc-doctor: unknown flag --jsn\. Did you mean --json\?\nRun sc-doctor --help/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('a bad --subscription or --cloud exits 2 before anything runs', async () => {
  const subscription = await run(['doctor', '--json', '--subscription', 'x']);
  assert.equal(subscription.code, 2);
  assert.equal(subscription.stdout, '');
  assert.match(
    subscription.stderr,
    /--subscription must be a subscription id .*got 'x'\.\nFind yours with: az account list -o table\n$/,
  );
  const cloud = await run(['doctor', '--cloud', 'Mars']);
  assert.equal(cloud.code, 2);
  assert.match(cloud.stderr, /AzureCloud, AzureChinaCloud, AzureUSGovernment/);
});

test('an extra argument after doctor is refused', async () => {
  const result = await run(['doctor', 'now']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unexpected argument 'now'/);
});

test('--json with --plain is refused, naming both, before anything runs', async () => {
  const result = await run(['doctor', '--json', '--plain']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /--json and --plain cannot be used together/);
});

test('an unknown --credential is refused, listing the sources there are', async () => {
  const result = await run(['doctor', '--json', '--credential', 'browser']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /--credential must be one of default, managed-identity; got 'browser'/);
});

test('help doctor --help is the doctor help, as doctor --help is', async () => {
  const viaHelp = await run(['help', 'doctor', '--help']);
  const direct = await run(['doctor', '--help']);
  assert.equal(viaHelp.code, 0);
  assert.equal(viaHelp.stdout, direct.stdout);
  assert.notEqual(
    direct.stdout,
    (await run(['--help'])).stdout,
    'the doctor help differs from the general help',
  );
});

test('--version with an unknown flag names the flag and exits 2 instead of printing the version', async () => {
  for (const argv of [
    ['--version', '--jsn'],
    ['-v', '--jsn'],
    ['doctor', '--jsn', '--version'],
  ]) {
    const result = await run(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^sc-doctor: unknown flag --jsn\. Did you mean --json\?/);
  }
  // Known flags around --version still get the version.
  assert.deepEqual(await run(['--version', '--json', '--cloud', 'AzureCloud']), {
    code: 0,
    stdout: `${packageVersion}\n`,
    stderr: '',
  });
});

test('--help with an unknown flag still shows the help, names the typo on stderr and exits 2', async () => {
  const result = await run(['doctor', '--help', '--jsn']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, (await run(['doctor', '--help'])).stdout);
  assert.equal(result.stderr, 'sc-doctor: unknown flag --jsn. Did you mean --json?\n');
  // A flag's value that looks odd is not a typo: help does not judge values.
  assert.equal((await run(['doctor', '--help', '--cloud', 'Nowhere'])).code, 0);
});

test('no help line is wider than 100 columns', async () => {
  for (const argv of [['--help'], ['doctor', '--help'], ['setup', '--help'], ['help', 'help']]) {
    const { stdout } = await run(argv);
    for (const line of stdout.split('\n')) {
      assert.ok(line.length <= 100, `${argv.join(' ')}: ${line.length} columns: ${line}`);
    }
  }
});

test('mcp: in the help with its flags; flags that make no sense for it exit 2 before anything is served', async () => {
  const help = await run(['help', 'mcp']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--allow-write/);
  assert.match(help.stdout, /--dangerously-apply-without-consent/);
  assert.doesNotMatch(help.stdout, /--yes/);
  for (const argv of [
    ['mcp', '--json'],
    ['mcp', 'extra'],
    ['mcp', '--dangerously-apply-without-consent'],
    ['mcp', '--yes'],
    ['doctor', '--allow-write'],
  ]) {
    const result = await run(argv);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout: it is the protocol stream');
  }
});
