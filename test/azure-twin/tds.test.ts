/**
 * The twin's Azure SQL stand-in, driven by tedious itself over verified TLS with the server's Azure
 * host name: Entra token logins decided from ARM and the token, the user/role/grant statements of the
 * SQL setup flow, the catalogue views, Azure's error numbers, and the catalogue in the state endpoint.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Request, TYPES } from 'tedious';
import type { Principal } from './api.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';
import { addUser, databaseCatalog } from './tds/catalog.ts';
import { type SqlLogin, sqlLogin } from './testing/tedious-client.ts';

let twin: Twin;
let app: Principal;
let adminToken: string;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
  app = twin.world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  )!;
  adminToken = twin.tokens.issue(IDS.dana, 'sql');
});
after(() => twin.close());

type Session = Extract<SqlLogin, { ok: true }>;

async function session(token = adminToken, database?: string): Promise<Session> {
  const login = await sqlLogin(twin, token, database ? { database } : {});
  if (!login.ok) assert.fail(`login refused: ${login.message}`);
  return login;
}

async function refused(token: string, database?: string): Promise<{ numbers: number[]; message: string }> {
  const login = await sqlLogin(twin, token, database ? { database } : {});
  if (login.ok) {
    login.close();
    assert.fail('login was accepted');
  }
  return { numbers: login.diagnostics.map((d) => d.number), message: login.message };
}

async function failsWith(db: Session, sql: string, number: number): Promise<string> {
  const error = (await db.query(sql).then(
    () => assert.fail(`no error for: ${sql}`),
    (e: unknown) => e,
  )) as { number?: number; message: string };
  assert.equal(error.number, number, error.message);
  return error.message;
}

function addPrincipal(displayName: string, objectId: string, appId: string): Principal {
  return twin.context.addPrincipal({
    objectId,
    appId,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName,
  });
}

describe('the Entra admin sets up the web app identity', () => {
  test('creates the user from Entra, adds roles and grants, and the views and state show them', async () => {
    const before = twin.state().sql;
    const db = await session();
    try {
      assert.deepEqual(
        await db.query('SELECT SUSER_SNAME() AS login, USER_NAME() AS [user], DB_NAME() AS db'),
        [{ login: `dana@${twin.world.tenantDomain}`, user: 'dbo', db: 'orders' }],
      );
      await db.query(`CREATE USER [${app.displayName}] FROM EXTERNAL PROVIDER;
        ALTER ROLE db_datareader ADD MEMBER [${app.displayName}];
        ALTER ROLE db_datawriter ADD MEMBER [${app.displayName}];
        ALTER ROLE db_ddladmin ADD MEMBER [${app.displayName}];`);
      const users = await db.query(
        "SELECT name, type, type_desc, CAST(sid AS uniqueidentifier) AS client_id FROM sys.database_principals WHERE type IN ('E', 'X')",
      );
      // Azure stores an application's client id as the SID of its database user.
      assert.deepEqual(users, [
        { name: app.displayName, type: 'E', type_desc: 'EXTERNAL_USER', client_id: app.appId!.toUpperCase() },
      ]);
      const members = await db.query(`SELECT r.name AS role, m.name AS member
        FROM sys.database_role_members AS rm
        JOIN sys.database_principals AS r ON rm.role_principal_id = r.principal_id
        JOIN sys.database_principals AS m ON rm.member_principal_id = m.principal_id
        WHERE m.name = N'${app.displayName}' ORDER BY r.name`);
      assert.deepEqual(members, [
        { role: 'db_datareader', member: app.displayName },
        { role: 'db_datawriter', member: app.displayName },
        { role: 'db_ddladmin', member: app.displayName },
      ]);
      await db.query(`GRANT CONTROL ON DATABASE::[orders] TO [${app.displayName}]`);
      assert.deepEqual(
        await db.query(
          `SELECT p.permission_name, p.state_desc FROM sys.database_permissions p JOIN sys.database_principals u ON p.grantee_principal_id = u.principal_id WHERE u.name = '${app.displayName}' ORDER BY p.permission_name`,
        ),
        [
          { permission_name: 'CONNECT', state_desc: 'GRANT' },
          { permission_name: 'CONTROL', state_desc: 'GRANT' },
        ],
      );
      await db.query(`REVOKE CONTROL ON DATABASE::[orders] FROM [${app.displayName}]`);
    } finally {
      db.close();
    }
    assert.deepEqual(before.servers['sql-orders']?.databases.orders?.users ?? [], []);
    const orders = twin.state().sql.servers['sql-orders']!.databases.orders!;
    assert.deepEqual(
      orders.users.map((u) => [u.name, u.objectId, u.createdBy]),
      [[app.displayName, app.objectId, IDS.dana]],
    );
    assert.deepEqual(orders.roles, {
      db_datareader: [app.displayName],
      db_datawriter: [app.displayName],
      db_ddladmin: [app.displayName],
    });
    const stateOverHttp = (await (
      await fetch(`${twin.baseUrl}/_twin/state`, { headers: { 'x-twin-admin': twin.adminKey } })
    ).json()) as { sql: typeof orders extends never ? never : { servers: Record<string, unknown> } };
    assert.ok(JSON.stringify(stateOverHttp.sql).includes(app.objectId));
  });

  test('the app then logs in as its own database user and may not create users', async () => {
    const db = await session(twin.tokens.issue(app.objectId, 'sql'));
    try {
      assert.deepEqual(
        await db.query(
          "SELECT USER_NAME() AS u, IS_ROLEMEMBER('db_datareader') AS reader, IS_ROLEMEMBER('db_owner') AS owner",
        ),
        [{ u: app.displayName, reader: 1, owner: 0 }],
      );
      await failsWith(db, `CREATE USER [dana@${twin.world.tenantDomain}] FROM EXTERNAL PROVIDER`, 15247);
      await failsWith(db, `ALTER ROLE db_owner ADD MEMBER [${app.displayName}]`, 15151);
      await failsWith(db, `DROP USER [${app.displayName}]`, 15151);
    } finally {
      db.close();
    }
  });

  test('duplicate users are 15023 and unknown or ambiguous principals 33130 / 33131', async () => {
    addPrincipal(
      'twin-twins',
      '11111111-0000-4000-8000-000000000001',
      '11111111-0000-4000-8000-0000000000a1',
    );
    addPrincipal(
      'twin-twins',
      '11111111-0000-4000-8000-000000000002',
      '11111111-0000-4000-8000-0000000000a2',
    );
    const db = await session();
    try {
      assert.match(
        await failsWith(db, `CREATE USER [${app.displayName}] FROM EXTERNAL PROVIDER`, 15023),
        /already exists in the current database/,
      );
      assert.equal(
        await failsWith(db, 'CREATE USER [nobody-here] FROM EXTERNAL PROVIDER', 33130),
        "Principal 'nobody-here' could not be found or this principal type is not supported.",
      );
      await failsWith(db, 'CREATE USER [twin-twins] FROM EXTERNAL PROVIDER', 33131);
      // The non-unique-names form picks one by object id.
      await db.query(
        "CREATE USER [twin-twins] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '11111111-0000-4000-8000-000000000002'",
      );
      assert.deepEqual(
        await db.query(
          "SELECT CONVERT(uniqueidentifier, sid) AS id FROM sys.database_principals WHERE name = 'TWIN-TWINS'",
        ),
        [{ id: '11111111-0000-4000-8000-0000000000A2' }],
      );
      await db.query('DROP USER [twin-twins]');
      await db.query('DROP USER IF EXISTS [twin-twins]');
      await failsWith(db, 'DROP USER [twin-twins]', 15151);
    } finally {
      db.close();
    }
  });

  test('IF NOT EXISTS forms and the database-user check queries', async () => {
    const db = await session();
    try {
      const ensure = `IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'${app.displayName}')
        BEGIN CREATE USER [${app.displayName}] FROM EXTERNAL PROVIDER END
        SELECT COUNT(*) AS users FROM sys.database_principals WHERE name = N'${app.displayName}'`;
      assert.deepEqual(await db.query(ensure), [{ users: 1 }]);
      const check = await db.query(`SELECT dp.name, dp.type_desc, dp.sid, r.name AS role
        FROM sys.database_principals dp
        LEFT JOIN sys.database_role_members rm ON rm.member_principal_id = dp.principal_id
        LEFT JOIN sys.database_principals r ON r.principal_id = rm.role_principal_id
        WHERE dp.sid = 0x${Buffer.from(sidHex(app.appId!), 'hex').toString('hex')} ORDER BY role`);
      assert.deepEqual(
        check.map((row) => row.role),
        ['db_datareader', 'db_datawriter', 'db_ddladmin'],
      );
      assert.ok(Buffer.isBuffer(check[0]!.sid));
    } finally {
      db.close();
    }
  });
});

function sidHex(guid: string): string {
  const h = guid.replace(/-/g, '');
  const swap = (s: string) => s.match(/../g)!.reverse().join('');
  return swap(h.slice(0, 8)) + swap(h.slice(8, 12)) + swap(h.slice(12, 16)) + h.slice(16);
}

describe('logins Azure refuses', () => {
  test('a token for another audience is 18456', async () => {
    const result = await refused(twin.tokens.issue(IDS.dana, 'arm'));
    assert.deepEqual(result.numbers, [18456]);
    assert.equal(result.message, "Login failed for user '<token-identified principal>'.");
  });

  test("a token that is not the twin's is 18456", async () => {
    const [header, payload] = adminToken.split('.');
    assert.deepEqual((await refused(`${header}.${payload}.forged`)).numbers, [18456]);
  });

  test('an expired token is 18456', async () => {
    const token = twin.tokens.issue(IDS.dana, 'sql');
    twin.clock.advance(5 * 3600);
    try {
      assert.deepEqual((await refused(token)).numbers, [18456]);
    } finally {
      twin.clock.advance(-5 * 3600);
    }
  });

  test('a principal without a user in the database is 18456', async () => {
    const stranger = addPrincipal(
      'stranger',
      '22222222-0000-4000-8000-000000000001',
      '22222222-0000-4000-8000-0000000000a1',
    );
    assert.deepEqual((await refused(twin.tokens.issue(stranger.objectId, 'sql'))).numbers, [18456]);
  });

  test('a client address outside the firewall rules is 40615 naming the address', async () => {
    twin.world.clientIp = '203.0.113.7';
    try {
      const result = await refused(adminToken);
      assert.deepEqual(result.numbers, [40615]);
      assert.match(
        result.message,
        /^Cannot open server 'sql-orders' requested by the login\. Client with IP address '203\.0\.113\.7' is not allowed to access the server\./,
      );
    } finally {
      delete twin.world.clientIp;
    }
  });

  test('a database ARM does not have is 4060', async () => {
    const result = await refused(adminToken, 'nope');
    assert.deepEqual(result.numbers, [4060]);
    assert.equal(result.message, 'Cannot open database "nope" requested by the login. The login failed.');
  });

  test('an unknown server name is 40532', async () => {
    const login = await sqlLogin(twin, adminToken, { server: 'sql-gone.database.twin.test' });
    assert.ok(!login.ok);
    assert.deepEqual(
      login.diagnostics.map((d) => d.number),
      [40532],
    );
  });
});

describe('statements', () => {
  test('hostile names round-trip through ]] and never run as statements', async () => {
    const hostile = "o]r'd;ers 🚀 ünï";
    addPrincipal(hostile, '33333333-0000-4000-8000-000000000001', '33333333-0000-4000-8000-0000000000a1');
    const db = await session();
    try {
      await db.query(`CREATE USER [${hostile.replace(/]/g, ']]')}] FROM EXTERNAL PROVIDER`);
      assert.deepEqual(
        await db.query(
          `SELECT name FROM sys.database_principals WHERE name = N'${hostile.replace(/'/g, "''")}'`,
        ),
        [{ name: hostile }],
      );
      // Unescaped, the name ends early and the rest is not a statement the batch may run.
      await failsWith(db, `CREATE USER [x]; DROP USER [${app.displayName}]; --] FROM EXTERNAL PROVIDER`, 102);
      assert.equal(
        (await db.query(`SELECT name FROM sys.database_principals WHERE name = '${app.displayName}'`)).length,
        1,
      );
      await failsWith(db, `CREATE USER [${'a'.repeat(129)}] FROM EXTERNAL PROVIDER`, 103);
      await failsWith(db, 'CREATE USER [] FROM EXTERNAL PROVIDER', 1038);
      await failsWith(db, "SELECT name FROM sys.database_principals WHERE name = 'open", 105);
      await db.query(`DROP USER [${hostile.replace(/]/g, ']]')}]`);
    } finally {
      db.close();
    }
  });

  test('what the stand-in does not understand is an error, never a silent success', async () => {
    const db = await session();
    try {
      await failsWith(db, 'CREATE TABLE t (id int)', 102);
      await failsWith(db, 'SELECT * FROM dbo.orders', 208);
      await failsWith(db, 'SELECT nonsense FROM sys.database_principals', 207);
      await failsWith(db, 'USE master', 40508);
      // Bound at compile time, even when no row would reach the expression.
      await failsWith(
        db,
        'SELECT name FROM sys.database_principals WHERE 1 = 0 AND NO_SUCH_FN(name) = 1',
        195,
      );
      await failsWith(db, 'SELECT p.name FROM sys.database_principals p WHERE 1 = 0 AND q.name = 1', 4104);
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      db.close();
    }
  });
});

test('tedious with a token credential asks for the SPN the server names (FEDAUTHINFO) and gets in', async () => {
  const login = await sqlLogin(twin, '', {
    authentication: { type: 'token-credential', options: { credential: twin.tokens.credential(IDS.dana) } },
  });
  assert.ok(login.ok, login.ok ? '' : login.message);
  try {
    assert.deepEqual(await login.query('SELECT USER_NAME() AS u'), [{ u: 'dbo' }]);
  } finally {
    login.close();
  }
});

test('execSql (sp_executesql over RPC) binds parameters of the types the check queries use', async () => {
  const db = await session();
  try {
    const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const found: Record<string, unknown>[] = [];
      const request = new Request(
        'SELECT name, principal_id FROM sys.database_principals WHERE name = @name AND principal_id > @min OR CAST(sid AS uniqueidentifier) = @sid',
        (error) => (error ? reject(error) : resolve(found)),
      );
      request.addParameter('name', TYPES.NVarChar, app.displayName);
      request.addParameter('min', TYPES.Int, 4);
      request.addParameter('sid', TYPES.UniqueIdentifier, '00000000-0000-0000-0000-000000000000');
      request.on('row', (columns) => {
        found.push(
          Object.fromEntries(
            columns.map((c: { metadata: { colName: string }; value: unknown }) => [
              c.metadata.colName,
              c.value,
            ]),
          ),
        );
      });
      db.connection.execSql(request);
    });
    assert.deepEqual(
      rows.map((r) => r.name),
      [app.displayName],
    );
    const missing = await new Promise<{ number?: number }>((resolve) => {
      db.connection.execSql(new Request('SELECT @nothing', (error) => resolve(error as { number?: number })));
    });
    assert.equal(missing.number, 137);
  } finally {
    db.close();
  }
});

test('a server with public network access disabled refuses public logins with 47073', async () => {
  const server = twin.store.get(RESOURCE_IDS.sql)!;
  twin.store.put({ ...server, properties: { ...server.properties, publicNetworkAccess: 'Disabled' } });
  try {
    assert.deepEqual((await refused(adminToken)).numbers, [47073]);
  } finally {
    twin.store.put(server);
  }
});

test('a member of the Entra group that is the server admin logs in as dbo', async () => {
  const admin = twin.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!;
  const groupId = '44444444-0000-4000-8000-000000000001';
  const member = addPrincipal(
    'group-member',
    '44444444-0000-4000-8000-000000000002',
    '44444444-0000-4000-8000-0000000000a2',
  );
  // World.groups: Entra groups with their direct members (object ids).
  Object.assign(twin.world, {
    groups: [{ objectId: groupId, displayName: 'sql-admins', members: [member.objectId] }],
  });
  twin.store.put({ ...admin, properties: { ...admin.properties, login: 'sql-admins', sid: groupId } });
  try {
    const db = await session(twin.tokens.issue(member.objectId, 'sql'));
    try {
      assert.deepEqual(await db.query('SELECT USER_NAME() AS u'), [{ u: 'dbo' }]);
    } finally {
      db.close();
    }
    assert.deepEqual((await refused(adminToken)).numbers, [18456], 'Dana is no longer the admin');
  } finally {
    twin.store.put(admin);
    Object.assign(twin.world, { groups: [] });
  }
});

test('a result larger than the packet size arrives whole', async () => {
  const db = await session();
  const names: string[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      const name = `bulk-${String(i).padStart(2, '0')}-${'x'.repeat(110)}`;
      addPrincipal(
        name,
        `55555555-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
        `55555555-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
      );
      names.push(name);
    }
    await db.query(names.map((n) => `CREATE USER [${n}] FROM EXTERNAL PROVIDER;`).join('\n'));
    const rows = await db.query(
      "SELECT name, sid FROM sys.database_principals WHERE name LIKE 'bulk-%' ORDER BY name",
    );
    assert.deepEqual(
      rows.map((r) => r.name),
      names,
    );
    await db.query(names.map((n) => `DROP USER [${n}];`).join('\n'));
  } finally {
    db.close();
  }
});

test('a user seeded into the catalogue (from an earlier setup) can log in and is the one CREATE USER finds', async () => {
  const earlier = addPrincipal(
    'earlier-app',
    '66666666-0000-4000-8000-000000000001',
    '66666666-0000-4000-8000-0000000000a1',
  );
  addUser(databaseCatalog(twin.sqlCatalog, 'sql-orders', 'orders'), 'earlier-app', earlier, IDS.dana);
  const db = await session(twin.tokens.issue(earlier.objectId, 'sql'));
  try {
    assert.deepEqual(await db.query('SELECT USER_NAME() AS u'), [{ u: 'earlier-app' }]);
  } finally {
    db.close();
  }
  const admin = await session();
  try {
    await failsWith(admin, 'CREATE USER [earlier-app] FROM EXTERNAL PROVIDER', 15023);
    await admin.query('DROP USER [earlier-app]');
  } finally {
    admin.close();
  }
  assert.deepEqual((await refused(twin.tokens.issue(earlier.objectId, 'sql'))).numbers, [18456]);
});

test('a client that does not encrypt is told the server requires it, as Azure SQL does', async () => {
  const login = await sqlLogin(twin, adminToken, { encrypt: false });
  assert.ok(!login.ok);
  assert.match(login.message, /Server requires encryption/);
});

test('garbage and half-finished handshakes end only their own connection', async () => {
  const endpoint = twin.databaseEndpoints.sql!;
  const closed = (bytes: Buffer) =>
    new Promise<void>((resolve) => {
      const socket = connect(endpoint.port, endpoint.host, () => socket.end(bytes));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.resume();
    });
  await closed(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  // A PRELOGIN header that promises more than it sends, then hangs up.
  await closed(Buffer.from([0x12, 0x01, 0x00, 0x40, 0, 0, 1, 0, 0, 0]));
  const db = await session();
  try {
    assert.deepEqual(await db.query('SELECT 1 AS ok'), [{ ok: 1 }]);
  } finally {
    db.close();
  }
});
