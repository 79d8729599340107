/**
 * `--cloud` with a custom cloud, against the built CLI and the twin's stand-in az: a cloud az has
 * registered (the twin's `AzureTwin`) is used by name; a name az does not know is a usage error that
 * lists the clouds az knows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { builtCli, type CliRun, runProgram } from '../helpers/build.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;
let twin: Twin;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'healthy', databases: false });
});

after(() => twin.close());

function doctor(args: string[]): Promise<CliRun> {
  const env = twin.env();
  const childEnv: Record<string, string> = {};
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (env[key]) childEnv[key] = env[key] as string;
  }
  return runProgram(process.execPath, [builtCli().cli, ...args], childEnv);
}

test('--cloud names a cloud registered with az: the doctor signs in to it', async () => {
  const run = await doctor(['doctor', '--json', '--cloud', 'AzureTwin']);
  assert.equal(run.code, 0, run.stderr);
  const signin = JSON.parse(run.stdout).doctor.checks.find((c: { id: string }) => c.id === 'signin');
  assert.equal(signin.status, 'pass');
  assert.ok(
    signin.details.some((line: string) => line.endsWith('cloud AzureTwin')),
    signin.details.join('\n'),
  );
});

test('--cloud with a name az has not registered exits 2 naming the clouds az knows', async () => {
  const run = await doctor(['doctor', '--json', '--cloud', 'AzureGermanCloud']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(
    run.stderr,
    /^sc-doctor: --cloud AzureGermanCloud is not a cloud registered with az; az knows AzureTwin\.$/m,
  );
  assert.match(run.stderr, /az cloud register --name AzureGermanCloud/);
  assert.doesNotMatch(run.stderr, STACK_LINE);
});
