/**
 * The app settings `--no-linker` writes per client type (the shapes Service Connector writes). Where
 * the app's service-principal secret comes from is test/unit/app-secret.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownSettings, secretSettingOf } from '../../source/setup/postgres/connection-settings.ts';
import { CLIENT_TYPES } from '../../source/snippets/types.ts';

const base = {
  database: 'postgres' as const,
  fqdn: 'pg-orders.postgres.database.azure.com',
  databaseName: 'orders',
  user: 'aad_orders',
};
const TENANT = '5f1e9c2a-7b3d-4e8f-9a01-c04705d0e7e1';
const CLIENT = '11111111-2222-4333-8444-555555555555';
const postgresSettings = (clientType: (typeof CLIENT_TYPES)[number], clientId: string | null = null) =>
  ownSettings({ ...base, clientType, auth: clientId ? 'user' : 'system', clientId, tenantId: null }).values;

test('every client type gets the host, database and user, and never a password or token', () => {
  for (const clientType of CLIENT_TYPES) {
    const settings = postgresSettings(clientType);
    const text = JSON.stringify(settings);
    assert.ok(text.includes('pg-orders.postgres.database.azure.com'), clientType);
    assert.ok(text.includes('orders'), clientType);
    assert.ok(text.includes('aad_orders'), clientType);
    for (const key of Object.keys(settings))
      assert.doesNotMatch(key, /(password|secret|token)$/i, clientType);
  }
});

test('the shapes of the Azure CLI documentation, with TLS that checks the certificate', () => {
  const of = postgresSettings;
  assert.deepEqual(of('nodejs'), {
    AZURE_POSTGRESQL_HOST: base.fqdn,
    AZURE_POSTGRESQL_USER: 'aad_orders',
    AZURE_POSTGRESQL_DATABASE: 'orders',
    AZURE_POSTGRESQL_PORT: '5432',
    AZURE_POSTGRESQL_SSL: 'true',
  });
  assert.equal(
    of('python').AZURE_POSTGRESQL_CONNECTIONSTRING,
    `dbname=orders host=${base.fqdn} port=5432 sslmode=verify-full sslrootcert=system user=aad_orders`,
  );
  assert.equal(
    of('dotnet').AZURE_POSTGRESQL_CONNECTIONSTRING,
    `Server=${base.fqdn};Database=orders;Port=5432;Ssl Mode=VerifyFull;User Id=aad_orders;`,
  );
  assert.equal(of('django').AZURE_POSTGRESQL_NAME, 'orders');
  assert.equal(of('springBoot')['spring.datasource.azure.passwordless-enabled'], 'true');
  assert.equal(of('nodejs', CLIENT).AZURE_POSTGRESQL_CLIENTID, CLIENT, 'a user identity adds its client id');
});

test('a service principal gets its tenant on every client type (the generated credential reads it), and the secret is only named', () => {
  for (const database of ['postgres', 'mysql'] as const) {
    const prefix = database === 'postgres' ? 'AZURE_POSTGRESQL' : 'AZURE_MYSQL';
    for (const clientType of CLIENT_TYPES) {
      const own = ownSettings({
        ...base,
        database,
        clientType,
        auth: 'sp',
        clientId: CLIENT,
        tenantId: TENANT,
      });
      const tenant =
        clientType === 'springBoot' ? 'spring.cloud.azure.profile.tenant-id' : `${prefix}_TENANTID`;
      assert.equal(own.values[tenant], TENANT, `${database} ${clientType}`);
      assert.equal(own.secretSetting, secretSettingOf(database, clientType), `${database} ${clientType}`);
      assert.ok(!(own.secretSetting! in own.values), 'the secret has no value here');
      assert.ok(!('spring.cloud.azure.credential.tenant-id' in own.values), 'one Spring tenant property');
    }
  }
  assert.equal(secretSettingOf('postgres', 'springBoot'), 'spring.cloud.azure.credential.client-secret');
  assert.equal(secretSettingOf('mysql', 'python'), 'AZURE_MYSQL_CLIENTSECRET');
  assert.throws(
    () => ownSettings({ ...base, clientType: 'python', auth: 'sp', clientId: CLIENT, tenantId: null }),
    /tenant is not known/,
  );
});

test('the Spring Boot URL --no-linker writes checks the certificate (PostgreSQL and MySQL)', () => {
  assert.equal(
    postgresSettings('springBoot')['spring.datasource.url'],
    `jdbc:postgresql://${base.fqdn}:5432/orders?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory`,
  );
  const mysql = ownSettings({
    ...base,
    database: 'mysql',
    fqdn: 'my-orders.mysql.database.azure.com',
    clientType: 'springBoot',
    auth: 'system',
    clientId: null,
    tenantId: null,
  });
  assert.equal(
    mysql.values['spring.datasource.url'],
    'jdbc:mysql://my-orders.mysql.database.azure.com:3306/orders?sslMode=VERIFY_IDENTITY',
  );
});
