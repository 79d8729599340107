import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { ArmResource } from '../azure-twin/api.ts';
import { type AttachedDatabases, attachDatabases } from './databases.ts';
import { testTls } from './testing/tls.ts';
import {
  AUDIENCE,
  adminUser,
  dbToken,
  directory,
  ordersIdentity,
  strangerIdentity,
  TENANT,
  tokenConfig,
} from './testing/world.ts';

const server: ArmResource = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforMySQL/flexibleServers/orders-mysql',
  name: 'orders-mysql',
  type: 'Microsoft.DBforMySQL/flexibleServers',
};
const ADMIN_LOGIN = adminUser.userPrincipalName!;

let attached: AttachedDatabases;
let ca: string;

before(async () => {
  const tls = await testTls();
  ca = tls.ca;
  attached = await attachDatabases({
    tokenConfig,
    tenantId: TENANT,
    ossrdbmsAudience: AUDIENCE,
    principal: directory([adminUser, ordersIdentity, strangerIdentity]),
    tls,
    engines: ['mysql'],
  });
  await attached.hooks.mysqlAdminSet!(server, { login: ADMIN_LOGIN, sid: adminUser.objectId });
  await attached.hooks.databaseCreated!(server, 'orders');
});

after(async () => {
  await attached?.close();
});

function connect(user: string, password: string, extra: mysql.ConnectionOptions = {}) {
  return mysql.createConnection({
    host: '127.0.0.1',
    port: attached.endpoints.mysql!.port,
    user,
    password,
    ssl: { ca },
    enableCleartextPlugin: true,
    ...extra,
  });
}

test('the admin sets up an Entra user the way the az extension does, and the identity logs in with its token', async () => {
  const admin = await connect(ADMIN_LOGIN, dbToken(adminUser), { database: 'orders' });
  try {
    await admin.query('SET aad_auth_validate_oids_in_tenant = OFF;');
    await admin.query("DROP USER IF EXISTS 'aad_orders'@'%';");
    await admin.query(`CREATE AADUSER 'aad_orders' IDENTIFIED BY '${ordersIdentity.appId}';`);
    await admin.query("GRANT ALL PRIVILEGES ON `orders`.* TO 'aad_orders'@'%';");
    await admin.query('FLUSH privileges;');
  } finally {
    await admin.end();
  }

  const app = await connect('aad_orders', dbToken(ordersIdentity), { database: 'orders' });
  try {
    const [rows] = await app.query('SELECT 1 AS one, DATABASE() AS db');
    assert.deepEqual(rows, [{ one: 1, db: 'orders' }]);
    await app.query('CREATE TABLE items (id INT PRIMARY KEY)');
    await app.execute('INSERT INTO items VALUES (?)', [7]);
    const [items] = await app.execute('SELECT id FROM items');
    assert.deepEqual(items, [{ id: 7 }]);
  } finally {
    await app.end();
  }

  // Another principal's perfectly valid token does not open aad_orders.
  await assert.rejects(
    connect('aad_orders', dbToken(strangerIdentity)),
    (e: { errno?: number }) => e.errno === 1045,
  );
});

test('multi-statement queries are rewritten statement by statement', async () => {
  const admin = await connect(ADMIN_LOGIN, dbToken(adminUser), { multipleStatements: true });
  try {
    await admin.query(
      `SET aad_auth_validate_oids_in_tenant = OFF; CREATE AADUSER 'aad_multi' IDENTIFIED BY '${strangerIdentity.appId}'; GRANT SELECT ON \`orders\`.* TO 'aad_multi'@'%'`,
    );
  } finally {
    await admin.end();
  }
  const other = await connect('aad_multi', dbToken(strangerIdentity), { database: 'orders' });
  await other.end();
});

test('with OID validation on, CREATE AADUSER for an id the tenant does not know fails', async () => {
  const admin = await connect(ADMIN_LOGIN, dbToken(adminUser));
  try {
    await assert.rejects(
      admin.query("CREATE AADUSER 'ghost' IDENTIFIED BY '99999999-9999-4999-8999-999999999999'"),
      (e: { errno?: number; message: string }) =>
        e.errno === 1396 && /not found in the tenant/.test(e.message),
    );
  } finally {
    await admin.end();
  }
});

test('a wrong token, a token for another audience, and a non-admin are refused with 1045', async () => {
  const expectDenied = (e: { errno?: number; sqlState?: string; message: string }) =>
    e.errno === 1045 &&
    e.sqlState === '28000' &&
    /Access denied for user 'dana@contoso\.twin\.test'@'127\.0\.0\.1' \(using password: YES\)/.test(
      e.message,
    );
  await assert.rejects(connect(ADMIN_LOGIN, `${dbToken(adminUser)}x`), expectDenied);
  await assert.rejects(
    connect(ADMIN_LOGIN, dbToken(adminUser, tokenConfig, 'https://management.azure.com')),
    expectDenied,
  );
  await assert.rejects(connect(ADMIN_LOGIN, dbToken(strangerIdentity)), expectDenied);
  // root exists in MariaDB, but no token maps to it.
  await assert.rejects(connect('root', dbToken(adminUser)), (e: { errno?: number }) => e.errno === 1045);
});

test('a client without TLS is refused the way require_secure_transport refuses it', async () => {
  await assert.rejects(
    mysql.createConnection({
      host: '127.0.0.1',
      port: attached.endpoints.mysql!.port,
      user: ADMIN_LOGIN,
      password: dbToken(adminUser),
    }),
    (e: { errno?: number; message: string }) => e.errno === 3159 && /insecure transport/.test(e.message),
  );
});

test('mysql2 refuses to send the token in clear text unless told to, as against Azure', async () => {
  await assert.rejects(
    connect(ADMIN_LOGIN, dbToken(adminUser), { enableCleartextPlugin: false }),
    (e: { code?: string }) => e.code === 'MYSQL_CLEAR_PASSWORD_NOT_ENABLED',
  );
});

test('replacing the Entra admin drops the previous one', async () => {
  const next = { ...strangerIdentity, userPrincipalName: 'sam@contoso.twin.test' };
  await attached.hooks.mysqlAdminSet!(server, { login: 'sam@contoso.twin.test', sid: next.objectId });
  const sam = await connect('sam@contoso.twin.test', dbToken(next));
  await sam.end();
  await assert.rejects(connect(ADMIN_LOGIN, dbToken(adminUser)), (e: { errno?: number }) => e.errno === 1045);
  await attached.hooks.mysqlAdminSet!(server, { login: ADMIN_LOGIN, sid: adminUser.objectId });
});
