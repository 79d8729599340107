import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Principal } from '../azure-twin/api.ts';
import { issueToken } from '../azure-twin/tokens.ts';
import { installPgAad, type PostgresHooks, postgresHooks } from './postgres-aad.ts';
import { type PostgresInstance, startPostgres } from './postgres-instance.ts';
import { testTls } from './testing/tls.ts';
import {
  AUDIENCE,
  adminUser as admin,
  ordersIdentity as appIdentity,
  dbToken,
  directory,
  TENANT,
  tokenConfig,
} from './testing/world.ts';

const principals = [admin, appIdentity];

let server: PostgresInstance;
let hooks: PostgresHooks;
let ca: string;

before(async () => {
  const tls = await testTls();
  ca = tls.ca;
  server = await startPostgres(tls);
  await installPgAad(server, { tokenConfig, tenantId: TENANT, ossrdbmsAudience: AUDIENCE });
  hooks = postgresHooks(server, directory(principals));
  await hooks.adminAdded({
    objectId: admin.objectId,
    principalName: admin.userPrincipalName!,
    principalType: 'User',
  });
  // The Entra admin's own database (CREATE DATABASE as the admin makes it the owner), so it may grant
  // on it; databases made through ARM belong to the password admin (postgres-owner.test.ts).
  await hooks.databaseCreated('orders', admin.userPrincipalName!);
});

after(async () => {
  await server?.close();
});

async function connect(user: string, password: string, options: { database?: string; ssl?: boolean } = {}) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    user,
    password,
    database: options.database ?? 'postgres',
    ssl: options.ssl === false ? false : { ca, servername: 'localhost' },
  });
  await client.connect();
  return client;
}

test('the SQL side computes the very token tokens.ts issues, for users and apps', async () => {
  for (const [objectId, idtyp] of [
    [admin.objectId, 'user'],
    [appIdentity.objectId, 'app'],
    ['odd "quoted" \\ id', 'app'],
  ] as const) {
    const [row] = await server.query<{ token: string }>('SELECT twin_aad.token($1, $2) AS token', [
      objectId,
      idtyp,
    ]);
    const expected = issueToken(tokenConfig, { objectId, tenantId: TENANT, idtyp }, AUDIENCE, false);
    assert.equal(row?.token, expected);
  }
});

test('the Entra admin logs in over verified TLS with its token and can create a principal for an identity', async () => {
  const client = await connect(admin.userPrincipalName!, dbToken(admin));
  try {
    const [created] = (
      await client.query(
        "SELECT * FROM pgaadauth_create_principal_with_oid('aad_orders', $1, 'service', false, false)",
        [appIdentity.objectId],
      )
    ).rows;
    assert.match(String(Object.values(created)[0]), /Created role for "aad_orders"/);
    const listed = (await client.query('SELECT * FROM pgaadauth_list_principals(false)')).rows;
    assert.deepEqual(
      listed.map((r) => [r.rolname, r.principaltype, r.objectid, r.tenantid, r.isadmin]),
      [
        ['aad_orders', 'service', appIdentity.objectId, TENANT, false],
        [admin.userPrincipalName, 'user', admin.objectId, TENANT, true],
      ],
    );
    await assert.rejects(
      client.query("SELECT pgaadauth_create_principal_with_oid('aad_orders', $1, 'service', false, false)", [
        appIdentity.objectId,
      ]),
      (error: { code?: string; message: string }) =>
        error.code === '42710' && /already exists/.test(error.message),
    );
  } finally {
    await client.end();
  }

  const orders = await connect(admin.userPrincipalName!, dbToken(admin), { database: 'orders' });
  try {
    await orders.query('GRANT ALL PRIVILEGES ON DATABASE "orders" TO "aad_orders"');
    await orders.query('GRANT CREATE ON SCHEMA public TO "aad_orders"');
  } finally {
    await orders.end();
  }

  const app = await connect('aad_orders', dbToken(appIdentity), { database: 'orders' });
  try {
    await app.query('CREATE TABLE items (id int)');
    assert.deepEqual((await app.query('SELECT current_user AS who, 1 AS one')).rows, [
      { who: 'aad_orders', one: 1 },
    ]);
  } finally {
    await app.end();
  }
});

test('a role that is not an Entra admin may not create principals', async () => {
  await server.query(`CREATE ROLE plain_login LOGIN PASSWORD 'not-a-token-123'`);
  const client = await connect('plain_login', 'not-a-token-123');
  try {
    await assert.rejects(
      client.query("SELECT pgaadauth_create_principal_with_oid('x', 'y', 'service', false, false)"),
      (error: { code?: string }) => error.code === '42501',
    );
  } finally {
    await client.end();
  }
});

test("a wrong token fails with 28P01 and so does another principal's token", async () => {
  await assert.rejects(
    connect(admin.userPrincipalName!, `${dbToken(admin)}x`),
    (e: { code?: string }) => e.code === '28P01',
  );
  await assert.rejects(
    connect(admin.userPrincipalName!, dbToken(appIdentity)),
    (e: { code?: string }) => e.code === '28P01',
  );
});

test('a connection without TLS is rejected by pg_hba', async () => {
  await assert.rejects(
    connect(admin.userPrincipalName!, dbToken(admin), { ssl: false }),
    (e: { code?: string; message: string }) => e.code === '28000' && /no encryption/.test(e.message),
  );
});

test('a removed admin can no longer log in', async () => {
  const other: Principal = {
    ...admin,
    objectId: '44444444-4444-4444-8444-444444444444',
    userPrincipalName: 'lee@contoso.twin.test',
  };
  principals.push(other);
  await hooks.adminAdded({
    objectId: other.objectId,
    principalName: other.userPrincipalName!,
    principalType: 'User',
  });
  (await connect(other.userPrincipalName!, dbToken(other))).end();
  await hooks.adminRemoved(other.userPrincipalName!);
  await assert.rejects(
    connect(other.userPrincipalName!, dbToken(other)),
    (e: { code?: string }) => e.code === '28P01',
  );
});

test('azure.extensions, as the server configuration holds it, decides which extensions an Entra admin may create', async () => {
  const client = await connect(admin.userPrincipalName!, dbToken(admin), { database: 'orders' });
  const refusedAsAzure = (name: string) => (e: { code?: string; message: string }) =>
    e.code === '0A000' &&
    e.message ===
      `extension "${name}" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL`;
  try {
    await assert.rejects(client.query('CREATE EXTENSION pgcrypto'), refusedAsAzure('pgcrypto'));
    // Any session may SET a custom parameter; the allow-list must not believe it.
    await client.query(`SET azure.extensions = 'pgcrypto'`);
    await assert.rejects(client.query('CREATE EXTENSION pgcrypto'), refusedAsAzure('pgcrypto'));
    await server.query(`ALTER SYSTEM SET azure.extensions = 'vector,pgcrypto'`);
    await server.query('SELECT pg_reload_conf()');
    await client.query('CREATE EXTENSION pgcrypto');
    await assert.rejects(client.query('CREATE EXTENSION "uuid-ossp"'), refusedAsAzure('uuid-ossp'));
  } finally {
    await client.end();
    await server.query('ALTER SYSTEM RESET azure.extensions');
    await server.query('SELECT pg_reload_conf()');
  }
});
