/**
 * The twin's databases follow ARM: logins through `pg` and mysql2 are refused and allowed exactly as
 * the ARM state says, flipping that state between attempts within one test (through the ARM REST API,
 * the admin API and the store), and Azure's role model holds (azure_pg_admin without superuser,
 * the extension allow-list, a MySQL admin without SUPER, CREATE AADUSER needing Graph roles).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ArmResource } from '../azure-twin/api.ts';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { armRest } from '../azure-twin/testing/arm-rest.ts';

const DANA = 'dana@contoso.twin.test';
const PG_HOST = `${NAMES.postgres}.postgres.twin.test`;

let twin: Twin;

before(async () => {
  const started = performance.now();
  twin = await startTwin({ scenario: 'healthy', databases: true });
  // Reported, not asserted: the start time with both databases (templates cached after the first run).
  process.stdout.write(`# twin start with databases: ${Math.round(performance.now() - started)} ms\n`);
});

after(async () => {
  await twin?.close();
});

function pgLogin(user: string, password: string, database = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user,
    password,
    database,
    // The SNI names the server, as a client dialling <name>.postgres.database.azure.com sends it.
    ssl: { ca: twin.caPem, servername: PG_HOST },
  });
  return client.connect().then(() => client);
}

async function pgWorks(user: string, password: string): Promise<void> {
  const client = await pgLogin(user, password);
  await client.end();
}

async function pgRefused(user: string, password: string): Promise<{ code?: string; message: string }> {
  try {
    await (await pgLogin(user, password)).end();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  assert.fail(`${user} got in`);
}

function mysqlLogin(user: string, password: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...twin.databaseEndpoints.mysql!,
    user,
    password,
    // mysql2 sends no SNI for an IP address: the twin then picks the only MySQL server there is.
    ssl: { ca: twin.caPem },
    enableCleartextPlugin: true,
  });
}

async function mysqlRefused(
  user: string,
  password: string,
): Promise<{ errno?: number; code?: string; message: string }> {
  try {
    await (await mysqlLogin(user, password)).end();
  } catch (error) {
    return error as { errno?: number; code?: string; message: string };
  }
  assert.fail(`${user} got in`);
}

/** Changes a stored ARM resource in place, as a finished ARM write would. */
function patchStored(id: string, change: (resource: ArmResource) => void): void {
  const resource = structuredClone(twin.store.get(id)!);
  change(resource);
  twin.store.put(resource);
}

function setState(id: string, state: string): void {
  patchStored(id, (r) => {
    r.properties!.state = state;
  });
}

async function setClientIp(clientIp: string): Promise<void> {
  const answer = await fetch(`${twin.baseUrl}/_twin/client-ip`, {
    method: 'POST',
    headers: { 'x-twin-admin': twin.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ clientIp }),
  });
  assert.equal(answer.status, 200, await answer.text());
}

const resetByPeer = (e: { code?: string; message: string }) =>
  e.code === 'ECONNRESET' || /ECONNRESET|terminated unexpectedly|socket hang up/i.test(e.message);

test('PostgreSQL logins follow authConfig, state and firewall as ARM says them, attempt by attempt', async () => {
  const token = twin.tokens.issue(IDS.dana, 'ossrdbms');
  const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  const patchServer = async (properties: unknown) => {
    await arm.lro(
      'PATCH',
      `${RESOURCE_IDS.postgres}?api-version=2025-08-01`,
      { properties },
      'azure-async-operation',
    );
  };
  await pgWorks(DANA, token);

  // A password role, made by the Entra admin (CREATEROLE) for the password half of authConfig.
  const admin = await pgLogin(DANA, token);
  await admin.query(`CREATE ROLE "app_pw" LOGIN PASSWORD 'Pw-not-a-token-1'`);
  await admin.end();
  await pgWorks('app_pw', 'Pw-not-a-token-1');

  await patchServer({ authConfig: { activeDirectoryAuth: 'Disabled' } });
  const tokenRefused = await pgRefused(DANA, token);
  assert.equal(tokenRefused.code, '28P01');
  assert.equal(tokenRefused.message, `password authentication failed for user "${DANA}"`);
  await pgWorks('app_pw', 'Pw-not-a-token-1');

  await patchServer({ authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled' } });
  await pgWorks(DANA, token);
  const passwordRefused = await pgRefused('app_pw', 'Pw-not-a-token-1');
  assert.equal(passwordRefused.code, '28P01');
  assert.equal(passwordRefused.message, 'password authentication failed for user "app_pw"');

  setState(RESOURCE_IDS.postgres, 'Stopped');
  assert.ok(resetByPeer(await pgRefused(DANA, token)));
  setState(RESOURCE_IDS.postgres, 'Ready');
  await pgWorks(DANA, token);

  await setClientIp('203.0.113.7');
  try {
    const walled = await pgRefused(DANA, token);
    assert.equal(walled.code, '28000');
    assert.equal(
      walled.message,
      `no pg_hba.conf entry for host "203.0.113.7", user "${DANA}", database "postgres", SSL encryption`,
    );
    await arm.lro(
      'PUT',
      `${RESOURCE_IDS.postgres}/firewallRules/office?api-version=2025-08-01`,
      { properties: { startIpAddress: '203.0.113.0', endIpAddress: '203.0.113.255' } },
      'azure-async-operation',
    );
    await pgWorks(DANA, token);
  } finally {
    await setClientIp('127.0.0.1');
  }

  const wrongAudience = await pgRefused(DANA, twin.tokens.issue(IDS.dana, 'arm'));
  assert.match(wrongAudience.message, /^The access token does not have a valid audience claim\./);
  // Password logins as the scenario had them, for the tests after this one.
  await patchServer({ authConfig: { passwordAuth: 'Enabled' } });
  await pgWorks('app_pw', 'Pw-not-a-token-1');
});

test("PostgreSQL has Azure's role model: admins in azure_pg_admin with CREATEROLE, no superuser within reach", async () => {
  const token = twin.tokens.issue(IDS.dana, 'ossrdbms');
  const client = await pgLogin(DANA, token);
  try {
    const { rows } = await client.query(
      `SELECT r.rolsuper, r.rolcreaterole, pg_has_role(r.rolname, 'azure_pg_admin', 'MEMBER') AS in_admin,
              (SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles WHERE rolsuper) AS superusers,
              current_setting('server_version_num')::int / 10000 AS major
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    assert.deepEqual(rows, [
      { rolsuper: false, rolcreaterole: true, in_admin: true, superusers: ['azuresu'], major: 17 },
    ]);
    await assert.rejects(
      client.query(`ALTER ROLE "${DANA}" SUPERUSER`),
      (e: { code?: string }) => e.code === '42501',
    );
    // PostgreSQL 16+ CREATEROLE rules: what the admin creates through pgaadauth, it may drop again.
    const app = twin.world.principals.find(
      (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
    )!;
    await client.query(
      `SELECT * FROM pgaadauth_create_principal_with_oid('app_role', $1, 'service', false, false)`,
      [app.objectId],
    );
    await client.query('DROP ROLE "app_role"');
  } finally {
    await client.end();
  }
  const superuser = await pgRefused('azuresu', token);
  assert.equal(superuser.code, '28000');
  assert.match(superuser.message, /^no pg_hba\.conf entry for host "127\.0\.0\.1", user "azuresu"/);
});

test("CREATE EXTENSION outside azure.extensions is refused with Azure's text", async () => {
  // As the owner of orders (the password admin, an azure_pg_admin member): an Entra admin is refused
  // earlier there, for lack of CREATE on a database it does not own.
  const client = await pgLogin(PG_PASSWORD_ADMIN.login, PG_PASSWORD_ADMIN.password, NAMES.database);
  try {
    assert.deepEqual((await client.query('SHOW azure.extensions')).rows, [{ 'azure.extensions': '' }]);
    await assert.rejects(
      client.query('CREATE EXTENSION "uuid-ossp"'),
      (e: { code?: string; message: string; hint?: string }) => {
        assert.equal(e.code, '0A000');
        assert.equal(
          e.message,
          'extension "uuid-ossp" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL',
        );
        assert.equal(
          e.hint,
          'to see the full allow list of extensions, please run: "show azure.extensions;"',
        );
        return true;
      },
    );
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'uuid-ossp'`,
    );
    assert.deepEqual(rows, [{ n: 0 }]);
  } finally {
    await client.end();
  }
});

test('MySQL logins follow state, firewall, aad_auth_only, identity and admin as ARM says them', async () => {
  const token = twin.tokens.issue(IDS.dana, 'ossrdbms');
  const works = async () => (await mysqlLogin(DANA, token)).end();
  const arm = armRest(twin.baseUrl, twin.tokens.credential(IDS.dana));
  await works();

  const setAadOnly = (value: 'ON' | 'OFF') =>
    arm.lro(
      'PUT',
      `${RESOURCE_IDS.mysql}/configurations/aad_auth_only?api-version=2023-12-30`,
      { properties: { value, source: 'user-override' } },
      'azure-async-operation',
    );
  const plainWrong = await mysqlRefused(DANA, 'a-password');
  assert.equal(plainWrong.errno, 1045);
  await setAadOnly('ON');
  const entraOnly = await mysqlRefused(DANA, 'a-password');
  assert.equal(entraOnly.errno, 9107);
  assert.equal(entraOnly.message, 'Only Microsoft Entra accounts are allowed to connect to server');
  await works();
  await setAadOnly('OFF');
  assert.equal((await mysqlRefused(DANA, 'a-password')).errno, 1045);

  const server = structuredClone(twin.store.get(RESOURCE_IDS.mysql)!);
  patchStored(RESOURCE_IDS.mysql, (r) => {
    delete r.identity;
  });
  const noIdentity = await mysqlRefused(DANA, token);
  assert.equal(noIdentity.errno, 1045);
  assert.equal(noIdentity.message, `Access denied for user '${DANA}'@'127.0.0.1' (using password: YES)`);
  twin.store.put(server);
  await works();

  const adminId = `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`;
  const adminResource = structuredClone(twin.store.get(adminId)!);
  twin.store.delete(adminId);
  assert.equal((await mysqlRefused(DANA, token)).errno, 1045);
  twin.store.put(adminResource);
  await works();

  setState(RESOURCE_IDS.mysql, 'Stopped');
  assert.ok(resetByPeer(await mysqlRefused(DANA, token)));
  setState(RESOURCE_IDS.mysql, 'Ready');
  await works();

  await setClientIp('198.51.100.20');
  try {
    const walled = await mysqlRefused(DANA, token);
    assert.equal(walled.errno, 9000);
    assert.equal(
      walled.message,
      "Client with IP address '198.51.100.20' is not allowed to connect to this MySQL server.",
    );
  } finally {
    await setClientIp('127.0.0.1');
  }
  await works();
});

test("the MySQL Entra admin has no SUPER-like rights, and CREATE AADUSER needs the identity's Graph roles", async () => {
  const connection = await mysqlLogin(DANA, twin.tokens.issue(IDS.dana, 'ossrdbms'));
  try {
    await assert.rejects(
      connection.query('SET GLOBAL max_connections = 300'),
      (e: { errno?: number }) => e.errno === 1227,
    );
    await assert.rejects(connection.query(`GRANT SUPER ON *.* TO '${DANA}'@'%'`), (e: { errno?: number }) =>
      [1044, 1045, 1227].includes(e.errno ?? 0),
    );

    const app = twin.world.principals.find(
      (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
    )!;
    await connection.query('SET aad_auth_validate_oids_in_tenant = OFF');
    await connection.query(`CREATE AADUSER 'orders_app' IDENTIFIED BY '${app.appId}'`);
    await connection.query(`GRANT ALL PRIVILEGES ON \`${NAMES.database}\`.* TO 'orders_app'@'%'`);

    const grants = twin.world.appRoleAssignments;
    twin.world.appRoleAssignments = [];
    try {
      await assert.rejects(
        connection.query(`CREATE AADUSER 'orders_app2' IDENTIFIED BY '${app.appId}'`),
        (e: { errno?: number; message: string }) =>
          e.errno === 9102 &&
          e.message === "An unexpected error occurred while trying to validate user 'orders_app2'.",
      );
    } finally {
      twin.world.appRoleAssignments = grants;
    }
  } finally {
    await connection.end();
  }
});

test('the client address is set through the admin API, which refuses what is not an IPv4 address', async () => {
  const post = (body: unknown) =>
    fetch(`${twin.baseUrl}/_twin/client-ip`, {
      method: 'POST',
      headers: { 'x-twin-admin': twin.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const bad = await post({ clientIp: '203.0.113.300' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'InvalidClientIp');
  assert.equal(twin.world.clientIp ?? '127.0.0.1', '127.0.0.1');
  const good = await post({ clientIp: '192.0.2.10' });
  assert.deepEqual(await good.json(), { clientIp: '192.0.2.10' });
  assert.equal(twin.state().world.clientIp, '192.0.2.10');
  await setClientIp('127.0.0.1');
});

test('through the front proxy: no TLS is refused with the no-encryption text, and a query can be cancelled', async () => {
  const plain = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user: DANA,
    password: 'x',
    database: 'postgres',
    ssl: false,
  });
  await assert.rejects(
    plain.connect(),
    (e: { code?: string; message: string }) =>
      e.code === '28000' &&
      e.message ===
        `no pg_hba.conf entry for host "127.0.0.1", user "${DANA}", database "postgres", no encryption`,
  );

  const client = await pgLogin(DANA, twin.tokens.issue(IDS.dana, 'ossrdbms'));
  try {
    const slow = client.query('SELECT pg_sleep(30)');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A CancelRequest (protocol-flow "Canceling Requests"), sent on a new plain connection as libpq does.
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    const cancel = Buffer.alloc(16);
    cancel.writeInt32BE(16, 0);
    cancel.writeInt32BE(80877102, 4);
    cancel.writeInt32BE(processID, 8);
    cancel.writeInt32BE(secretKey, 12);
    const socket = connect(twin.databaseEndpoints.postgres!.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.end(cancel);
    await assert.rejects(slow, (e: { code?: string }) => e.code === '57014');
  } finally {
    await client.end();
  }
});
