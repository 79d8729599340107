/**
 * The MySQL setup in the named scenarios of its prerequisites: a server identity without the Graph
 * permissions (the plan warns and shows the grants; the user step fails as Azure does and the run
 * rolls back; once an admin runs the grants shown, setup succeeds), and a server without any
 * identity (stops with a message naming `mysql-identity-id=`, or attaches the one given).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { mysqlUndoers } from '../../source/setup/mysql/index.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { AVERY, makeAveryTheAdmin, mysqlInputFor, mysqlUsersOf, runMysqlSetup } from './mysql-helpers.ts';
import { servicesFor, stateOf } from './postgres-helpers.ts';

async function restore(twin: Twin, journal: Parameters<typeof undoFromJournal>[0]['journal'], runId: string) {
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

/** Runs what the plan tells an admin to run (`az rest --method POST --uri <u> --body '<json>'`), as Dana. */
async function runGrant(twin: Twin, command: string): Promise<number> {
  const uri = /--uri (\S+)/.exec(command)![1]!;
  const body = /--body '(.*)'$/.exec(command)![1]!;
  const response = await fetch(uri, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${twin.tokens.issue(IDS.dana, 'graph')}`,
      'content-type': 'application/json',
    },
    body,
  });
  return response.status;
}

test('mysql-identity-without-graph-roles: the plan warns with the grants, the user step fails with 9102 and rolls back; after the grants it succeeds', async () => {
  const twin = await startTwin({ scenario: 'mysql-identity-without-graph-roles', databases: ['mysql'] });
  try {
    await makeAveryTheAdmin(twin);
    const stateBefore = stateOf(twin);
    const usersBefore = await mysqlUsersOf(twin);
    const input = mysqlInputFor(twin, { connectionName: 'my_nograph', mysqlAdmin: AVERY });
    const failed = await runMysqlSetup(twin, input);
    const plan = failed.planLines.join('\n');
    assert.match(
      plan,
      /WARNING: id-orders lacks the Microsoft Graph permissions User\.Read\.All, GroupMember\.Read\.All, Application\.Read\.All/,
    );
    assert.match(plan, /the database-user step will fail as Azure does \(ERROR 9102/);
    const grants = failed.planLines.filter((l) => l.trim().startsWith('az rest --method POST'));
    assert.equal(grants.length, 3);
    assert.equal(failed.result.status, 'rolled-back');
    assert.equal(failed.result.failure?.id, 'database-user');
    assert.match(
      failed.result.failure?.message ?? '',
      /An unexpected error occurred while trying to validate user 'aad_my_nograph'/,
    );
    assert.deepEqual(stateOf(twin), stateBefore, 'Avery is the admin again and nothing else changed');
    assert.deepEqual(await mysqlUsersOf(twin), usersBefore);

    // A Privileged Role Administrator runs exactly the commands the plan showed.
    for (const command of grants) assert.equal(await runGrant(twin, command.trim()), 201);
    const fixed = await runMysqlSetup(twin, input);
    assert.equal(fixed.result.status, 'succeeded', JSON.stringify(fixed.result.failure));
    assert.match(fixed.planLines.join('\n'), /id-orders may read Microsoft Graph/);
    await restore(twin, fixed.journal, fixed.result.runId);
  } finally {
    await twin.close();
  }
});

test('mysql-no-identity: stops naming mysql-identity-id= without one; with one, attaches it, and undo removes the identity block', async () => {
  const twin = await startTwin({ scenario: 'mysql-no-identity', databases: ['mysql'] });
  try {
    const stateBefore = stateOf(twin);
    const usersBefore = await mysqlUsersOf(twin);
    const without = await runMysqlSetup(
      twin,
      mysqlInputFor(twin, { connectionName: 'my_noid', mysqlAdmin: null }),
    );
    assert.match(without.planLines.join('\n'), /the run stops here: .*mysql-identity-id=/);
    assert.equal(without.result.failure?.id, 'server-identity');
    assert.match(
      without.result.failure?.message ?? '',
      /give one with mysql-identity-id=<ARM id of a user-assigned identity>/,
    );
    assert.deepEqual(stateOf(twin), stateBefore);

    const asked: string[] = [];
    const given = await runMysqlSetup(
      twin,
      mysqlInputFor(twin, {
        connectionName: 'my_noid',
        mysqlAdmin: null,
        mysqlIdentityId: RESOURCE_IDS.identity,
      }),
      {
        confirm: async (request) => {
          asked.push(request.id);
          return true;
        },
      },
    );
    assert.equal(given.result.status, 'succeeded', JSON.stringify(given.result.failure));
    assert.deepEqual(asked, [], 'no admin to replace: no consent asked');
    const server = twin.store.get(RESOURCE_IDS.mysql)!;
    assert.deepEqual(Object.keys((server.identity as any).userAssignedIdentities), [RESOURCE_IDS.identity]);
    const admin = twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)!.properties as any;
    assert.equal(admin.sid, IDS.dana);
    assert.equal(admin.identityResourceId, RESOURCE_IDS.identity);
    await restore(twin, given.journal, given.result.runId);
    assert.equal(
      twin.store.get(RESOURCE_IDS.mysql)!.identity,
      undefined,
      'the server has no identity block again',
    );
    assert.deepEqual(stateOf(twin), stateBefore);
    assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
  } finally {
    await twin.close();
  }
});
