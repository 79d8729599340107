/**
 * Names that go into ARM paths: each is checked against Azure's rule for its kind before any Azure
 * call (a bad one is exit 2 naming the flag and the rule), and every path segment is percent-encoded
 * when an id becomes a URL, so no name can walk to another resource.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { armGet } from '../../source/azure/arm.ts';
import { armIds, armRequestPath, BadArmPath, nameProblem } from '../../source/azure/resource-id.ts';
import type { AzureSession } from '../../source/azure/session.ts';
import type { CliIo } from '../../source/cli/io.ts';
import { main } from '../../source/cli/main.ts';
import type { SetupDeps } from '../../source/cli/run-setup.ts';
import { descriptorOf } from '../../source/databases/descriptors.ts';
import { parseTarget } from '../../source/doctor/target.ts';
import { CaptureStream } from '../helpers/capture.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';

/** Runs the CLI with services that fail the test if anything asks Azure. */
async function run(argv: string[]) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, env: {}, stdinIsTTY: false, stdoutIsTTY: false };
  let azureAsked = false;
  const deps = {
    createServices: () => {
      azureAsked = true;
      throw new Error('services were created: something was about to ask Azure');
    },
    loadChecks: async () => [],
  } as unknown as SetupDeps;
  const code = await main(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, azureAsked };
}

test("-g 'x/../rg-orders' is exit 2 naming the flag and Azure's rule, before any Azure call", async () => {
  const target = [
    '-g',
    'x/../rg-orders',
    '--app',
    'orders-api',
    '--target',
    'webapp',
    '--server',
    'pg-orders',
  ];
  for (const argv of [
    ['doctor', ...target],
    ['setup', 'postgres', ...target, '--database', 'orders', '--system-identity', '--client-type', 'nodejs'],
  ]) {
    const result = await run(argv);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.azureAsked, false);
    assert.match(result.stderr, /--resource-group: 'x\/\.\.\/rg-orders' is not a valid resource group name/);
    assert.match(
      result.stderr,
      /Azure allows 1-90 letters, digits, underscores, hyphens, periods and parentheses/,
    );
  }
});

test('every name flag is held to the rule of its kind, and the message names the flag', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ resourceGroup: 'rg.', app: 'a1', target: 'webapp' }, '--resource-group', /not ending in a period/],
    [{ targetResourceGroup: 'rg;id', server: 'pg-orders' }, '--target-resource-group', /resource group name/],
    [{ resourceGroup: 'rg', app: 'orders_api', target: 'containerapp' }, '--app', /container app name/],
    [{ resourceGroup: 'rg', app: '-orders', target: 'webapp' }, '--app', /web app name/],
    [
      { resourceGroup: 'rg', app: 'spring-orders/x', target: 'spring' },
      '--app',
      /Spring app name: Azure allows 4-32/,
    ],
    [
      { resourceGroup: 'rg', app: 's$(id)/orders-app', target: 'spring' },
      '--app',
      /Spring Apps service name/,
    ],
    [{ server: 'pg_orders' }, '--server', /server name: Azure allows 1-63/],
    [{ server: 'pg-orders', database: 'or:ders' }, '--database', /database name: Azure allows 1-128/],
    [
      { serverId: `/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Sql/servers/sq-orders` },
      '--server-id',
      /resource group name/,
    ],
    [
      { serverId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Sql/servers/sq%2forders` },
      '--server-id',
      /Azure SQL server name/,
    ],
    [
      { sourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/..` },
      '--source-id',
      /web app name/,
    ],
    [
      {
        sourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.AppPlatform/Spring/s/apps/orders`,
      },
      '--source-id',
      /Spring Apps service name/,
    ],
  ];
  for (const [flags, flag, rule] of cases) {
    const parsed = parseTarget(flags);
    assert.equal(parsed.ok, false, JSON.stringify(flags));
    if (parsed.ok) continue;
    assert.equal(parsed.problem.flag, flag, JSON.stringify(flags));
    assert.match(parsed.problem.message, rule);
  }
});

test("setup knows its database's kind: the server and database rules are that kind's", () => {
  // Azure SQL database names may hold spaces and quotes; PostgreSQL's may not.
  const flags = { server: 'pg-orders', database: "o'rders db" };
  assert.equal(parseTarget(flags, 'sql').ok, true);
  const pg = parseTarget(flags, 'postgres');
  assert.equal(pg.ok, false);
  if (!pg.ok) assert.match(pg.problem.message, /PostgreSQL database name: Azure allows 1-63 letters/);
  const short = parseTarget({ server: 'pg' }, 'postgres');
  assert.equal(short.ok, false);
  if (!short.ok) assert.match(short.problem.message, /PostgreSQL flexible server name: Azure allows 3-63/);
});

test('names Azure allows pass: unicode letters and parentheses in a group, unicode web app names', () => {
  assert.equal(nameProblem('resource-group', 'rg-(prod)_ünï.1'), undefined);
  assert.equal(nameProblem('webapp', 'bücher-api'), undefined);
  assert.equal(nameProblem(descriptorOf('sql').names.database, "O'Brien's db [2024]"), undefined);
  assert.equal(nameProblem('spring-app', 'orders-spring'), undefined);
  assert.equal(nameProblem('containerapp', 'orders-api'), undefined);
  assert.equal(nameProblem('resource-group', 'x'.repeat(90)), undefined);
  assert.notEqual(nameProblem('resource-group', 'x'.repeat(91)), undefined);
  assert.notEqual(nameProblem(descriptorOf('sql').names.database, 'line\nbreak'), undefined);
});

test('the id builders refuse a name that breaks its rule instead of building another id', () => {
  assert.throws(() => armIds.resourceGroup(SUB, 'x/../rg-orders'), /not a valid resource group name/);
  assert.throws(() => armIds.app('webapp', SUB, 'rg', 'a/b'), /not a valid web app name/);
  assert.throws(() => armIds.resourceGroup('not-a-guid', 'rg'), /not a subscription id/);
  assert.equal(
    armIds.app('spring', SUB, 'rg', 'orders-spring', 'spring-orders'),
    `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.AppPlatform/Spring/spring-orders/apps/orders-spring`,
  );
});

test('a request path encodes each segment once and refuses dot segments', () => {
  assert.equal(
    armRequestPath(
      `/subscriptions/${SUB}/resourceGroups/rg (ü)/providers/Microsoft.Sql/servers/s/databases/a b#?`,
    ),
    `subscriptions/${SUB}/resourceGroups/rg%20(%C3%BC)/providers/Microsoft.Sql/servers/s/databases/a%20b%23%3F`,
  );
  for (const bad of ['/subscriptions/x/resourceGroups/../rg', '/a/./b', '/a//b', '/a/b/']) {
    assert.throws(() => armRequestPath(bad), BadArmPath, bad);
  }
});

let arm: LocalHttps;
const requested: string[] = [];
before(async () => {
  arm = await startLocalHttps((req, res) => {
    requested.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  }, 'sc-doctor-resource-names-');
});
after(() => arm.close());

test('on the wire the group named in the id is the one requested, not one a URL resolves to', async () => {
  const session = {
    cloud: async () => ({
      resourceManager: `${arm.base}/`,
      armScope: 'https://management.twin.test/.default',
    }),
    credential: {
      getToken: async () => ({ token: 'header.payload.sig', expiresOnTimestamp: Date.now() + 3_600_000 }),
    },
    tls: { ca: arm.ca },
  } as unknown as AzureSession;
  requested.length = 0;
  await armGet(
    session,
    `/subscriptions/${SUB}/resourceGroups/rg ü%2e/providers/Microsoft.Web/sites/a`,
    '2024-04-01',
  );
  assert.deepEqual(requested, [
    `/subscriptions/${SUB}/resourceGroups/rg%20%C3%BC%252e/providers/Microsoft.Web/sites/a?api-version=2024-04-01`,
  ]);
  await assert.rejects(
    armGet(session, `/subscriptions/${SUB}/resourceGroups/x/../rg-orders`, '2024-04-01'),
    BadArmPath,
  );
  assert.equal(requested.length, 1, 'the dot-segment path was never sent');
});
