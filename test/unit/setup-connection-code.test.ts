/**
 * The code screen after a setup shows the generator's code filled with the run's real names, and
 * nothing for a run that did not succeed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SetupResult } from '../../source/engine/run-setup.ts';
import { connectionCodeFor, snippetOfOutcome } from '../../source/setup/connection-code.ts';
import type { SetupConnection, SetupOutcome } from '../../source/setup/flow-types.ts';

const connection: SetupConnection = {
  database: 'postgres',
  clientType: 'nodejs',
  auth: 'user',
  serverFqdn: 'pg-orders.postgres.database.chinacloudapi.cn',
  databaseName: 'orders',
  user: 'aad_orders_api',
  appName: 'orders-api',
  clientId: '11111111-2222-3333-4444-555555555555',
  ossrdbmsResource: 'https://ossrdbms-aad.database.chinacloudapi.cn',
};

function ran(status: SetupResult['status']): SetupOutcome {
  return {
    kind: 'ran',
    doctor: [],
    title: 'orders-api → pg-orders/orders',
    plan: [],
    result: { status } as SetupResult,
    undone: [],
    connection,
  };
}

test('a successful run gets the code with the server, database, role, client id and cloud it used', () => {
  const code = connectionCodeFor(ran('succeeded'));
  assert.ok(code);
  assert.equal(code.headline, 'Done · orders-api can reach pg-orders/orders as aad_orders_api (no password)');
  const settings = Object.fromEntries(code.settings.map((s) => [s.name, s.value]));
  assert.equal(settings.AZURE_POSTGRESQL_HOST, connection.serverFqdn);
  assert.equal(settings.AZURE_POSTGRESQL_DATABASE, 'orders');
  assert.equal(settings.AZURE_POSTGRESQL_USER, 'aad_orders_api');
  assert.equal(settings.AZURE_POSTGRESQL_CLIENTID, connection.clientId);
  assert.equal(code.files[0]?.fileName, 'db.js');
  assert.match(code.files[0]!.content, /ossrdbms-aad\.database\.chinacloudapi\.cn\/\.default/);
  assert.doesNotMatch(JSON.stringify(code), /<server>|<database>|<database-user>|<client-id>/);
});

test('a run that rolled back, was cancelled or did not run shows no code', () => {
  for (const status of ['rolled-back', 'cancelled', 'rollback-incomplete'] as const)
    assert.equal(connectionCodeFor(ran(status)), null, status);
  const planned: SetupOutcome = { kind: 'planned', doctor: [], title: 't', plan: [] };
  assert.equal(snippetOfOutcome(planned), null);
});

test('a MySQL run gets MySQL settings', () => {
  const outcome = ran('succeeded');
  if (outcome.kind === 'ran')
    outcome.connection = {
      ...connection,
      database: 'mysql',
      serverFqdn: 'my-orders.mysql.database.azure.com',
    };
  const snippet = snippetOfOutcome(outcome);
  assert.equal(snippet?.database, 'mysql');
  assert.ok(
    snippet?.settings.some(
      (s) => s.name === 'AZURE_MYSQL_HOST' && 'value' in s && s.value.startsWith('my-orders'),
    ),
  );
});

test('a service principal gets the signed-in tenant in AZURE_TENANT_ID-style settings, not a placeholder', () => {
  const outcome = ran('succeeded');
  if (outcome.kind !== 'ran') throw new Error('unreachable');
  const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  outcome.connection = { ...connection, auth: 'sp', tenantId };
  const code = connectionCodeFor(outcome);
  assert.ok(code);
  const settings = Object.fromEntries(code.settings.map((s) => [s.name, s.value]));
  assert.equal(settings.AZURE_POSTGRESQL_TENANTID, tenantId);
  assert.doesNotMatch(JSON.stringify(code), /<tenant-id>/);
});

test('a run that handed a step off says what is left and both ways to finish, not Done', () => {
  const outcome = ran('succeeded');
  if (outcome.kind !== 'ran') throw new Error('unreachable');
  outcome.result = {
    status: 'succeeded',
    runId: '20261126-0900-abcd',
    handedOff: [
      {
        id: 'database-role',
        title: 'Database role aad_orders_api',
        scriptPath: '/home/dana/sc-doctor-20261126-0900-abcd-postgres.sh',
        summary: 'run it',
      },
    ],
  } as SetupResult;
  outcome.resume = 'sc-doctor setup postgres --server pg-orders --yes --resume 20261126-0900-abcd';
  const code = connectionCodeFor(outcome);
  assert.ok(code);
  assert.doesNotMatch(code.headline, /^Done/);
  const lines = code.headline.split('\n');
  assert.match(lines[0]!, /^Not finished · orders-api can reach pg-orders\/orders as aad_orders_api/);
  assert.ok(lines.includes('Left to do:'), code.headline);
  assert.ok(lines.includes(`  ${outcome.resume}`), code.headline);
  assert.ok(lines.includes('  sh /home/dana/sc-doctor-20261126-0900-abcd-postgres.sh'), code.headline);
});

test("Spring Boot: the settings shown are the ones written, a linker's URL with the note on checking the certificate", () => {
  const spring = (settingsWriter: 'service-connector' | 'sc-doctor') => {
    const outcome = ran('succeeded');
    if (outcome.kind === 'ran')
      outcome.connection = { ...connection, clientType: 'springBoot', settingsWriter };
    return snippetOfOutcome(outcome)!;
  };
  const url = (snippet: ReturnType<typeof spring>) =>
    (snippet.settings.find((s) => s.name === 'spring.datasource.url') as { value: string }).value;
  assert.match(url(spring('service-connector')), /\?sslmode=require$/);
  assert.match(spring('service-connector').notes.join('\n'), /does not check the certificate.*--no-linker/);
  assert.match(
    url(spring('sc-doctor')),
    /\?sslmode=verify-full&sslfactory=org\.postgresql\.ssl\.DefaultJavaSSLFactory$/,
  );
});
