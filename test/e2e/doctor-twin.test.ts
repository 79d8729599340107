/**
 * The built CLI against the local Azure twin, the way a developer runs it after `. .twin/env`: the
 * twin's stand-in az on PATH (custom cloud `AzureTwin`), ARM over verified TLS, nothing beyond
 * 127.0.0.1. Every token the twin could have issued for the run is searched for in the output.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { builtCli, type CliRun, runProgram } from '../helpers/build.ts';

const twins: Twin[] = [];

before(() => {
  builtCli();
});

after(async () => {
  await Promise.all(twins.map((twin) => twin.close()));
});

async function doctorAgainst(
  scenario: string,
  args: string[] = ['doctor', '--json'],
  extraEnv: (twin: Twin) => Record<string, string> = () => ({}),
): Promise<{ run: CliRun; twin: Twin }> {
  const twin = await startTwin({ scenario });
  twins.push(twin);
  const env = twin.env();
  const childEnv: Record<string, string> = extraEnv(twin);
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (env[key]) childEnv[key] = env[key] as string;
  }
  const run = await runProgram(process.execPath, [builtCli().cli, ...args], childEnv);
  return { run, twin };
}

/** Tokens the twin issues for the signed-in user, and their signatures on their own. */
function secretsOf(twin: Twin): string[] {
  const tokens = ['arm', 'graph', 'ossrdbms', 'sql'].map((audience) => twin.tokens.issue(IDS.dana, audience));
  return [...tokens, ...tokens.map((token) => token.split('.')[2] ?? '')].filter((s) => s.length > 20);
}

function assertNoSecrets(twin: Twin, run: CliRun): void {
  for (const secret of secretsOf(twin)) {
    assert.ok(!run.stdout.includes(secret), 'a twin token appeared on stdout');
    assert.ok(!run.stderr.includes(secret), 'a twin token appeared on stderr');
  }
}

test('healthy twin: azure-cli, signin and subscription pass with the user, tenant and subscription', async () => {
  const { run, twin } = await doctorAgainst('healthy');
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  const byId = Object.fromEntries(doc.doctor.checks.map((c: { id: string }) => [c.id, c]));
  assert.equal(byId['azure-cli'].status, 'pass');
  assert.equal(byId.signin.status, 'pass');
  assert.match(byId.signin.message, /dana@contoso\.twin\.test \(user\)/);
  assert.match(byId.signin.message, new RegExp(IDS.tenantId));
  assert.equal(byId.subscription.status, 'pass');
  assert.match(byId.subscription.message, /Contoso Dev/);
  // No target given: the server check and the two that need it are skipped, naming the flags.
  for (const id of ['server', 'network-path', 'firewall']) assert.equal(byId[id].status, 'skip', id);
  assert.match(byId.server.details.join('\n'), /--server <name>.*\n.*--server-id/s);
  assert.deepEqual(doc.doctor.summary, { pass: 3, warn: 0, fail: 0, skip: 8, error: 0, timeout: 0 });
  assertNoSecrets(twin, run);
});

test('healthy twin with --server: the server, the path through SC_DOCTOR_CONNECT_TO and the firewall pass', async () => {
  // A local listener stands for the database: the server's Azure name is mapped to it, so the
  // name is never looked up and nothing leaves loopback; the public IP is stated, not looked up.
  const listener = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    const { run, twin } = await doctorAgainst(
      'healthy',
      ['doctor', '--json', '--server', 'pg-orders', '--database', 'orders'],
      () => ({
        SC_DOCTOR_CONNECT_TO: `pg-orders.postgres.twin.test:5432=127.0.0.1:${port}`,
        SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
      }),
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const doc = JSON.parse(run.stdout);
    const byId = Object.fromEntries(doc.doctor.checks.map((c: { id: string }) => [c.id, c]));
    assert.equal(byId.server.status, 'pass');
    assert.match(byId.server.message, /^pg-orders · PostgreSQL 17 · Ready · orders$/);
    assert.equal(byId['network-path'].status, 'pass', JSON.stringify(byId['network-path']));
    assert.match(
      byId['network-path'].message,
      new RegExp(`through 127\\.0\\.0\\.1:${port} \\(SC_DOCTOR_CONNECT_TO\\)`),
    );
    assert.ok(
      byId['network-path'].details.some((d: string) =>
        /pg-orders\.postgres\.twin\.test is not looked up/.test(d),
      ),
    );
    assert.equal(byId.firewall.status, 'pass');
    assert.match(byId.firewall.message, /127\.0\.0\.1 allowed by rule dana-laptop/);
    assert.ok(byId.firewall.details.includes('public IP 127.0.0.1 (from SC_DOCTOR_PUBLIC_IP)'));
    assertNoSecrets(twin, run);
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});

test('stopped server from the twin: plain output says how to start it and the run fails', async () => {
  const { run, twin } = await doctorAgainst(
    'stopped-server',
    ['doctor', '--plain', '--server', 'pg-orders'],
    () => ({
      SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
    }),
  );
  assert.equal(run.code, 1);
  assert.match(run.stdout, /az postgres flexible-server start --resource-group rg-orders --name pg-orders/);
  assertNoSecrets(twin, run);
});

test('a malformed --server-id or --connect-to exits 2 naming the flag, without a stack trace', async () => {
  const bad = await runProgram(
    process.execPath,
    [builtCli().cli, 'doctor', '--server-id', '/subscriptions/x/srv'],
    {},
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--server-id.*is not the resource id of a database server/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const map = await runProgram(process.execPath, [builtCli().cli, 'doctor', '--connect-to', 'pg:5432'], {});
  assert.equal(map.code, 2);
  assert.match(map.stderr, /--connect-to: bad entry 'pg:5432'/);
});

test('signed-out twin: signin fails with az login and the subscription check is skipped', async () => {
  const { run, twin } = await doctorAgainst('not-signed-in');
  assert.equal(run.code, 1);
  const doc = JSON.parse(run.stdout);
  const byId = Object.fromEntries(doc.doctor.checks.map((c: { id: string }) => [c.id, c]));
  assert.equal(byId['azure-cli'].status, 'pass');
  assert.equal(byId.signin.status, 'fail');
  assert.ok(byId.signin.remediation.commands.some((c: string) => c.startsWith('az login')));
  assert.equal(byId.subscription.status, 'skip');
  assertNoSecrets(twin, run);
});

test('530003 from the twin: plain output names the code, the managed-device cause and the remedies', async () => {
  const { run, twin } = await doctorAgainst('aadsts530003', ['doctor', '--plain']);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /AADSTS530003/);
  assert.match(run.stdout, /managed/i);
  assert.match(run.stdout, /--use-device-code/);
  assert.doesNotMatch(run.stdout, /\u001b/);
  assertNoSecrets(twin, run);
});

test('a subscription the user cannot see fails with how to list the visible ones', async () => {
  const { run, twin } = await doctorAgainst('healthy', [
    'doctor',
    '--json',
    '--subscription',
    '99999999-9999-4999-8999-999999999999',
  ]);
  assert.equal(run.code, 1);
  const doc = JSON.parse(run.stdout);
  const subscription = doc.doctor.checks.find((c: { id: string }) => c.id === 'subscription');
  assert.equal(subscription.status, 'fail');
  assert.ok(subscription.remediation.commands.some((c: string) => c.includes('az account list')));
  assertNoSecrets(twin, run);
});

test('on an App Service box (IDENTITY_ENDPOINT set) and with az signed out, signin uses the managed identity and says so', async () => {
  const app = `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`;
  const { run, twin } = await doctorAgainst('not-signed-in', ['doctor', '--json'], (t) => t.msiFor(app));
  const doc = JSON.parse(run.stdout);
  const signin = doc.doctor.checks.find((c: { id: string }) => c.id === 'signin');
  assert.equal(signin.status, 'pass', JSON.stringify(signin));
  assert.match(signin.message, /\(managed identity\)/);
  assertNoSecrets(twin, run);
});

test('--credential managed-identity signs in through the managed identity even where az is signed in', async () => {
  const app = `/subscriptions/${IDS.subscriptionId}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`;
  const { run, twin } = await doctorAgainst(
    'healthy',
    ['doctor', '--json', '--credential', 'managed-identity'],
    (t) => t.msiFor(app),
  );
  const doc = JSON.parse(run.stdout);
  const signin = doc.doctor.checks.find((c: { id: string }) => c.id === 'signin');
  assert.equal(signin.status, 'pass', JSON.stringify(signin));
  assert.match(signin.message, /\(managed identity\)/);
  assert.doesNotMatch(signin.message, /dana@/);
  assertNoSecrets(twin, run);
});
