// The built CLI as a user runs it: `node dist/cli.js ...` with a closed stdin and piped output.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  azStandInPathDir,
  buildInto,
  builtCli,
  repoRoot,
  runCli,
  runProgram,
  tempDir,
} from '../helpers/build.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;
const { version } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8'));

before(() => {
  builtCli();
});

test('--version prints the package version and nothing else', async () => {
  assert.deepEqual(await runCli(['--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
  assert.deepEqual(await runCli(['-v']), { code: 0, stdout: `${version}\n`, stderr: '' });
});

test('--help prints the usage, exit codes and environment, without colour', async () => {
  const result = await runCli(['--help']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  for (const text of [
    'Usage',
    'Commands',
    'doctor',
    '--json',
    'Exit codes',
    'NO_COLOR',
    'AZURE_SUBSCRIPTION_ID',
    'Examples',
  ]) {
    assert.ok(result.stdout.includes(text), `help lacks ${text}`);
  }
  assert.ok(!result.stdout.includes('\u001b'));
});

test('an unknown command exits 2 with a suggestion and no stack trace', async () => {
  const result = await runCli(['docter']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /unknown command docter\. Did you mean doctor\?/);
  assert.match(result.stderr, /Run sc-doctor --help/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test('an unknown flag exits 2 with a suggestion and no stack trace', async () => {
  const result = await runCli(['doctor', '--jsn']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown flag --jsn\. Did you mean --json\?/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test('a --subscription that is no GUID exits 2 and says how to find one', async () => {
  const result = await runCli(['doctor', '--json', '--subscription', 'x']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /--subscription must be a subscription id .*got 'x'/);
  assert.match(result.stderr, /az account list -o table/);
});

test('doctor --json without az: one JSON document, azure-cli and signin fail with remediation, exit 1', async () => {
  const result = await runCli(['doctor', '--json']);
  assert.equal(result.code, 1, result.stderr);
  const document = JSON.parse(result.stdout);
  assert.equal(result.stdout.trimEnd().endsWith('}'), true);
  assert.equal(result.stdout.indexOf('{'), 0, 'stdout starts with the document');
  assert.equal(document.schemaVersion, 1);
  assert.deepEqual(document.tool, { name: 'sc-doctor', version });
  assert.equal(document.mode, 'json');
  assert.equal(document.command, 'doctor');
  assert.equal(document.exitCode, 1);
  assert.equal(document.setup, null);
  assert.deepEqual(document.snippets, []);
  const byId = new Map(document.doctor.checks.map((check: { id: string }) => [check.id, check]));
  for (const id of ['azure-cli', 'signin']) {
    const check = byId.get(id) as {
      status: string;
      remediation: { summary: string; commands: string[] } | null;
    };
    assert.equal(check?.status, 'fail', id);
    assert.ok(check.remediation && check.remediation.summary.length > 0, `${id} has a remediation`);
    assert.ok(check.remediation.commands.includes('az login'), `${id} says to sign in`);
  }
  assert.equal(document.doctor.summary.fail >= 2, true);
  for (const check of document.doctor.checks) {
    assert.deepEqual(Object.keys(check), [
      'id',
      'title',
      'status',
      'durationMs',
      'message',
      'details',
      'remediation',
      'blocking',
    ]);
  }
});

test('plain mode under CI=true NO_COLOR=1 has no escape sequence; FORCE_COLOR=1 brings colour back', async () => {
  const plain = await runCli(['doctor'], { CI: 'true', NO_COLOR: '1' });
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /^FAIL {4}Azure CLI/m);
  assert.match(plain.stdout, /^ {8}fix: /m);
  assert.match(plain.stdout, /^Exit code 1: at least one check did not pass\.$/m);
  assert.match(plain.stderr, /checking Azure CLI/);
  assert.ok(!plain.stdout.includes('\u001b'), 'no escape in stdout');
  assert.ok(!plain.stderr.includes('\u001b'), 'no escape in stderr');

  const coloured = await runCli(['doctor', '--plain'], { FORCE_COLOR: '1' });
  assert.ok(coloured.stdout.includes('\u001b[31m'), 'FORCE_COLOR=1 colours the status');
});

test('Ctrl-C (SIGINT) while az hangs cancels the run: exit 130, the az processes are stopped', {
  timeout: 30_000,
}, async () => {
  const home = tempDir('sc-doctor-home-');
  const child = spawn(process.execPath, [builtCli().cli, 'doctor', '--plain'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      HOME: home,
      AZURE_CONFIG_DIR: join(home, '.azure'),
      PATH: azStandInPathDir(),
      AZ_STANDIN_SCENARIO: 'hang',
      NO_COLOR: '1',
    },
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  let runningBeforeCtrlC = 0;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    // Once a check is running (az has been started), press Ctrl-C.
    if (!interrupted && stderr.includes('checking Signed in')) {
      interrupted = true;
      setTimeout(() => {
        runningBeforeCtrlC = processesWithHome(home).length;
        child.kill('SIGINT');
      }, 300);
    }
  });
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(interrupted, true, stderr);
  assert.equal(code, 130, `${stdout}${stderr}`);
  assert.ok(Date.now() - started < 15_000, 'it did not wait for the check timeouts');
  assert.match(stdout, /^Cancelled: exit code 130\.$/m);
  assert.doesNotMatch(stderr, STACK_LINE);
  assert.ok(runningBeforeCtrlC >= 2, `the CLI and at least one az were running (saw ${runningBeforeCtrlC})`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const leftovers = processesWithHome(home);
  for (const pid of leftovers) process.kill(pid, 'SIGKILL');
  assert.deepEqual(leftovers, [], 'no az stand-in outlives the CLI');
});

/** Pids of live processes whose environment has HOME=home (Linux /proc; each test run has its own HOME). */
function processesWithHome(home: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`HOME=${home}`))
        found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** A Node older than 22 on this machine (the README's machine has Debian's Node 20), if any. */
function oldSystemNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const result = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (result.status === 0 && Number(result.stdout.split('.')[0]) < 22) return candidate;
  }
  return undefined;
}

test('on Node 20 the built CLI names a command that works: npm start from a clone, npx otherwise', {
  skip: oldSystemNode() ? false : 'no Node older than 22 on this machine',
}, async () => {
  const node = oldSystemNode()!;
  // A clone's layout: dist/ beside scripts/start.sh.
  const clone = tempDir('sc-doctor-clone-');
  buildInto(join(clone, 'dist'));
  mkdirSync(join(clone, 'scripts'));
  writeFileSync(join(clone, 'scripts', 'start.sh'), '');
  const fromClone = await runProgram(node, [join(clone, 'dist', 'cli.js'), 'doctor', '--plain'], {});
  assert.equal(fromClone.code, 2);
  assert.match(fromClone.stderr, /needs Node\.js 22 or newer; this is v\d+/);
  assert.match(fromClone.stderr, /From this clone, run it as: npm start -- doctor --plain/);

  const installed = await runProgram(node, [builtCli().cli, '--version'], {});
  assert.equal(installed.code, 2);
  assert.match(installed.stderr, /npx -y node@24/);
  assert.doesNotMatch(installed.stderr, /npm start/);
});
