/**
 * The stand-in `az` (bin/az): every subcommand and every scripted failure, run as a real child
 * process, and through @azure/identity's AzureCliCredential with PATH pointing at bin/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, beforeEach, test } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { AzureCliCredential } from '@azure/identity';
import { IDS, startTwin, type Twin } from './index.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
});
after(() => twin.close());
beforeEach(() => {
  twin.world.azFailure = null;
  twin.world.signedInAs = IDS.dana;
});

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function az(args: string[], timeout = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile('az', args, { env: twin.env(), timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number; signal?: string }) | null;
      resolve({
        code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

test('az version answers in the real shape, also when signed out', async () => {
  twin.world.signedInAs = null;
  twin.world.azFailure = 'not-signed-in';
  const run = await az(['version', '-o', 'json']);
  assert.equal(run.code, 0);
  assert.deepEqual(JSON.parse(run.stdout), {
    'azure-cli': '2.67.0',
    'azure-cli-core': '2.67.0',
    'azure-cli-telemetry': '1.1.0',
    extensions: {},
  });
});

test('az cloud show describes the AzureTwin custom cloud', async () => {
  const cloud = JSON.parse((await az(['cloud', 'show', '-o', 'json'])).stdout);
  assert.equal(cloud.name, 'AzureTwin');
  assert.equal(cloud.isActive, true);
  assert.equal(cloud.endpoints.resourceManager, `${twin.baseUrl}/`);
  assert.equal(cloud.endpoints.activeDirectoryResourceId, 'https://management.twin.test/');
  assert.equal(cloud.endpoints.microsoftGraphResourceId, `${twin.graphUrl}/`);
  assert.equal(cloud.endpoints.ossrdbmsResourceId, 'https://ossrdbms-aad.twin.test');
  assert.equal(cloud.endpoints.activeDirectory, 'https://login.twin.test');
  assert.equal(cloud.suffixes.postgresqlServerEndpoint, '.postgres.twin.test');
  assert.equal(cloud.suffixes.mysqlServerEndpoint, '.mysql.twin.test');
  assert.equal(cloud.suffixes.sqlServerHostname, '.database.twin.test');
  assert.deepEqual(cloud, twin.cloud);
});

test('az account show names the subscription, tenant and user', async () => {
  const account = JSON.parse((await az(['account', 'show', '-o', 'json'])).stdout);
  assert.equal(account.id, IDS.subscriptionId);
  assert.equal(account.name, 'Contoso Dev');
  assert.equal(account.tenantId, IDS.tenantId);
  assert.equal(account.environmentName, 'AzureTwin');
  assert.deepEqual(account.user, { name: 'dana@contoso.twin.test', type: 'user' });
  assert.equal(
    (await az(['account', 'show', '--query', 'id', '-o', 'tsv'])).stdout,
    `${IDS.subscriptionId}\n`,
  );
});

test('az account get-access-token: resource, scope and resource-type forms give the right audience', async () => {
  const aud = async (args: string[]) => {
    const run = await az(['account', 'get-access-token', ...args, '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(body), [
      'accessToken',
      'expiresOn',
      'expires_on',
      'subscription',
      'tenant',
      'tokenType',
    ]);
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.tenant, IDS.tenantId);
    assert.match(body.expiresOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(typeof body.expires_on, 'number');
    return JSON.parse(Buffer.from(body.accessToken.split('.')[1], 'base64url').toString()).aud;
  };
  assert.equal(await aud([]), 'https://management.twin.test/');
  assert.equal(await aud(['--resource-type', 'oss-rdbms']), 'https://ossrdbms-aad.twin.test');
  assert.equal(await aud(['--resource-type', 'ms-graph']), `${twin.graphUrl}/`);
  assert.equal(
    await aud(['--scope', 'https://ossrdbms-aad.twin.test/.default']),
    'https://ossrdbms-aad.twin.test',
  );
  assert.equal(await aud(['--resource', 'https://management.twin.test']), 'https://management.twin.test/');
  const withTenant = JSON.parse(
    (await az(['account', 'get-access-token', '--tenant', IDS.tenantId, '-o', 'json'])).stdout,
  );
  assert.equal(withTenant.subscription, undefined, 'az leaves subscription out when --tenant is given');
});

test('az ad signed-in-user show returns the Graph /me shape', async () => {
  const me = JSON.parse((await az(['ad', 'signed-in-user', 'show', '-o', 'json'])).stdout);
  assert.equal(me.id, IDS.dana);
  assert.equal(me.userPrincipalName, 'dana@contoso.twin.test');
  assert.match(me['@odata.context'], /\$metadata#users\/\$entity$/);
});

test('not signed in: empty stdout, exit 1, the az login message', async () => {
  twin.world.signedInAs = null;
  twin.world.azFailure = 'not-signed-in';
  for (const args of [
    ['account', 'show'],
    ['account', 'get-access-token', '-o', 'json'],
    ['ad', 'signed-in-user', 'show'],
  ]) {
    const run = await az(args);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, "ERROR: Please run 'az login' to setup account.\n");
  }
});

for (const [failure, code] of [
  ['aadsts530003', 'AADSTS530003: Your device is required to be managed to access this resource.'],
  ['aadsts50076', 'AADSTS50076: Due to a configuration change made by your administrator'],
  ['aadsts700082', 'AADSTS700082: The refresh token has expired due to inactivity.'],
] as const) {
  test(`${failure}: az's STS error with trace lines and the az login --scope hint`, async () => {
    twin.world.azFailure = failure;
    const run = await az(['account', 'get-access-token', '--resource-type', 'oss-rdbms', '-o', 'json']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.ok(lines[0]!.startsWith(`ERROR: ${code}`), lines[0]);
    assert.match(lines[1]!, /^Trace ID: [0-9a-f-]{36}$/);
    assert.match(lines[2]!, /^Correlation ID: [0-9a-f-]{36}$/);
    assert.match(lines[3]!, /^Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.deepEqual(lines.slice(4), [
      'Interactive authentication is needed. Please run:',
      'az login --scope https://ossrdbms-aad.twin.test/.default',
    ]);
    const arm = await az(['account', 'get-access-token']);
    assert.match(arm.stderr, /az login --scope https:\/\/management\.twin\.test\/\/\.default\n$/);
    assert.equal((await az(['account', 'show'])).code, 0, 'account show reads the profile: no token needed');
  });
}

test('hang: the stand-in never answers', async () => {
  twin.world.azFailure = 'hang';
  const started = Date.now();
  const run = await az(['account', 'get-access-token', '-o', 'json'], 800);
  assert.equal(run.signal, 'SIGTERM');
  assert.equal(run.stdout, '');
  assert.ok(Date.now() - started >= 790);
});

test("unknown subcommands get az's own error, exit 2", async () => {
  const run = await az(['webapp', 'frobnicate']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^ERROR: 'webapp frobnicate' is misspelled or not recognized by the system\./);
});

test('AzureCliCredential with PATH at bin/ gets a twin token that ARM accepts', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, twin.env());
  try {
    const credential = new AzureCliCredential();
    const token = await credential.getToken('https://management.twin.test/.default');
    assert.ok(token.token.split('.').length === 3);
    const client = new AuthorizationManagementClient(credential, IDS.subscriptionId, {
      endpoint: twin.baseUrl,
      credentialScopes: ['https://management.twin.test/.default'],
    });
    const entries = [];
    for await (const entry of client.permissions.listForResourceGroup('rg-orders')) entries.push(entry);
    assert.deepEqual(
      entries.map((e) => e.actions),
      [['*']],
    );

    twin.world.signedInAs = null;
    twin.world.azFailure = 'not-signed-in';
    await assert.rejects(
      new AzureCliCredential().getToken('https://ossrdbms-aad.twin.test/.default'),
      (error: Error) => {
        assert.equal(error.name, 'CredentialUnavailableError');
        assert.match(error.message, /az login/);
        return true;
      },
    );
    twin.world.signedInAs = IDS.dana;
    twin.world.azFailure = 'aadsts530003';
    await assert.rejects(
      new AzureCliCredential().getToken('https://ossrdbms-aad.twin.test/.default'),
      (error: Error) => /AADSTS530003/.test(error.message),
    );
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});
