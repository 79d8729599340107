/**
 * The app settings `--no-linker` writes per client type (the shapes Service Connector writes). Where
 * the app's service-principal secret comes from is test/unit/app-secret.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresSettings } from '../../source/setup/postgres/connection-settings.ts';
import { CLIENT_TYPES } from '../../source/snippets/types.ts';

const base = { fqdn: 'pg-orders.postgres.database.azure.com', database: 'orders', user: 'aad_orders' };

test('every client type gets the host, database and user, and never a password or token', () => {
  for (const clientType of CLIENT_TYPES) {
    const settings = postgresSettings({ ...base, clientType, clientId: null, tenantId: null, sp: false });
    const text = JSON.stringify(settings);
    assert.ok(text.includes('pg-orders.postgres.database.azure.com'), clientType);
    assert.ok(text.includes('orders'), clientType);
    assert.ok(text.includes('aad_orders'), clientType);
    for (const key of Object.keys(settings))
      assert.doesNotMatch(key, /(password|secret|token)$/i, clientType);
  }
});

test('the shapes of the Azure CLI documentation', () => {
  const of = (clientType: (typeof CLIENT_TYPES)[number], clientId: string | null = null) =>
    postgresSettings({ ...base, clientType, clientId, tenantId: null, sp: false });
  assert.deepEqual(of('nodejs'), {
    AZURE_POSTGRESQL_HOST: base.fqdn,
    AZURE_POSTGRESQL_USER: 'aad_orders',
    AZURE_POSTGRESQL_DATABASE: 'orders',
    AZURE_POSTGRESQL_PORT: '5432',
    AZURE_POSTGRESQL_SSL: 'true',
  });
  assert.equal(
    of('python').AZURE_POSTGRESQL_CONNECTIONSTRING,
    `dbname=orders host=${base.fqdn} port=5432 sslmode=require user=aad_orders`,
  );
  assert.equal(
    of('dotnet').AZURE_POSTGRESQL_CONNECTIONSTRING,
    `Server=${base.fqdn};Database=orders;Port=5432;Ssl Mode=Require;User Id=aad_orders;`,
  );
  assert.equal(of('django').AZURE_POSTGRESQL_NAME, 'orders');
  assert.equal(of('springBoot')['spring.datasource.azure.passwordless-enabled'], 'true');
  const cid = '11111111-2222-4333-8444-555555555555';
  assert.equal(of('nodejs', cid).AZURE_POSTGRESQL_CLIENTID, cid, 'a user identity adds its client id');
});
