/**
 * The MySQL setup against the twin when things go wrong: every step that writes × each fault (500,
 * 403, 429 then success, a long-running operation ending Failed, a timeout, a database error) leaves
 * ARM and MariaDB exactly as they were, Avery back as the single Entra admin and no temporary rule.
 * The run attaches a second identity to the server and replaces Avery, so both are undone every time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Journal } from '../../source/engine/journal.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { mysqlUndoers } from '../../source/setup/mysql/index.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  AVERY,
  addIdentity,
  makeAveryTheAdmin,
  mysqlInputFor,
  mysqlUsersOf,
  runMysqlSetup,
} from './mysql-helpers.ts';
import { servicesFor, stateOf } from './postgres-helpers.ts';

let twin: Twin;
let serverIdentity: { id: string; principalId: string };

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['mysql'] });
  twin.store.delete(`${RESOURCE_IDS.mysql}/firewallRules/dana-laptop`);
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  twin.store.put({
    ...site,
    identity: { type: 'UserAssigned', userAssignedIdentities: (site.identity as any).userAssignedIdentities },
  });
  await makeAveryTheAdmin(twin);
  serverIdentity = addIdentity(twin, 'id-mysql-graph', true);
});

after(async () => {
  await twin?.close();
});

const temporaryRules = () =>
  twin.store
    .children(RESOURCE_IDS.mysql, 'Microsoft.DBforMySQL/flexibleServers/firewallRules')
    .filter((r) => r.name.startsWith('sc-doctor-'));
const adminNow = () =>
  twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)?.properties as
    | { login: string; sid: string; identityResourceId: string }
    | undefined;

async function restore(journal: Journal, runId: string) {
  const services = servicesFor(twin);
  try {
    const undone = await undoFromJournal({
      journal,
      runId,
      steps: mysqlUndoers(services, mysqlInputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  } finally {
    services.azure.dispose();
  }
}

/** Where each ARM step writes, for the faults. */
const WRITES: Record<string, { method: string; path: RegExp; lroResource: string | null }> = {
  'app-identity': { method: 'PATCH', path: /\/sites\/orders-api$/i, lroResource: null },
  'server-identity': {
    method: 'PATCH',
    path: /flexibleServers\/mysql-orders$/i,
    lroResource: RESOURCE_IDS.mysql,
  },
  'entra-admin': {
    method: 'PUT',
    path: /\/administrators\/ActiveDirectory$/i,
    lroResource: `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`,
  },
  'firewall-temp': {
    method: 'PUT',
    path: /\/firewallRules\/sc-doctor-/i,
    lroResource: '/firewallRules/sc-doctor-',
  },
  'service-connector': { method: 'PUT', path: /\/linkers\//i, lroResource: '/linkers/my_faults' },
};
const FAULTS = [
  'http-500',
  'http-403',
  'http-429-then-success',
  'lro-failed',
  'timeout',
  'database-error',
] as const;

const cells: { name: string; step: string; fault: (typeof FAULTS)[number] }[] = [];
for (const step of Object.keys(WRITES)) {
  for (const fault of FAULTS) {
    if (fault === 'database-error') continue;
    // A web app's PATCH answers at once: there is no operation to end Failed.
    if (fault === 'lro-failed' && WRITES[step]!.lroResource === null) continue;
    cells.push({ name: `${step} × ${fault}`, step, fault });
  }
}
cells.push({ name: 'database-user × database-error', step: 'database-user', fault: 'database-error' });

/** Azure's refusal to attach an identity the caller may not assign. */
const LINKED = {
  name: 'server-identity × 403 LinkedAuthorizationFailed',
  step: 'server-identity',
  fault: 'http-403' as const,
};

test('fault table: every step × each fault leaves ARM and MariaDB as they were, Avery the admin again', async (t) => {
  for (const cell of [...cells, LINKED]) {
    await t.test(cell.name, async () => {
      const stateBefore = stateOf(twin);
      const usersBefore = await mysqlUsersOf(twin);
      twin.faults.clear();
      const write = WRITES[cell.step];
      const removedRoles: typeof twin.world.appRoleAssignments = [];
      if (cell.fault === 'http-500')
        twin.faults.add({ method: write!.method, path: write!.path, status: 500, times: 100 });
      if (cell.fault === 'http-403')
        twin.faults.add({
          method: write!.method,
          path: write!.path,
          status: 403,
          code: cell === LINKED ? 'LinkedAuthorizationFailed' : 'AuthorizationFailed',
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
      // Azure never answers in time (and in the end does nothing): the step's limit ends it.
      if (cell.fault === 'timeout')
        twin.faults.add({ method: write!.method, path: write!.path, status: 500, delayMs: 6000, times: 100 });
      if (cell.fault === 'database-error') {
        // Azure cannot validate the user once no identity of the server may read Graph: ERROR 9102.
        removedRoles.push(...twin.world.appRoleAssignments);
        twin.world.appRoleAssignments = [];
      }
      const { result, journal } = await runMysqlSetup(
        twin,
        mysqlInputFor(twin, {
          connectionName: 'my_faults',
          mysqlIdentityId: serverIdentity.id,
          mysqlAdmin: AVERY,
        }),
        cell.fault === 'timeout' ? { stepTimeoutMs: 3000 } : {},
      );
      twin.faults.clear();
      twin.world.appRoleAssignments.push(...removedRoles);
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule is left');
      if (cell.fault === 'http-429-then-success') {
        assert.equal(result.exitCode, 0, JSON.stringify(result.failure));
        assert.equal(adminNow()?.identityResourceId, serverIdentity.id);
        await restore(journal, result.runId);
      } else {
        assert.equal(result.exitCode, 1, JSON.stringify({ failure: result.failure, left: result.left }));
        assert.equal(result.failure?.id, cell.step);
        if (cell.fault === 'database-error')
          assert.match(result.failure?.message ?? '', /9102|validate user/);
      }
      assert.equal(adminNow()?.login, AVERY.login);
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
    });
  }
});
