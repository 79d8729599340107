/**
 * The PostgreSQL setup steps through the real engine, against the twin and its real PostgreSQL: the
 * happy paths, a second run that writes nothing, the fault table (every ARM step × each fault: the
 * world is back as it was, no temporary rule is left), hostile names, undo from the journal alone,
 * and no token or secret anywhere a person or a file would see.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Journal } from '../../source/engine/journal.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { postgresUndoers, problemsOf } from '../../source/setup/postgres/index.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  appFacts,
  appIdOf,
  inputFor,
  JWT,
  OWNER_ENV,
  rolesOf,
  runPostgresSetup,
  servicesFor,
  springWithoutIdentity,
  stateOf,
} from './postgres-helpers.ts';

let twin: Twin;
const SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-00000000005e',
  appId: 'c0ffee00-0000-4000-8000-00000000005e',
};
const SP_SECRET = 'twin-sp-secret-Value~123';

before(async () => {
  twin = await startTwin({ scenario: 'entra-off', databases: true });
  twin.context.addPrincipal({
    objectId: SP.objectId,
    appId: SP.appId,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-sp',
  });
  // The firewall knows nothing of this machine: setup must open it for the run and close it after.
  twin.store.delete(`${RESOURCE_IDS.postgres}/firewallRules/dana-laptop`);
  // The web app starts without a system identity (only its user-assigned one).
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  twin.store.put({
    ...site,
    identity: { type: 'UserAssigned', userAssignedIdentities: (site.identity as any).userAssignedIdentities },
  });
  springWithoutIdentity(twin);
});

after(async () => {
  await twin?.close();
});

const uamiClientId = () =>
  (twin.store.get(RESOURCE_IDS.identity)!.properties as { clientId: string }).clientId;
const uamiPrincipalId = () =>
  (twin.store.get(RESOURCE_IDS.identity)!.properties as { principalId: string }).principalId;
const firewallRule = (name: string, ip: string) => ({
  id: `${RESOURCE_IDS.postgres}/firewallRules/${name}`,
  name,
  type: 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules',
  properties: { startIpAddress: ip, endIpAddress: ip },
});
const temporaryRules = () =>
  twin.store
    .children(RESOURCE_IDS.postgres, 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules')
    .filter((r) => r.name.startsWith('sc-doctor-'));

/** Setup's services with the owner's password (pgadmin owns orders): every promised grant can be given. */
const withOwner = (env: Record<string, string> = {}) => servicesFor(twin, { ...OWNER_ENV, ...env });

async function restore(journal: Journal, runId: string) {
  const services = withOwner();
  try {
    const undone = await undoFromJournal({
      journal,
      runId,
      steps: postgresUndoers(services, inputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  } finally {
    services.azure.dispose();
  }
}

/**
 * The role's mapping and its own grants (ACL entries naming it, so PUBLIC's CONNECT and USAGE do not
 * count): CONNECT on orders, USAGE and CREATE on public, and the default privileges for the tables
 * pgadmin (the owner) makes later.
 */
async function roleMapping(
  role: string,
): Promise<{ objectId: string | null; canConnect: boolean; tables: boolean; later: boolean }> {
  const roles = await rolesOf(twin);
  const line = roles.find((r) => r.startsWith(`${role}:`));
  if (!line) return { objectId: null, canConnect: false, tables: false, later: false };
  const name = role.replace(/'/g, "''");
  const own = (acl: string, privilege: string) =>
    `exists (select from aclexplode(${acl}) a where a.grantee = (select oid from pg_roles where rolname = '${name}') and a.privilege_type = '${privilege}')`;
  const { rows } = await (twin.context.databases as any).postgresQuery(
    `select ${own('datacl', 'CONNECT')} as c from pg_database where datname = 'orders'`,
  );
  const { rows: schema } = await (twin.context.databases as any).postgresQuery(
    `select ${own('nspacl', 'USAGE')} and ${own('nspacl', 'CREATE')} as s from pg_namespace where nspname = 'public'`,
    'orders',
  );
  const { rows: later } = await (twin.context.databases as any).postgresQuery(
    `select count(*)::int as n from pg_default_acl d where d.defaclrole = 'pgadmin'::regrole and ${own('d.defaclacl', 'INSERT')}`,
    'orders',
  );
  return {
    objectId: line.slice(role.length + 1),
    canConnect: rows[0].c === true,
    tables: schema[0].s === true,
    later: later[0].n === 1,
  };
}

const AUTHS = ['system', 'user', 'sp'] as const;
const TARGETS = ['webapp', 'containerapp', 'spring'] as const;

for (const auth of AUTHS) {
  for (const target of TARGETS) {
    test(`happy path: ${auth} identity on a ${target}, then undo restores the world`, async () => {
      const stateBefore = stateOf(twin);
      const rolesBefore = await rolesOf(twin);
      const input = inputFor(twin, {
        app: appFacts(twin, target),
        auth:
          auth === 'system'
            ? { kind: 'system' }
            : auth === 'user'
              ? { kind: 'user', clientId: uamiClientId() }
              : { kind: 'sp', clientId: SP.appId },
        connectionName: `orders_${auth}_${target}`,
      });
      const services = withOwner({ SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
      const { result, journal, events } = await runPostgresSetup(twin, input, { services });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
      assert.equal(result.exitCode, 0);
      const role = `aad_orders_${auth}_${target}`;
      const appId = appIdOf(target);
      const expectedOid =
        auth === 'system'
          ? (twin.store.get(appId)!.identity as { principalId: string }).principalId
          : auth === 'user'
            ? uamiPrincipalId()
            : SP.objectId;
      const mapping = await roleMapping(role);
      assert.equal(mapping.objectId, expectedOid);
      assert.ok(mapping.canConnect, 'the role may connect to the database');
      assert.ok(mapping.tables, 'the role may use and create in schema public');
      assert.ok(mapping.later, "the tables pgadmin makes later are the role's too");
      // pgadmin owns orders: what only it can give was given as pgadmin, with the password it was given.
      const role_ = result.steps.find((s) => s.id === 'database-role')!;
      assert.equal(role_.outcome, 'applied');
      const record = (await journal.loadRun(result.runId)).steps.find((s) => s.id === 'database-role')!
        .record as { granted: { grantor: string }[] };
      assert.ok(record.granted.length > 0 && record.granted.every((g) => g.grantor === 'pgadmin'));
      const linker = twin.store.get(
        `${appId}/providers/Microsoft.ServiceLinker/linkers/orders_${auth}_${target}`,
      )!;
      assert.equal((linker.properties as any).authInfo.userName, role);
      assert.equal((linker.properties as any).provisioningState, 'Succeeded');
      if (target === 'spring') {
        // The Spring app starts without identity: the step really turns one on or attaches one.
        if (auth !== 'sp')
          assert.equal(result.steps.find((s) => s.id === 'app-identity')?.outcome, 'applied');
        // Service Connector writes a Spring app's settings to its active deployment's environment.
        const env = (twin.store.get(`${appId}/deployments/default`)!.properties as any).deploymentSettings
          .environmentVariables;
        assert.equal(env.AZURE_POSTGRESQL_USER, role);
      }
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule remains');
      assert.ok(
        result.steps.find((s) => s.id === 'firewall-temp')?.outcome === 'applied',
        'the firewall was opened for the run',
      );
      const journalText = await readFile(path.join(journal.runsDir, `${result.runId}.json`), 'utf8');
      // No token or secret in the journal, the result or any progress event a front-end shows.
      for (const [where, text] of [
        ['journal', journalText],
        ['result', JSON.stringify(result)],
        ['events', JSON.stringify(events)],
      ] as const) {
        assert.ok(!text.includes(SP_SECRET), `the secret is not in the ${where}`);
        assert.doesNotMatch(text, JWT, `no token in the ${where}`);
      }
      if (auth === 'sp') {
        // Service Connector holds the secret; the journal names the linker only.
        assert.match(journalText, /service-connector/);
      }

      await restore(journal, result.runId);
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(await rolesOf(twin), rolesBefore);
    });
  }
}

test('a second run after success makes no write request', async () => {
  // This machine may connect (Dana's rule), so neither run needs a temporary rule: every write counts.
  const laptop = firewallRule('dana-laptop', '127.0.0.1');
  twin.store.put(laptop);
  const input = inputFor(twin, { connectionName: 'orders_rerun' });
  const first = await runPostgresSetup(twin, input, { services: withOwner() });
  try {
    assert.equal(first.result.status, 'succeeded', JSON.stringify(first.result.failure));
    const writes: string[] = [];
    const take = twin.faults.take.bind(twin.faults);
    twin.faults.take = (method, p) => {
      if (!['GET', 'HEAD'].includes(method) && !p.endsWith('/list')) writes.push(`${method} ${p}`);
      return take(method, p);
    };
    try {
      const second = await runPostgresSetup(twin, input, { services: withOwner() });
      assert.equal(second.result.status, 'succeeded', JSON.stringify(second.result.failure));
      assert.deepEqual(writes, []);
      // `verify` only reads; every step that writes found its change in place.
      const outcomes = Object.fromEntries(second.result.steps.map((s) => [s.id, s.outcome]));
      assert.deepEqual(outcomes, {
        'app-identity': 'already-done',
        'entra-auth': 'already-done',
        'entra-admin': 'already-done',
        'firewall-temp': 'already-done',
        'database-role': 'already-done',
        'service-connector': 'already-done',
        verify: 'applied',
        'firewall-temp-remove': 'already-done',
      });
    } finally {
      twin.faults.take = take;
    }
  } finally {
    await restore(first.journal, first.result.runId);
    twin.store.delete(laptop.id);
  }
});

/** Where each ARM step writes, for the faults. */
const WRITES: Record<string, { method: string; path: RegExp; lroResource: string | null }> = {
  'app-identity': { method: 'PATCH', path: /\/sites\/orders-api$/i, lroResource: null },
  'entra-auth': {
    method: 'PATCH',
    path: /flexibleServers\/pg-orders$/i,
    lroResource: `${RESOURCE_IDS.postgres}`,
  },
  'entra-admin': {
    method: 'PUT',
    path: /\/administrators\//i,
    lroResource: `${RESOURCE_IDS.postgres}/administrators/`,
  },
  'firewall-temp': {
    method: 'PUT',
    path: /\/firewallRules\/sc-doctor-/i,
    lroResource: '/firewallRules/sc-doctor-',
  },
  'service-connector': { method: 'PUT', path: /\/linkers\//i, lroResource: '/linkers/orders_faults' },
};
const FAULTS = [
  'http-500',
  'http-403',
  'http-429-then-success',
  'lro-failed',
  'timeout',
  'database-error',
  'name-taken',
] as const;
/** The step's limit in the timeout cells; the twin holds the write twice as long, then answers 504. */
const TIMEOUT_MS = 3000;

const cells: { name: string; step: string; fault: (typeof FAULTS)[number] }[] = [];
for (const step of Object.keys(WRITES)) {
  for (const fault of FAULTS) {
    if (fault === 'database-error' || fault === 'name-taken') continue;
    // A web app's PATCH answers at once: there is no operation to end Failed.
    if (fault === 'lro-failed' && WRITES[step]!.lroResource === null) continue;
    cells.push({ name: `${step} × ${fault}`, step, fault });
  }
}
// PostgreSQL refuses the grants after the role was created (the database is not there): undo drops it.
cells.push({ name: 'database-role × database-error', step: 'database-role', fault: 'database-error' });
// A plain (non-Entra) role already has the name: refused before anything is written in the database.
cells.push({ name: 'database-role × name-taken', step: 'database-role', fault: 'name-taken' });

test('fault table: every ARM step × each fault leaves the world as it was (or succeeds after a 429)', async (t) => {
  for (const cell of cells) {
    await t.test(cell.name, async () => {
      const stateBefore = stateOf(twin);
      const rolesBefore = await rolesOf(twin);
      twin.faults.clear();
      const write = WRITES[cell.step];
      if (cell.fault === 'http-500')
        twin.faults.add({ method: write!.method, path: write!.path, status: 500, times: 100 });
      if (cell.fault === 'http-403')
        twin.faults.add({
          method: write!.method,
          path: write!.path,
          status: 403,
          code: 'AuthorizationFailed',
          times: 100,
        });
      if (cell.fault === 'http-429-then-success')
        twin.faults.add({
          method: write!.method,
          path: write!.path,
          status: 429,
          retryAfterSeconds: 0,
          times: 1,
        });
      if (cell.fault === 'lro-failed')
        twin.faults.addLro({ resourceId: write!.lroResource!, outcome: 'Failed' });
      // Azure never answers in time (and never acts on it: the twin answers 504 after the delay).
      if (cell.fault === 'timeout')
        twin.faults.add({
          method: write!.method,
          path: write!.path,
          delayMs: 2 * TIMEOUT_MS,
          status: 504,
          times: 1,
        });
      const input = inputFor(twin, {
        connectionName: 'orders_faults',
        // A name PostgreSQL already has as a plain (non-Entra) role; a database PostgreSQL does not have.
        ...(cell.fault === 'name-taken' ? { dbUser: 'azure_pg_admin' } : {}),
        ...(cell.fault === 'database-error' ? { database: 'orders_not_there' } : {}),
      });
      const { result, journal } = await runPostgresSetup(twin, input, {
        services: withOwner(),
        ...(cell.fault === 'timeout' ? { stepTimeoutMs: TIMEOUT_MS } : {}),
      });
      twin.faults.clear();
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule is left');
      if (cell.fault === 'http-429-then-success') {
        assert.equal(result.exitCode, 0, JSON.stringify(result.failure));
        await restore(journal, result.runId);
      } else {
        assert.equal(
          result.exitCode,
          1,
          JSON.stringify({
            failure: result.failure,
            left: result.left,
            steps: result.steps.map((s) => [s.id, s.outcome, s.message]),
          }),
        );
        assert.equal(result.failure?.id, cell.step);
        // The failure names what Azure said, for the person reading the result.
        const expected = {
          'http-500': /Azure answered 500/,
          'http-403': /Azure answered 403 AuthorizationFailed/,
          'lro-failed': /ended Failed/,
          timeout: /./,
          'database-error': /database "orders_not_there" does not exist/,
          'name-taken': /a role named azure_pg_admin exists and is not an Entra principal/,
        }[cell.fault];
        assert.match(result.failure!.message, expected);
      }
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(await rolesOf(twin), rolesBefore);
    });
  }
});

test('hostile names: refused with a clear message before anything, or created exactly as named', async () => {
  const long = 'r'.repeat(64);
  assert.match(problemsOf(inputFor(twin, { dbUser: long })).join('\n'), /longer than PostgreSQL's 63 bytes/);
  assert.match(problemsOf(inputFor(twin, { dbUser: 'a\nb' })).join('\n'), /control characters/);
  assert.match(
    problemsOf(inputFor(twin, { connectionName: "x'; drop" })).join('\n'),
    /not valid for Service Connector/,
  );
  assert.match(
    problemsOf(inputFor(twin, { auth: { kind: 'user', clientId: "x'; DROP ROLE dana; --" } })).join('\n'),
    /is not a GUID/,
  );
  assert.match(
    problemsOf(inputFor(twin, { linker: false, app: appFacts(twin, 'containerapp') })).join('\n'),
    /--no-linker writes the settings of web apps only/,
  );
  const hostile = `aad_"; DROP ROLE "${'dana'}"; --\\é'x`;
  assert.deepEqual(problemsOf(inputFor(twin, { dbUser: hostile })), []);
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const { result, journal } = await runPostgresSetup(
    twin,
    inputFor(twin, { dbUser: hostile, connectionName: 'orders_hostile' }),
    { services: withOwner() },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const roles = await rolesOf(twin);
  assert.ok(
    roles.some((r) => r.startsWith(`${hostile}:`)),
    'the role has exactly the hostile name',
  );
  assert.equal(roles.length, rolesBefore.length + 2, "only the role and Dana's admin role were added");
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('--no-linker writes the settings of the client type, keeps the others, and undo restores them', async () => {
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const existing = twin.store.get(settingsId);
  twin.store.put({
    id: settingsId,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    kind: 'app',
    properties: { KEEP_ME: '1', AZURE_POSTGRESQL_HOST: 'old' },
  });
  const stateBefore = stateOf(twin);
  const { result, journal } = await runPostgresSetup(
    twin,
    inputFor(twin, { linker: false, connectionName: 'orders_nolinker' }),
    { services: withOwner() },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const settings = twin.store.get(settingsId)!.properties as Record<string, string>;
  assert.equal(settings.KEEP_ME, '1');
  assert.equal(settings.AZURE_POSTGRESQL_USER, 'aad_orders_nolinker');
  assert.equal(settings.AZURE_POSTGRESQL_DATABASE, 'orders');
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
  if (existing) twin.store.put(existing);
  else twin.store.delete(settingsId);
});

test('a database name that needs quoting is granted exactly, never spliced into a statement', async () => {
  // Quotes, spaces and `;` cannot be in a PostgreSQL flexible server database's ARM name (the spec's
  // `^[-\w\._]+$`): setup refuses those up front (test/unit/resource-names.test.ts). Hyphens, dots,
  // capitals and non-ASCII letters are allowed and still need quoting in SQL.
  const database = `Ord-ërs.v2_${'x'.repeat(20)}`;
  const server = twin.store.get(RESOURCE_IDS.postgres)!;
  const databaseId = `${RESOURCE_IDS.postgres}/databases/${database}`;
  twin.store.put({
    id: databaseId,
    name: database,
    type: 'Microsoft.DBforPostgreSQL/flexibleServers/databases',
    properties: { charset: 'UTF8', collation: 'en_US.utf8' },
  });
  await twin.context.databases.databaseCreated!(server, database);
  try {
    const stateBefore = stateOf(twin);
    const rolesBefore = await rolesOf(twin);
    const input = inputFor(twin, { database, connectionName: 'orders_hostile_db', dbUser: 'aad_hostile_db' });
    assert.deepEqual(problemsOf(input), []);
    const { result, journal } = await runPostgresSetup(twin, input, { services: withOwner() });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    const { rows } = await (twin.context.databases as any).postgresQuery(
      `select has_database_privilege('aad_hostile_db', datname, 'CONNECT') as c from pg_database where datname = '${database.replace(/'/g, "''")}'`,
    );
    assert.equal(rows[0]?.c, true, 'the role may connect to the database of that exact name');
    const { rows: dbs } = await (twin.context.databases as any).postgresQuery(
      "select count(*)::int as n from pg_database where datname = 'orders'",
    );
    assert.equal(dbs[0].n, 1, 'orders still exists');
    await restore(journal, result.runId);
    assert.deepEqual(stateOf(twin), stateBefore);
    assert.deepEqual(await rolesOf(twin), rolesBefore);
  } finally {
    twin.store.delete(databaseId);
  }
});

test('a service principal with --no-linker: the secret reaches the app setting only, never the journal', async () => {
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const existing = twin.store.get(settingsId);
  const stateBefore = stateOf(twin);
  const services = withOwner({ SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
  const { result, journal, events } = await runPostgresSetup(
    twin,
    inputFor(twin, {
      linker: false,
      auth: { kind: 'sp', clientId: SP.appId },
      connectionName: 'orders_sp_settings',
    }),
    { services },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const settings = twin.store.get(settingsId)!.properties as Record<string, string>;
  assert.equal(settings.AZURE_POSTGRESQL_CLIENTSECRET, SP_SECRET);
  assert.equal(settings.AZURE_POSTGRESQL_CLIENTID, SP.appId);
  const journalText = await readFile(path.join(journal.runsDir, `${result.runId}.json`), 'utf8');
  assert.match(journalText, /AZURE_POSTGRESQL_CLIENTSECRET/, 'the secret setting is named');
  for (const text of [journalText, JSON.stringify(result), JSON.stringify(events)])
    assert.ok(!text.includes(SP_SECRET), 'but its value is nowhere');
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
  if (!existing) twin.store.delete(settingsId);
});
