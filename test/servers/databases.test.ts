import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ArmResource } from '../azure-twin/api.ts';
import { attachDatabases } from './databases.ts';
import { testTls } from './testing/tls.ts';
import { AUDIENCE, adminUser, dbToken, directory, TENANT, tokenConfig } from './testing/world.ts';

const pgServer: ArmResource = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1',
  name: 'pg1',
  type: 'Microsoft.DBforPostgreSQL/flexibleServers',
};
const mysqlServer: ArmResource = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforMySQL/flexibleServers/my1',
  name: 'my1',
  type: 'Microsoft.DBforMySQL/flexibleServers',
};

test('attachDatabases starts both engines, routes hooks by server type, and close() removes everything', async () => {
  const tls = await testTls();
  const attached = await attachDatabases({
    tokenConfig,
    tenantId: TENANT,
    ossrdbmsAudience: AUDIENCE,
    principal: directory([adminUser]),
    tls,
  });
  const login = adminUser.userPrincipalName!;
  let pgPort = 0;
  let mysqlPort = 0;
  try {
    const { postgres, mysql: mysqlEndpoint } = attached.endpoints;
    assert.ok(postgres && mysqlEndpoint);
    pgPort = postgres.port;
    mysqlPort = mysqlEndpoint.port;
    await attached.hooks.postgresAdminAdded!(pgServer, {
      objectId: adminUser.objectId,
      principalName: login,
      principalType: 'User',
    });
    await attached.hooks.mysqlAdminSet!(mysqlServer, { login, sid: adminUser.objectId });
    await attached.hooks.databaseCreated!(pgServer, 'pgonly');
    await attached.hooks.databaseCreated!(mysqlServer, 'myonly');

    const client = new pg.Client({
      ...postgres,
      user: login,
      password: dbToken(adminUser),
      database: 'postgres',
      ssl: { ca: tls.ca },
    });
    await client.connect();
    const dbs = (await client.query('SELECT datname FROM pg_database ORDER BY datname')).rows.map(
      (r) => r.datname,
    );
    await client.end();
    assert.ok(dbs.includes('pgonly') && !dbs.includes('myonly'), dbs.join(','));

    const conn = await mysql.createConnection({
      ...mysqlEndpoint,
      user: login,
      password: dbToken(adminUser),
      ssl: { ca: tls.ca },
      enableCleartextPlugin: true,
    });
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES');
    await conn.end();
    const names = rows.map((r) => r.Database);
    assert.ok(names.includes('myonly') && !names.includes('pgonly'), names.join(','));
  } finally {
    await attached.close();
  }
  // Nothing listens any more.
  const pgAfter = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'x',
    password: 'y',
    ssl: { ca: tls.ca },
  });
  await assert.rejects(pgAfter.connect(), (e: { code?: string }) => e.code === 'ECONNREFUSED');
  await assert.rejects(
    mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'x', password: 'y' }),
    (e: { code?: string }) => e.code === 'ECONNREFUSED',
  );
});

test('each attachDatabases call gets its own servers (roles and users are per twin)', async () => {
  const tls = await testTls();
  const options = {
    tokenConfig,
    tenantId: TENANT,
    ossrdbmsAudience: AUDIENCE,
    principal: directory([adminUser]),
    tls,
  };
  const [a, b] = await Promise.all([attachDatabases(options), attachDatabases(options)]);
  try {
    assert.notEqual(a.endpoints.postgres!.port, b.endpoints.postgres!.port);
    await a.hooks.postgresAdminAdded!(pgServer, {
      objectId: adminUser.objectId,
      principalName: 'only_in_a',
      principalType: 'User',
    });
    const inB = new pg.Client({
      ...b.endpoints.postgres!,
      user: 'only_in_a',
      password: dbToken(adminUser),
      database: 'postgres',
      ssl: { ca: tls.ca },
    });
    await assert.rejects(inB.connect(), (e: { code?: string }) => e.code === '28P01');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('the PostgreSQL behind the twin listens on its private socket only: TCP goes through the front proxy', async () => {
  const tls = await testTls();
  const attached = await attachDatabases({
    tokenConfig,
    tenantId: TENANT,
    ossrdbmsAudience: AUDIENCE,
    principal: directory([adminUser]),
    tls,
    engines: ['postgres'],
  });
  try {
    const proxied = new pg.Client({
      ...attached.endpoints.postgres!,
      user: 'azuresu',
      password: 'anything',
      database: 'postgres',
      ssl: { ca: tls.ca },
    });
    // The hidden superuser is refused at the door, even with no ARM state to consult.
    await assert.rejects(
      proxied.connect(),
      (e: { code?: string; message: string }) =>
        e.code === '28000' &&
        /^no pg_hba\.conf entry for host "127\.0\.0\.1", user "azuresu"/.test(e.message),
    );
    await attached.hooks.postgresAdminAdded!(pgServer, {
      objectId: adminUser.objectId,
      principalName: adminUser.userPrincipalName!,
      principalType: 'User',
    });
    const admin = new pg.Client({
      ...attached.endpoints.postgres!,
      user: adminUser.userPrincipalName!,
      password: dbToken(adminUser),
      database: 'postgres',
      ssl: { ca: tls.ca },
    });
    await admin.connect();
    const { rows } = await admin.query(`SELECT current_setting('listen_addresses') AS tcp`);
    await admin.end();
    assert.deepEqual(rows, [{ tcp: '' }]);
  } finally {
    await attached.close();
  }
});
