/** Target flags: ids parsed strictly into typed targets; a malformed one is a usage error naming the flag. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doctorOptionsFrom } from '../../source/cli/doctor-options.ts';
import { parseArgs } from '../../source/cli/parse-args.ts';
import { UsageError } from '../../source/cli/usage-error.ts';
import { parseServerId, parseTarget } from '../../source/doctor/target.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers`;

test('--server-id decides the kind from its type, case-insensitively', () => {
  assert.equal(parseServerId(`${rg}/Microsoft.DBforPostgreSQL/flexibleServers/pg`)?.kind, 'postgres');
  assert.equal(parseServerId(`${rg}/microsoft.dbformysql/FLEXIBLESERVERS/my`)?.kind, 'mysql');
  const sql = parseServerId(
    `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-orders/providers/Microsoft.Sql/servers/sq/`,
  );
  assert.deepEqual(sql, {
    kind: 'sql',
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'sq',
    id: `${rg}/Microsoft.Sql/servers/sq`,
  });
});

test('ids of other types, short ids and non-GUID subscriptions are not servers', () => {
  for (const id of [
    `${rg}/Microsoft.DBforPostgreSQL/servers/pg`, // single server, retired
    `${rg}/Microsoft.Sql/servers/sq/databases/db`,
    `${rg}/Microsoft.Web/sites/app`,
    '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/sq',
    'pg-orders',
  ])
    assert.equal(parseServerId(id), undefined, id);
});

test('--server with a group: target resource group first, then -g, else the whole subscription', () => {
  const both = parseTarget({ server: 'pg', targetResourceGroup: 'rg-db', resourceGroup: 'rg-app' });
  assert.ok(both.ok);
  assert.deepEqual(both.target.server, { by: 'name', name: 'pg', resourceGroup: 'rg-db' });
  const onlyG = parseTarget({ server: 'pg', resourceGroup: 'rg-app' });
  assert.ok(onlyG.ok);
  assert.deepEqual(onlyG.target.server, { by: 'name', name: 'pg', resourceGroup: 'rg-app' });
  const none = parseTarget({ server: 'pg' });
  assert.ok(none.ok);
  assert.deepEqual(none.target.server, { by: 'name', name: 'pg', resourceGroup: null });
  const empty = parseTarget({});
  assert.deepEqual(empty, { ok: true, target: { server: null, database: null, app: null, given: false } });
});

test('the app: --source-id of each platform, or --app with -g and --target', () => {
  const spring = parseTarget({
    sourceId: `${rg}/Microsoft.AppPlatform/Spring/spring-orders/apps/orders-spring`,
  });
  assert.ok(spring.ok);
  assert.deepEqual(spring.target.app, {
    by: 'id',
    kind: 'spring',
    subscriptionId: SUB,
    resourceGroup: 'rg-orders',
    name: 'orders-spring',
    service: 'spring-orders',
    id: `${rg}/Microsoft.AppPlatform/Spring/spring-orders/apps/orders-spring`,
  });
  const web = parseTarget({ sourceId: `${rg}/Microsoft.Web/sites/orders-api` });
  assert.ok(web.ok && web.target.app?.kind === 'webapp');
  const byName = parseTarget({ app: 'orders-api', resourceGroup: 'rg-orders', target: 'webapp' });
  assert.ok(byName.ok);
  assert.deepEqual(byName.target.app, {
    by: 'name',
    kind: 'webapp',
    resourceGroup: 'rg-orders',
    name: 'orders-api',
    service: null,
  });
});

test('malformed target flags are usage errors (exit 2) naming the flag and the expected shape', () => {
  const cases: [string[], RegExp, RegExp][] = [
    [
      ['--server-id', '/subscriptions/x/srv'],
      /is not the resource id of a database server/,
      /Microsoft\.DBforMySQL\/flexibleServers/,
    ],
    [
      ['--server-id', `${rg}/Microsoft.Web/sites/app`],
      /not the resource id of a database server/,
      /Microsoft\.Sql\/servers/,
    ],
    [
      ['--source-id', `${rg}/Microsoft.Sql/servers/sq`],
      /not the resource id of an app/,
      /Microsoft\.Web\/sites/,
    ],
    [['--server', 'a/b'], /'a\/b' is not a server name/, /--server-id/],
    [['--database', 'orders'], /--database needs the server/, /--server <name>/],
    [
      ['--server', 'pg-a', '--server-id', `${rg}/Microsoft.DBforPostgreSQL/flexibleServers/pg-b`],
      /--server pg-a and --server-id \(pg-b\) name different servers/,
      /one of them/,
    ],
    [
      ['--target', 'spring', '--source-id', `${rg}/Microsoft.Web/sites/app`],
      /--target spring does not match --source-id, which is a webapp/,
      /--target/,
    ],
  ];
  for (const [argv, message, hint] of cases) {
    assert.throws(
      () => doctorOptionsFrom(parseArgs(['doctor', ...argv]), {}),
      (error: unknown) =>
        error instanceof UsageError && message.test(error.message) && error.hints.some((h) => hint.test(h)),
      argv.join(' '),
    );
  }
});

test('SC_DOCTOR_PUBLIC_IP must be an IPv4 address', () => {
  assert.doesNotThrow(() => doctorOptionsFrom(parseArgs(['doctor']), { SC_DOCTOR_PUBLIC_IP: '203.0.113.7' }));
  assert.throws(
    () => doctorOptionsFrom(parseArgs(['doctor']), { SC_DOCTOR_PUBLIC_IP: 'my-laptop' }),
    (error: unknown) =>
      error instanceof UsageError && /SC_DOCTOR_PUBLIC_IP must be an IPv4 address/.test(error.message),
  );
});
