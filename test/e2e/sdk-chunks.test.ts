/**
/**
 * The built CLI loads each Azure SDK client only when what it serves is used: `--version` and a
 * doctor without az load none; a signed-in doctor reads its subscription through
 * @azure/arm-resources-subscriptions and, without a target, loads nothing else; a doctor of a
 * PostgreSQL server adds @azure/arm-postgresql-flexible and no other kind's, and of an Azure SQL
 * server @azure/arm-sql (its chunk, CommonJS, reached through `commonJs`), each answering the doctor
 * from the bundle. @azure/arm-appservice loads only when a web app is in the run,
 * @azure/arm-appcontainers only when a container app is, and @azure/arm-msi only when setup reads a
 * user-assigned identity (MySQL's server identity). The preload records every module the process
 * loads; the esbuild metafile says which chunk holds which package.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BundleOutput, describeBundle, loadedOutputs, readTrace } from '../../scripts/lib/chunks.mjs';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, repoRoot, runCli, runProgram, tempDir } from '../helpers/build.ts';

const hook = join(repoRoot, 'scripts/lib/trace-modules.mjs');
const SDKS = [
  '@azure/arm-postgresql-flexible',
  '@azure/arm-mysql-flexible',
  '@azure/arm-sql',
  '@azure/arm-appservice',
  '@azure/arm-appcontainers',
  '@azure/arm-msi',
  '@azure/arm-resources-subscriptions',
  '@azure/core-client',
];
let bundle: BundleOutput[];
let twin: Twin;

before(async () => {
  const { outdir } = builtCli();
  bundle = describeBundle(outdir, repoRoot);
  twin = await startTwin({ scenario: 'healthy' });
});
after(async () => {
  await twin?.close();
});

/** The SDK packages among the chunks a traced run loaded. */
function sdksIn(file: string): string[] {
  const owners = loadedOutputs(bundle, readTrace(file)).flatMap((output) => output.owners);
  return SDKS.filter((sdk) => owners.includes(sdk));
}

test('the metafile puts each database kind SDK in a chunk of its own', () => {
  for (const sdk of SDKS.slice(0, 3)) {
    const holders = bundle.filter((output) => output.owners.includes(sdk));
    assert.equal(holders.length, 1, `${sdk}: ${holders.map((o) => o.file).join(', ')}`);
    assert.deepEqual(
      holders[0]!.owners.filter((owner) => SDKS.slice(0, -1).includes(owner)),
      [sdk],
      `${sdk} shares its chunk with another kind's SDK`,
    );
  }
});

for (const sdk of [
  '@azure/arm-appservice',
  '@azure/arm-appcontainers',
  '@azure/arm-msi',
  '@azure/arm-resources-subscriptions',
])
  test(`${sdk} is in chunks of its own, apart from every other SDK client`, () => {
    const holders = bundle.filter((output) => output.owners.includes(sdk));
    assert.ok(holders.length > 0, `no chunk holds ${sdk}`);
    const clients = SDKS.filter((other) => other !== sdk && other !== '@azure/core-client');
    for (const holder of holders)
      assert.deepEqual(
        holder.owners.filter((owner) => clients.includes(owner)),
        [],
        `${holder.file} holds another SDK client beside ${sdk}`,
      );
  });

for (const args of [['--version'], ['doctor', '--json']]) {
  test(`${args.join(' ')} (no az) loads no Azure SDK client`, async () => {
    const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
    const result = await runCli(args, { SC_DOCTOR_TRACE_FILE: file }, ['--import', hook]);
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    assert.deepEqual(sdksIn(file), []);
  });
}

/** The built CLI run with `args` against the twin, signed in through its az, traced. */
async function tracedRun(args: string[]): Promise<{ code: number | null; stdout: string; sdks: string[] }> {
  const file = join(tempDir('sc-doctor-trace-'), 'trace.txt');
  const env = twin.env();
  const childEnv: Record<string, string> = { SC_DOCTOR_TRACE_FILE: file, SC_DOCTOR_PUBLIC_IP: '127.0.0.1' };
  for (const key of [
    'PATH',
    'AZ_TWIN_URL',
    'AZ_TWIN_KEY',
    'AZ_TWIN_CA',
    'NODE_EXTRA_CA_CERTS',
    'SC_DOCTOR_DNS_SERVER',
  ])
    if (env[key]) childEnv[key] = env[key] as string;
  const run = await runProgram(process.execPath, ['--import', hook, builtCli().cli, ...args], childEnv);
  return { code: run.code, stdout: run.stdout, sdks: sdksIn(file) };
}

async function doctorOf(
  ...target: string[]
): Promise<{ checks: Record<string, { status: string }>; sdks: string[] }> {
  const run = await tracedRun(['doctor', '--json', ...target]);
  const doc = JSON.parse(run.stdout);
  const checks = Object.fromEntries(doc.doctor.checks.map((c: { id: string }) => [c.id, c]));
  return { checks, sdks: run.sdks };
}

test('a signed-in doctor without a target reads its subscription through @azure/arm-resources-subscriptions, and loads no other SDK', async () => {
  const { checks, sdks } = await doctorOf();
  assert.equal(checks.subscription?.status, 'pass', JSON.stringify(checks.subscription));
  assert.deepEqual(sdks, ['@azure/arm-resources-subscriptions']);
});

test('a doctor of a PostgreSQL server reads it through its SDK, and loads no other kind SDK', async () => {
  const { checks, sdks } = await doctorOf('--server-id', RESOURCE_IDS.postgres);
  assert.equal(checks.server?.status, 'pass', JSON.stringify(checks.server));
  assert.deepEqual(sdks, [
    '@azure/arm-postgresql-flexible',
    '@azure/arm-resources-subscriptions',
    '@azure/core-client',
  ]);
});

test('a doctor of an Azure SQL server reads it through @azure/arm-sql (CommonJS) from the bundle', async () => {
  const { checks, sdks } = await doctorOf('--server-id', RESOURCE_IDS.sql);
  assert.equal(checks.server?.status, 'pass', JSON.stringify(checks.server));
  assert.deepEqual(sdks, ['@azure/arm-sql', '@azure/arm-resources-subscriptions', '@azure/core-client']);
});

test('a doctor that finds its server by name asks every kind over REST, then loads only the found kind SDK', async () => {
  const { checks, sdks } = await doctorOf('--server', 'pg-orders', '--database', 'orders');
  assert.equal(checks.server?.status, 'pass', JSON.stringify(checks.server));
  assert.deepEqual(sdks, [
    '@azure/arm-postgresql-flexible',
    '@azure/arm-resources-subscriptions',
    '@azure/core-client',
  ]);
});

test('a doctor of a web app reads it and its settings through @azure/arm-appservice from the bundle', async () => {
  const { checks, sdks } = await doctorOf(
    '--source-id',
    RESOURCE_IDS.webApp,
    '--server-id',
    RESOURCE_IDS.postgres,
  );
  assert.equal(checks['app-identity']?.status, 'pass', JSON.stringify(checks['app-identity']));
  assert.ok(checks['app-settings'], Object.keys(checks).join(', '));
  assert.notEqual(checks['app-settings']?.status, 'skip', JSON.stringify(checks['app-settings']));
  assert.deepEqual(sdks, [
    '@azure/arm-postgresql-flexible',
    '@azure/arm-appservice',
    '@azure/arm-resources-subscriptions',
    '@azure/core-client',
  ]);
});

test("setup reads a user-assigned identity (MySQL's server identity) through @azure/arm-msi, which no doctor above loads", async () => {
  const run = await tracedRun([
    'setup',
    'mysql',
    '--server-id',
    RESOURCE_IDS.mysql,
    '--database',
    'orders',
    '--source-id',
    RESOURCE_IDS.webApp,
    '--system-identity',
    `mysql-identity-id=${RESOURCE_IDS.identity}`,
    '--client-type',
    'nodejs',
    '--dry-run',
    '--plain',
  ]);
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /reads Microsoft Graph as id-orders/);
  assert.ok(run.sdks.includes('@azure/arm-msi'), run.sdks.join(', '));
});

test('a doctor of a container app reads it, its environment and its env through @azure/arm-appcontainers from the bundle, and loads no App Service SDK', async () => {
  const { checks, sdks } = await doctorOf(
    '--source-id',
    RESOURCE_IDS.containerApp,
    '--server-id',
    RESOURCE_IDS.postgres,
  );
  assert.equal(checks['app-identity']?.status, 'pass', JSON.stringify(checks['app-identity']));
  assert.ok(checks['app-settings'], Object.keys(checks).join(', '));
  assert.notEqual(checks['app-settings']?.status, 'skip', JSON.stringify(checks['app-settings']));
  assert.deepEqual(sdks, [
    '@azure/arm-postgresql-flexible',
    '@azure/arm-appcontainers',
    '@azure/arm-resources-subscriptions',
    '@azure/core-client',
  ]);
});

test('an audit reads web apps and container apps through their SDK clients from the bundle, as the doctor does', async () => {
  const run = await tracedRun(['audit', '--json', '--subscription', IDS.subscriptionId]);
  assert.ok(run.code === 0 || run.code === 1, run.stdout);
  const report = JSON.parse(run.stdout) as { audit?: { apps?: unknown } };
  assert.ok(report.audit, run.stdout.slice(0, 400));
  for (const sdk of ['@azure/arm-appservice', '@azure/arm-appcontainers'])
    assert.ok(run.sdks.includes(sdk), `${sdk} not loaded: ${run.sdks.join(', ')}`);
});
