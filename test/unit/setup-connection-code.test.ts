/**
 * The code screen after a setup shows the generator's code filled with the run's real names, and
 * nothing for a run that did not succeed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionCodeFor, snippetOfOutcome } from '../../source/setup/connection-code.ts';
import type { SetupResult } from '../../source/setup/engine.ts';
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
