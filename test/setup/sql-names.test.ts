/**
 * Names in the Azure SQL flow: hostile user, identity and database names are bracketed with `]`
 * doubled and never end a statement; a display name shared by two principals (33131) is created
 * `WITH OBJECT_ID`; a user of that name mapped to another identity is dropped only with consent, and
 * comes back on undo. `--grants owner` gives the Azure CLI's CONTROL on the database; `--no-linker`
 * writes the AZURE_SQL_* settings directly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sqlProblemsOf } from '../../source/setup/sql/index.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { addUser, databaseCatalog, sidOf } from '../azure-twin/tds/catalog.ts';
import { sqlLogin } from '../azure-twin/testing/tedious-client.ts';
import {
  catalogueOf,
  ordersUsers,
  runSqlSetup,
  servicesFor,
  sqlInputFor,
  stateOf,
  undoSqlRun,
} from './sql-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
});
after(async () => {
  await twin?.close();
});

function addSp(displayName: string, n: number) {
  const hex = String(n).padStart(12, '0');
  return twin.context.addPrincipal({
    objectId: `7e570000-0000-4000-8000-${hex}`,
    appId: `7e57a000-0000-4000-8000-${hex}`,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName,
  });
}

test('names SQL Server or Service Connector would refuse are reported before any step', () => {
  assert.deepEqual(sqlProblemsOf(sqlInputFor(twin, { dbUser: 'u'.repeat(128) })), []);
  assert.match(
    sqlProblemsOf(sqlInputFor(twin, { dbUser: 'u'.repeat(129) })).join('\n'),
    /longer than SQL Server's 128/,
  );
  assert.match(sqlProblemsOf(sqlInputFor(twin, { dbUser: 'a\nb' })).join('\n'), /control characters/);
  assert.match(sqlProblemsOf(sqlInputFor(twin, { dbUser: '' })).join('\n'), /is empty/);
  assert.match(
    sqlProblemsOf(sqlInputFor(twin, { connectionName: "x'; drop" })).join('\n'),
    /not valid for Service Connector/,
  );
});

test('a hostile --db-user is created exactly as named, and nothing else changes', async () => {
  const hostile = `o]r'd;ers 🚀 ünï]; DROP USER [dbo]; --${'x'.repeat(90)}`;
  assert.ok(hostile.length <= 128);
  const catalogueBefore = catalogueOf(twin);
  const stateBefore = stateOf(twin);
  const { result, journal } = await runSqlSetup(
    twin,
    sqlInputFor(twin, { dbUser: hostile, connectionName: 'orders_hostile' }),
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const app = twin.world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  )!;
  assert.deepEqual(ordersUsers(twin), [
    {
      name: hostile,
      objectId: app.objectId,
      sid: sidOf(app.appId!),
      roles: ['db_datareader', 'db_datawriter', 'db_ddladmin'],
      permissions: ['GRANT CONNECT'],
    },
  ]);
  const linker = twin.store.get(
    `${RESOURCE_IDS.webApp}/providers/Microsoft.ServiceLinker/linkers/orders_hostile`,
  )!;
  assert.equal((linker.properties as any).authInfo.userName, hostile);
  const undone = await undoSqlRun(twin, journal, result.runId);
  assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  assert.deepEqual(catalogueOf(twin), catalogueBefore);
  assert.deepEqual(stateOf(twin), stateBefore);
});

test("a service principal's hostile display name is resolved in Entra, never run as SQL", async () => {
  const sp = addSp("sp]; DROP USER [dbo]; --'é", 1);
  const { result, journal } = await runSqlSetup(
    twin,
    sqlInputFor(twin, { auth: { kind: 'sp', clientId: sp.appId! }, connectionName: 'orders_sp_hostile' }),
    { services: servicesFor(twin, { SC_DOCTOR_APP_CLIENT_SECRET: 'sp-secret~1' }) },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.deepEqual(
    ordersUsers(twin).map((u) => [u.name, u.objectId]),
    [[sp.displayName, sp.objectId]],
  );
  assert.equal((await undoSqlRun(twin, journal, result.runId)).status, 'undone');
});

test('a display name two principals share (33131) is created WITH OBJECT_ID, mapped to the right one', async () => {
  addSp('orders-dup', 2);
  const mine = addSp('orders-dup', 3);
  const { result, journal } = await runSqlSetup(
    twin,
    sqlInputFor(twin, { auth: { kind: 'sp', clientId: mine.appId! }, connectionName: 'orders_dup' }),
    { services: servicesFor(twin, { SC_DOCTOR_APP_CLIENT_SECRET: 'sp-secret~2' }) },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.deepEqual(
    ordersUsers(twin).map((u) => [u.name, u.objectId, u.sid]),
    [['orders-dup', mine.objectId, sidOf(mine.appId!)]],
  );
  assert.equal((await undoSqlRun(twin, journal, result.runId)).status, 'undone');
});

test('--grants owner grants CONTROL on a hostile-named database, bracketed', async () => {
  const database = "ord]ers'; DROP USER [dbo]; --";
  const orders = twin.store.get(`${RESOURCE_IDS.sql}/databases/orders`)!;
  twin.store.put({
    ...structuredClone(orders),
    id: `${RESOURCE_IDS.sql}/databases/${database}`,
    name: database,
  });
  try {
    const { result, journal } = await runSqlSetup(
      twin,
      sqlInputFor(twin, { database, grants: 'owner', connectionName: 'orders_owner' }),
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    const db = twin.state().sql.servers['sql-orders']!.databases[database]!;
    assert.deepEqual(
      db.users.map((u) => u.name),
      ['orders-api'],
    );
    assert.deepEqual(db.roles, {});
    assert.deepEqual(db.permissions.map((p) => `${p.state} ${p.permission} ${p.grantee}`).sort(), [
      'GRANT CONNECT orders-api',
      'GRANT CONTROL orders-api',
    ]);
    assert.equal((await undoSqlRun(twin, journal, result.runId)).status, 'undone');
    assert.deepEqual(twin.state().sql.servers['sql-orders']!.databases[database]!.users, []);
  } finally {
    twin.store.delete(`${RESOURCE_IDS.sql}/databases/${database}`);
  }
});

test('a user of that name mapped to another identity is dropped only with consent, and comes back on undo', async () => {
  const old = addSp('orders-api-old', 4);
  const catalog = databaseCatalog(twin.sqlCatalog, 'sql-orders', 'orders');
  addUser(catalog, 'orders-api', old, IDS.dana);
  catalog.roles.db_datareader = ['orders-api'];
  const catalogueBefore = catalogueOf(twin);
  const stateBefore = stateOf(twin);
  try {
    // Without the doctor's finding there is no consent to drop it: the run stops and restores.
    const refused = await runSqlSetup(twin, sqlInputFor(twin, { connectionName: 'orders_stale' }));
    assert.equal(refused.result.exitCode, 1);
    assert.equal(refused.result.failure?.id, 'database-user');
    assert.match(refused.result.failure!.message, /mapped to another identity .*agree to replace it/);
    assert.deepEqual(catalogueOf(twin), catalogueBefore);

    const stale = old.appId!.toUpperCase();
    const declined = await runSqlSetup(
      twin,
      sqlInputFor(twin, { connectionName: 'orders_stale', staleRoleObjectId: stale }),
      { confirm: async (r) => r.id !== 'database-user' },
    );
    assert.match(declined.consents.join('\n'), /database-user: drops the database user orders-api/);
    assert.deepEqual(
      declined.result.notDone.map((n) => n.id),
      ['database-user', 'service-connector', 'verify', 'firewall-temp-remove'],
    );
    assert.deepEqual(catalogueOf(twin), catalogueBefore, 'the user was not dropped');
    assert.equal((await undoSqlRun(twin, declined.journal, declined.result.runId)).status, 'undone');

    const agreed = await runSqlSetup(
      twin,
      sqlInputFor(twin, { connectionName: 'orders_stale', staleRoleObjectId: stale }),
    );
    assert.equal(agreed.result.status, 'succeeded', JSON.stringify(agreed.result.failure));
    const app = twin.world.principals.find(
      (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
    )!;
    assert.deepEqual(
      ordersUsers(twin).map((u) => [u.name, u.objectId, u.roles]),
      [['orders-api', app.objectId, ['db_datareader', 'db_datawriter', 'db_ddladmin']]],
    );
    assert.equal((await undoSqlRun(twin, agreed.journal, agreed.result.runId)).status, 'undone');
    assert.deepEqual(catalogueOf(twin), catalogueBefore, 'the earlier user is back with its role');
    assert.deepEqual(stateOf(twin), stateBefore);
  } finally {
    catalog.users = [];
    catalog.roles = {};
    catalog.permissions = [];
  }
});

test('--no-linker writes the AZURE_SQL_* settings of the client type, keeps the others, and undo restores them', async () => {
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const existing = twin.store.get(settingsId);
  twin.store.put({
    id: settingsId,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    // As App Service stores it (and answers every PUT).
    kind: 'app',
    properties: { KEEP_ME: '1' },
  });
  const stateBefore = stateOf(twin);
  try {
    const { result, journal } = await runSqlSetup(twin, sqlInputFor(twin, { linker: false }));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.deepEqual(twin.store.get(settingsId)!.properties, {
      KEEP_ME: '1',
      AZURE_SQL_SERVER: 'sql-orders.database.twin.test',
      AZURE_SQL_PORT: '1433',
      AZURE_SQL_DATABASE: 'orders',
      AZURE_SQL_AUTHENTICATIONTYPE: 'azure-active-directory-default',
    });
    assert.equal((await undoSqlRun(twin, journal, result.runId)).status, 'undone');
    assert.deepEqual(stateOf(twin), stateBefore);
  } finally {
    if (existing) twin.store.put(existing);
    else twin.store.delete(settingsId);
  }
});

test('reachable only from its network: the user statements go to a sqlcmd script that creates it exactly', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sc-doctor-sql-handoff-'));
  const stateBefore = stateOf(twin);
  const { result, journal } = await runSqlSetup(
    twin,
    sqlInputFor(twin, { networkPath: 'private-network', handOffDir: dir, connectionName: 'orders_handoff' }),
  );
  // Handed off is not done: its own status and exit code, and the check is not marked done.
  assert.equal(result.status, 'handed-off', JSON.stringify(result.failure));
  assert.equal(result.exitCode, 4);
  const outcomes = Object.fromEntries(result.steps.map((s) => [s.id, s.outcome]));
  assert.equal(outcomes['database-user'], 'handed-off');
  assert.equal(outcomes.verify, 'handed-off');
  const script = await readFile(result.handedOff[0]!.scriptPath, 'utf8');
  assert.equal((await stat(result.handedOff[0]!.scriptPath)).mode & 0o777, 0o600);
  assert.deepEqual(ordersUsers(twin), [], 'nothing was created from here');
  // Someone inside the network runs the statements between the here-document markers, batch by batch.
  const body = script.split("<<'SC_DOCTOR_SQL'\n")[1]!.split('\nSC_DOCTOR_SQL\n')[0]!;
  const login = await sqlLogin(twin, twin.tokens.issue(IDS.dana, 'sql'));
  assert.ok(login.ok);
  try {
    for (const batch of body
      .split('\nGO')
      .map((b) => b.trim())
      .filter(Boolean))
      await login.query(batch);
  } finally {
    login.close();
  }
  const app = twin.world.principals.find(
    (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.webApp.toLowerCase(),
  )!;
  assert.deepEqual(
    ordersUsers(twin).map((u) => [u.name, u.objectId, u.roles]),
    [['orders-api', app.objectId, ['db_datareader', 'db_datawriter', 'db_ddladmin']]],
  );
  const catalog = databaseCatalog(twin.sqlCatalog, 'sql-orders', 'orders');
  catalog.users = [];
  catalog.roles = {};
  catalog.permissions = [];
  assert.equal((await undoSqlRun(twin, journal, result.runId)).status, 'undone');
  assert.deepEqual(stateOf(twin), stateBefore);
  // Undone, the run's script describes work that no longer applies: it is removed.
  await assert.rejects(stat(result.handedOff[0]!.scriptPath), { code: 'ENOENT' });
});
