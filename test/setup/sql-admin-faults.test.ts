/**
 * Azure SQL's single Entra admin under setup: in `sql-app-admin` the admin is the web app's identity,
 * so making Dana the admin replaces it. It needs consent naming that admin; declined, nothing is
 * replaced and the result says what was not done; given, every fault in any step (500, 403,
 * 429-then-success, LRO Failed, timeout, a database error) leaves the world as it was, the previous
 * admin included. In `sql-group-admin` Dana is the admin through her group: nothing is replaced.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { OTHER_ADMIN, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { ARM_SCENARIO_IDS } from '../azure-twin/scenarios-arm.ts';
import { appFacts, catalogueOf, runSqlSetup, sqlInputFor, stateOf, undoSqlRun } from './sql-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'sql-app-admin', databases: ['sql'] });
  twin.store.delete(`${RESOURCE_IDS.sql}/firewallRules/dana-laptop`);
  // The container app starts without an identity, so app-identity writes too.
  const worker = twin.store.get(RESOURCE_IDS.containerApp)!;
  delete worker.identity;
  twin.store.put(worker);
});

after(async () => {
  await twin?.close();
});

const admin = () => twin.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!.properties;
const temporaryRules = () =>
  twin.store
    .children(RESOURCE_IDS.sql, 'Microsoft.Sql/servers/firewallRules')
    .filter((r) => r.name.startsWith('sc-doctor-'));
const input = (overrides = {}) =>
  sqlInputFor(twin, { app: appFacts(twin, 'containerapp'), connectionName: 'orders_faults', ...overrides });

test('replacing the app admin needs consent naming it; declined, nothing is replaced and the result says so', async () => {
  const stateBefore = stateOf(twin);
  const catalogueBefore = catalogueOf(twin);
  const adminBefore = admin();
  const { result, journal, consents } = await runSqlSetup(twin, input(), { confirm: async () => false });
  assert.equal(consents.length, 1);
  assert.match(
    consents[0]!,
    /^entra-admin: replaces orders-api \([0-9a-f-]{36}\), the only Entra admin of sql-orders/,
  );
  const refused = 'depends on entra-admin, whose consent was refused';
  assert.deepEqual(
    result.notDone.map((n) => [n.id, n.reason]),
    [
      ['entra-admin', 'consent refused'],
      ['firewall-temp', refused],
      ['database-user', refused],
      ['service-connector', refused],
      ['verify', refused],
      ['firewall-temp-remove', refused],
    ],
  );
  // Only the app's identity (additive, no consent) was set up.
  assert.deepEqual(
    result.steps.map((s) => [s.id, s.outcome]),
    [['app-identity', 'applied']],
  );
  assert.deepEqual(admin(), adminBefore, 'the admin was not replaced');
  assert.deepEqual(catalogueOf(twin), catalogueBefore);
  assert.deepEqual(temporaryRules(), []);
  const undone = await undoSqlRun(twin, journal, result.runId);
  assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  assert.deepEqual(stateOf(twin), stateBefore);
});

test('with consent the app admin is replaced for the run, and undo puts it back exactly', async () => {
  const stateBefore = stateOf(twin);
  const catalogueBefore = catalogueOf(twin);
  const adminBefore = admin();
  const { result, journal } = await runSqlSetup(twin, input());
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(admin()!.login, 'dana@contoso.twin.test');
  // Entra-only authentication was left as found (off in this scenario: no resource written for it).
  assert.equal(twin.store.get(`${RESOURCE_IDS.sql}/azureADOnlyAuthentications/Default`), undefined);
  const undone = await undoSqlRun(twin, journal, result.runId);
  assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  assert.deepEqual(admin(), adminBefore);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(catalogueOf(twin), catalogueBefore);
});

test('an admin changed between the plan and the run is not replaced: the plan named another one', async () => {
  const adminId = `${RESOURCE_IDS.sql}/administrators/ActiveDirectory`;
  const planned = twin.store.get(adminId)!;
  const stateBefore = stateOf(twin);
  const { result } = await runSqlSetup(twin, input(), {
    // Someone makes Dana's colleague the admin while Dana reads the plan.
    confirm: async () => {
      twin.store.put({
        ...planned,
        properties: {
          ...planned.properties,
          login: OTHER_ADMIN.userPrincipalName,
          sid: OTHER_ADMIN.objectId,
        },
      });
      return true;
    },
  });
  try {
    assert.equal(result.exitCode, 1);
    assert.equal(result.failure?.id, 'entra-admin');
    assert.match(result.failure!.message, /changed since the plan \(now avery@contoso\.twin\.test\)/);
    assert.equal(admin()!.sid, OTHER_ADMIN.objectId, 'the new admin was not replaced');
  } finally {
    twin.store.put(planned);
  }
  assert.deepEqual(stateOf(twin), stateBefore);
});

/** Where each ARM step writes, for the faults. */
const WRITES: Record<string, { method: string; path: RegExp; lroResource: string | null }> = {
  'app-identity': {
    method: 'PATCH',
    path: /\/containerApps\/orders-worker$/i,
    lroResource: RESOURCE_IDS.containerApp,
  },
  'entra-admin': {
    method: 'PUT',
    path: /servers\/sql-orders\/administrators\/ActiveDirectory$/i,
    lroResource: `${RESOURCE_IDS.sql}/administrators/ActiveDirectory`,
  },
  // The SQL RP answers firewall writes at once: no operation to end Failed.
  'firewall-temp': { method: 'PUT', path: /\/firewallRules\/sc-doctor-/i, lroResource: null },
  'service-connector': {
    method: 'PUT',
    path: /\/linkers\/orders_faults$/i,
    lroResource: '/linkers/orders_faults',
  },
};
const FAULTS = ['http-500', 'http-403', 'http-429-then-success', 'lro-failed', 'timeout'] as const;
/** The step's limit in the timeout cells; the twin holds the write twice as long, then answers 504. */
const TIMEOUT_MS = 1500;

const cells: { name: string; step: string; fault: (typeof FAULTS)[number] | 'database-error' }[] = [];
for (const step of Object.keys(WRITES)) {
  for (const fault of FAULTS) {
    if (fault === 'lro-failed' && WRITES[step]!.lroResource === null) continue;
    cells.push({ name: `${step} × ${fault}`, step, fault });
  }
}
cells.push({ name: 'database-user × database-error', step: 'database-user', fault: 'database-error' });

test('fault table: every step × each fault leaves the world as it was, previous admin included', async (t) => {
  for (const cell of cells) {
    await t.test(cell.name, async () => {
      const stateBefore = stateOf(twin);
      const catalogueBefore = catalogueOf(twin);
      const adminBefore = admin();
      twin.faults.clear();
      const write = WRITES[cell.step];
      const match = write ? { method: write.method, path: write.path } : { path: /^$/ };
      if (cell.fault === 'http-500') twin.faults.add({ ...match, status: 500, times: 100 });
      if (cell.fault === 'http-403')
        twin.faults.add({ ...match, status: 403, code: 'AuthorizationFailed', times: 100 });
      if (cell.fault === 'http-429-then-success')
        twin.faults.add({ ...match, status: 429, retryAfterSeconds: 0, times: 1 });
      if (cell.fault === 'lro-failed')
        twin.faults.addLro({ resourceId: write!.lroResource!, outcome: 'Failed' });
      if (cell.fault === 'timeout')
        twin.faults.add({
          ...match,
          delayMs: TIMEOUT_MS * 2,
          status: 504,
          code: 'GatewayTimeout',
          times: 100,
        });
      const { result, journal } = await runSqlSetup(
        twin,
        // A fixed database role's name: the user cannot be created (15023), after the admin was replaced.
        input(cell.fault === 'database-error' ? { dbUser: 'db_owner' } : {}),
        cell.fault === 'timeout' ? { stepTimeoutMs: TIMEOUT_MS } : {},
      );
      twin.faults.clear();
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule is left');
      if (cell.fault === 'http-429-then-success') {
        assert.equal(result.exitCode, 0, JSON.stringify(result.failure));
        const undone = await undoSqlRun(twin, journal, result.runId);
        assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
      } else {
        assert.equal(
          result.exitCode,
          1,
          JSON.stringify({ failure: result.failure, left: result.left, steps: result.steps }),
        );
        assert.equal(result.failure?.id, cell.step);
        // The write was accepted: it is the operation Azure ran afterwards that failed.
        if (cell.fault === 'lro-failed') assert.match(result.failure!.message, /ended Failed/);
      }
      assert.deepEqual(admin(), adminBefore, 'the previous admin is back');
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(catalogueOf(twin), catalogueBefore);
    });
  }
});

test('sql-group-admin: Dana is the admin through her group, so nothing is replaced or asked', async () => {
  const group = await startTwin({ scenario: 'sql-group-admin', databases: ['sql'] });
  try {
    const adminBefore = group.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!.properties;
    assert.equal(adminBefore!.sid, ARM_SCENARIO_IDS.sqlAdminGroup);
    const { result, consents, journal } = await runSqlSetup(group, sqlInputFor(group));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.deepEqual(consents, []);
    assert.equal(result.steps.find((s) => s.id === 'entra-admin')?.outcome, 'already-done');
    assert.deepEqual(
      group.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!.properties,
      adminBefore,
    );
    const undone = await undoSqlRun(group, journal, result.runId);
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  } finally {
    await group.close();
  }
});

test('sql-entra-only: replacing the admin leaves Entra-only authentication on, and undo restores the admin', async () => {
  const only = await startTwin({ scenario: 'sql-entra-only', databases: ['sql'] });
  try {
    only.context.addPrincipal({
      objectId: OTHER_ADMIN.objectId,
      tenantId: only.world.tenantId,
      kind: 'user',
      displayName: OTHER_ADMIN.displayName,
      userPrincipalName: OTHER_ADMIN.userPrincipalName,
      userType: 'Member',
    });
    const adminId = `${RESOURCE_IDS.sql}/administrators/ActiveDirectory`;
    const seeded = only.store.get(adminId)!;
    only.store.put({
      ...seeded,
      properties: { ...seeded.properties, login: OTHER_ADMIN.userPrincipalName, sid: OTHER_ADMIN.objectId },
    });
    const onlyId = `${RESOURCE_IDS.sql}/azureADOnlyAuthentications/Default`;
    const stateBefore = stateOf(only);
    const { result, journal, consents } = await runSqlSetup(only, sqlInputFor(only));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.match(consents.join('\n'), /replaces avery@contoso\.twin\.test/);
    assert.equal(only.store.get(adminId)!.properties!.sid, IDS.dana);
    assert.equal(only.store.get(onlyId)!.properties!.azureADOnlyAuthentication, true);
    const undone = await undoSqlRun(only, journal, result.runId);
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
    assert.equal(only.store.get(adminId)!.properties!.sid, OTHER_ADMIN.objectId);
    assert.equal(only.store.get(onlyId)!.properties!.azureADOnlyAuthentication, true);
    assert.deepEqual(stateOf(only), stateBefore);
  } finally {
    await only.close();
  }
});
