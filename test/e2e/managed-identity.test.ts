/**
 * `--credential managed-identity` as a new user meets it, against the built CLI: off Azure (an
 * IDENTITY_ENDPOINT nothing listens on), on an app whose endpoint refuses, and on Azure with no
 * subscription named. Never the metadata address: every run here has IDENTITY_ENDPOINT on loopback.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { builtCli, emptyPathDir, runProgram } from '../helpers/build.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;
const APP = `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`;
const twins: Twin[] = [];

before(() => {
  builtCli();
});

after(async () => {
  await Promise.all(twins.map((twin) => twin.close()));
});

/** A loopback port that was just free and is now closed: nothing answers there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Check {
  id: string;
  status: string;
  message: string;
  details: string[];
  remediation: { summary: string; commands: string[] } | null;
}

function checkOf(stdout: string, id: string): Check {
  return JSON.parse(stdout).doctor.checks.find((check: Check) => check.id === id);
}

function assertNoSdkDump(text: string): void {
  assert.doesNotMatch(text, /A client error occ?urr?ed|[Hh]eaders?\s*:|x-ms-|content-type|"?statusCode"?:/);
  assert.doesNotMatch(text, STACK_LINE);
}

test('off Azure: IDENTITY_ENDPOINT where nothing listens gives a clean diagnosis and the way to run it inside the app', async () => {
  const port = await closedPort();
  const run = await runProgram(
    process.execPath,
    [builtCli().cli, 'doctor', '--json', '--credential', 'managed-identity'],
    {
      PATH: emptyPathDir(),
      IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`,
      IDENTITY_HEADER: 'not-a-secret',
    },
  );
  assert.equal(run.code, 1, run.stderr);
  const signin = checkOf(run.stdout, 'signin');
  assert.equal(signin.status, 'fail');
  assert.equal(
    signin.message,
    `no managed-identity endpoint reachable at 127.0.0.1:${port} (IDENTITY_ENDPOINT)`,
  );
  assert.match(signin.remediation!.summary, /only from inside its Azure resource/);
  assert.match(signin.remediation!.summary, /drop --credential managed-identity/);
  assert.ok(signin.remediation!.commands.some((c) => c.startsWith('az webapp ssh')));
  assert.ok(
    !signin.remediation!.commands.some((c) => c.includes('get-access-token')),
    'az account get-access-token does not apply to a managed identity',
  );
  assertNoSdkDump(run.stdout);
  assertNoSdkDump(run.stderr);
});

test('on an app whose endpoint refuses, the refusal is its own words, not the SDK dump', async () => {
  const twin = await startTwin({ scenario: 'healthy', databases: false });
  twins.push(twin);
  const run = await runProgram(
    process.execPath,
    [builtCli().cli, 'doctor', '--plain', '--credential', 'managed-identity'],
    {
      PATH: emptyPathDir(),
      NO_COLOR: '1',
      IDENTITY_ENDPOINT: twin.msiFor(APP).IDENTITY_ENDPOINT,
      IDENTITY_HEADER: 'a-header-the-endpoint-does-not-know',
    },
  );
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^FAIL {4}Signed in +the managed-identity endpoint refused the token request$/m);
  assert.match(run.stdout, /^ {8}Unauthorized\. The X-IDENTITY-HEADER value is not valid\.$/m);
  assert.match(run.stdout, /az webapp identity assign/);
  assert.doesNotMatch(run.stdout, /get-access-token|Not Available/);
  assertNoSdkDump(run.stdout);
});

test('on Azure with no subscription named, the fix is --subscription or AZURE_SUBSCRIPTION_ID, not az account set', async () => {
  const twin = await startTwin({ scenario: 'healthy', databases: false });
  twins.push(twin);
  const env = twin.env();
  const run = await runProgram(
    process.execPath,
    [builtCli().cli, 'doctor', '--json', '--credential', 'managed-identity'],
    {
      PATH: emptyPathDir(),
      NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS!,
      AZ_TWIN_CA: env.AZ_TWIN_CA!,
      ...twin.msiFor(APP),
    },
  );
  assert.equal(checkOf(run.stdout, 'signin').status, 'pass', run.stdout);
  // No az inside the app, and none needed: not a failure.
  assert.equal(checkOf(run.stdout, 'azure-cli').status, 'skip');
  const subscription = checkOf(run.stdout, 'subscription');
  assert.equal(subscription.status, 'fail');
  assert.deepEqual(subscription.remediation!.commands, [
    'sc-doctor doctor --subscription <subscription-id>',
    'export AZURE_SUBSCRIPTION_ID=<subscription-id>',
  ]);
  assert.match(subscription.remediation!.summary, /--subscription or AZURE_SUBSCRIPTION_ID/);
});
