/**
 * Who owns a PostgreSQL database on the twin, and what an Entra admin may then grant, against its real
 * PostgreSQL 17 as Azure behaves (real-azure-facts.md, "PostgreSQL flexible server: who owns the
 * database"): a database made through ARM belongs to the password admin (`administratorLogin`), or to
 * azuresu on a server without one; `public` belongs to pg_database_owner with USAGE only for PUBLIC; the
 * Entra admin is an azure_pg_admin member with CREATEROLE/CREATEDB, never a superuser, and so gets
 * "no privileges were granted" on the database and "permission denied" on the owner's tables, while
 * the owner (with its password) and an Entra admin on a database it created itself can grant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { armRest } from '../azure-twin/testing/arm-rest.ts';

const DANA = 'dana@contoso.twin.test';
const FQDN = `${NAMES.postgres}.postgres.twin.test`;

interface Session {
  client: pg.Client;
  /** Every NOTICE/WARNING the server sent, as `SEVERITY: message`. */
  notices: string[];
}

async function open(twin: Twin, user: string, password: string, database: string): Promise<Session> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user,
    password,
    database,
    ssl: { ca: twin.caPem, servername: FQDN },
  });
  const notices: string[] = [];
  client.on('notice', (notice) => notices.push(`${notice.severity}: ${notice.message}`));
  await client.connect();
  return { client, notices };
}

const asDana = (twin: Twin, database: string) =>
  open(twin, DANA, twin.tokens.issue(IDS.dana, 'ossrdbms'), database);
const asOwner = (twin: Twin, database: string) =>
  open(twin, PG_PASSWORD_ADMIN.login, PG_PASSWORD_ADMIN.password, database);

async function superuser(twin: Twin, sql: string, database = 'postgres') {
  return (await twin.context.databases.postgresQuery!(sql, database)).rows as Record<string, unknown>[];
}

async function newAppRole(twin: Twin, name: string) {
  const dana = await asDana(twin, 'postgres');
  try {
    await dana.client.query(
      `select * from pgaadauth_create_principal_with_oid('${name}', 'feed0000-0000-4000-8000-00000000a${name.length}01', 'service', false, false)`,
    );
  } finally {
    await dana.client.end();
  }
}

describe('a database made through ARM, with the app tables its password admin made', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ scenario: 'pg-owner-tables', databases: ['postgres'] });
  });
  after(async () => {
    await twin?.close();
  });

  test('belongs to the password admin; public to pg_database_owner, PUBLIC with USAGE only; the tables to the password admin', async () => {
    assert.equal(twin.store.get(RESOURCE_IDS.postgres)!.properties!.administratorLogin, 'pgadmin');
    const [database] = await superuser(
      twin,
      "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'orders'",
    );
    assert.equal(database!.owner, 'pgadmin');
    const [schema] = await superuser(
      twin,
      `select pg_get_userbyid(nspowner) as owner,
              has_schema_privilege('public', 'public', 'USAGE') as public_usage,
              exists (select from aclexplode(nspacl) a where a.grantee = 0 and a.privilege_type = 'CREATE') as public_create
         from pg_namespace where nspname = 'public'`,
      'orders',
    );
    assert.deepEqual(schema, { owner: 'pg_database_owner', public_usage: true, public_create: false });
    const tables = await superuser(
      twin,
      `select c.relname, c.relkind, pg_get_userbyid(c.relowner) as owner from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'S') order by 1`,
      'orders',
    );
    assert.deepEqual(
      tables.map((t) => `${t.relname}:${t.relkind}:${t.owner}`),
      [
        'customers:r:pgadmin',
        'customers_id_seq:S:pgadmin',
        'order_lines:r:pgadmin',
        'order_lines_id_seq:S:pgadmin',
      ],
    );
  });

  test('the Entra admin is an azure_pg_admin member with CREATEROLE and CREATEDB, not a superuser, not a member of the owner', async () => {
    const [dana] = await superuser(
      twin,
      `select rolsuper, rolcreaterole, rolcreatedb,
              pg_has_role('${DANA}', 'azure_pg_admin', 'MEMBER') as admin,
              pg_has_role('${DANA}', 'pgadmin', 'MEMBER') as owner_member
         from pg_roles where rolname = '${DANA}'`,
    );
    assert.deepEqual(dana, {
      rolsuper: false,
      rolcreaterole: true,
      rolcreatedb: true,
      admin: true,
      owner_member: false,
    });
  });

  test('the Entra admin gets "no privileges were granted" on the database and schema, and "permission denied" on the tables, as on Azure', async () => {
    await newAppRole(twin, 'aad_warned');
    const { client, notices } = await asDana(twin, 'orders');
    try {
      await client.query('GRANT CONNECT ON DATABASE orders TO aad_warned');
      await client.query('GRANT USAGE, CREATE ON SCHEMA public TO aad_warned');
      assert.deepEqual(notices, [
        'WARNING: no privileges were granted for "orders"',
        'WARNING: no privileges were granted for "public"',
      ]);
      await assert.rejects(
        client.query('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aad_warned'),
        /^error: permission denied for table customers$/i,
      );
      await assert.rejects(
        client.query('REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM aad_warned'),
        /permission denied for table customers/,
      );
      await assert.rejects(
        client.query(
          'ALTER DEFAULT PRIVILEGES FOR ROLE pgadmin IN SCHEMA public GRANT SELECT ON TABLES TO aad_warned',
        ),
        /permission denied to change default privileges/,
      );
    } finally {
      await client.end();
    }
    const [rights] = await superuser(
      twin,
      `select exists (select from aclexplode((select datacl from pg_database where datname = 'orders')) a
                       where a.grantee = 'aad_warned'::regrole) as database_acl,
              has_schema_privilege('aad_warned', 'public', 'CREATE') as schema_create,
              has_table_privilege('aad_warned', 'customers', 'SELECT') as table_select`,
      'orders',
    );
    assert.deepEqual(rights, { database_acl: false, schema_create: false, table_select: false });
  });

  test('the owner logs in with its password and can grant all of it; once granted, only it can take it back', async () => {
    await newAppRole(twin, 'aad_owned');
    const owner = await asOwner(twin, 'orders');
    try {
      for (const statement of [
        'GRANT CONNECT ON DATABASE orders TO aad_owned',
        'GRANT USAGE, CREATE ON SCHEMA public TO aad_owned',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aad_owned',
        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO aad_owned',
        'ALTER DEFAULT PRIVILEGES FOR ROLE pgadmin IN SCHEMA public GRANT SELECT ON TABLES TO aad_owned',
      ])
        await owner.client.query(statement);
      assert.deepEqual(owner.notices, []);
    } finally {
      await owner.client.end();
    }
    const dana = await asDana(twin, 'postgres');
    try {
      await assert.rejects(
        dana.client.query('DROP ROLE aad_owned'),
        /role "aad_owned" cannot be dropped because some objects depend on it/,
      );
    } finally {
      await dana.client.end();
    }
  });

  test('a password that is not the owner’s is refused by the server, not by the front', async () => {
    await assert.rejects(
      open(twin, PG_PASSWORD_ADMIN.login, 'not-the-password', 'orders'),
      (error: { code?: string; message: string }) =>
        error.code === '28P01' && /password authentication failed for user "pgadmin"/.test(error.message),
    );
  });

  test('a PATCH with administratorLoginPassword gives the password admin its new password, which ARM never returns', async () => {
    const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
    const patch = (password: string) =>
      arm.lro(
        'PATCH',
        `${RESOURCE_IDS.postgres}?api-version=2025-08-01`,
        { properties: { administratorLoginPassword: password } },
        'azure-async-operation',
      );
    await patch('Twin-New-Pw-2');
    try {
      await assert.rejects(asOwner(twin, 'orders'), /password authentication failed for user "pgadmin"/);
      const owner = await open(twin, 'pgadmin', 'Twin-New-Pw-2', 'orders');
      await owner.client.end();
      assert.ok(!JSON.stringify(twin.store.get(RESOURCE_IDS.postgres)).includes('Twin-New-Pw-2'));
    } finally {
      await patch(PG_PASSWORD_ADMIN.password);
    }
  });

  test('a database made later through ARM belongs to the password admin too', async () => {
    const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
    await arm.lro(
      'PUT',
      `${RESOURCE_IDS.postgres}/databases/invoices?api-version=2025-08-01`,
      { properties: { charset: 'UTF8', collation: 'en_US.utf8' } },
      'azure-async-operation',
    );
    const [database] = await superuser(
      twin,
      "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'invoices'",
    );
    assert.equal(database?.owner, 'pgadmin');
  });
});

describe('a database the Entra admin created itself', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ scenario: 'pg-entra-owned-db', databases: ['postgres'] });
  });
  after(async () => {
    await twin?.close();
  });

  test('belongs to the Entra admin, who can grant on it and on its tables', async () => {
    const [database] = await superuser(
      twin,
      "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'orders'",
    );
    assert.equal(database?.owner, DANA);
    await newAppRole(twin, 'aad_granted');
    const { client, notices } = await asDana(twin, 'orders');
    try {
      await client.query('GRANT CONNECT ON DATABASE orders TO aad_granted');
      await client.query('GRANT USAGE, CREATE ON SCHEMA public TO aad_granted');
      await client.query(
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aad_granted',
      );
      assert.deepEqual(notices, []);
    } finally {
      await client.end();
    }
    const [rights] = await superuser(
      twin,
      "select has_table_privilege('aad_granted', 'customers', 'SELECT,INSERT,UPDATE,DELETE') as tables",
      'orders',
    );
    assert.equal(rights?.tables, true);
  });
});

describe('a server without a password admin', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ scenario: 'pg-no-password-admin', databases: ['postgres'] });
  });
  after(async () => {
    await twin?.close();
  });

  test('has its ARM databases owned by azuresu, whom nobody can log in as', async () => {
    assert.equal(twin.store.get(RESOURCE_IDS.postgres)!.properties!.administratorLogin, undefined);
    const [database] = await superuser(
      twin,
      "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'orders'",
    );
    assert.equal(database?.owner, 'azuresu');
  });
});
