/**
 * The doctor's `entra-config` for who actually signs in: a service principal (the twin's stand-in az
 * signed in as orders-deployer) is one everywhere (its groups through `servicePrincipals/{id}`, admin
 * commands with its type and client id), Azure SQL run by an app needs the server identity with Graph
 * read rights (else a blocking fail with the exact, paste-safe grant), and a B2B guest logs in with
 * its admin entry's `#EXT#` name. `runChecks` with a real AzureSession against the twin.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { entraConfigCheck } from '../../source/doctor/entra-config.ts';
import { signinCheck } from '../../source/doctor/signin.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { DEPLOYER, GUEST } from '../azure-twin/scenarios-identity.ts';
import { serverStandIn } from '../helpers/server-stand-in.ts';

const twins: Twin[] = [];
after(async () => {
  await Promise.all(twins.map((twin) => twin.close()));
});

async function twinFor(scenario: string): Promise<Twin> {
  const twin = await startTwin({ scenario });
  twins.push(twin);
  return twin;
}

async function entraConfig(twin: Twin, kind: DatabaseKind): Promise<CheckOutcome> {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  try {
    const outcomes = await runChecks([signinCheck, serverStandIn(twin, kind), entraConfigCheck], {
      services: { ...base, azure },
      options: { verbose: true, target: NO_TARGET },
      bus: new EventBus<RunEvent>(),
    });
    return outcomes.find((o) => o.id === 'entra-config')!;
  } finally {
    azure.dispose();
  }
}

const text = (o: CheckOutcome) =>
  [o.message, ...o.details, o.remediation?.summary ?? '', ...(o.remediation?.commands ?? [])].join('\n');

const sqlIdentity = (twin: Twin) =>
  twin.world.principals.find(
    (p) => p.kind === 'managedIdentity' && p.alternativeId?.toLowerCase() === RESOURCE_IDS.sql.toLowerCase(),
  )!;

test('Azure SQL run by a service principal: the server identity with its Graph rights passes', async () => {
  const twin = await twinFor('sp-operator');
  const outcome = await entraConfig(twin, 'sql');
  assert.equal(outcome.status, 'pass', text(outcome));
  assert.match(outcome.message, /^Entra admin orders-deployer/);
  assert.match(
    text(outcome),
    /server identity sql-orders's system identity may read Microsoft Graph \(User\.Read\.All, GroupMember\.Read\.All, Application\.Read\.All\)/,
  );
});

test('Azure SQL run by a service principal: a server identity without Graph rights blocks setup with the exact grant', async () => {
  const twin = await twinFor('sp-operator');
  const identity = sqlIdentity(twin);
  twin.world.appRoleAssignments = twin.world.appRoleAssignments.filter(
    (a) => a.principalId !== identity.objectId,
  );
  const outcome = await entraConfig(twin, 'sql');
  assert.equal(outcome.status, 'fail', text(outcome));
  assert.equal(outcome.blocking, true);
  assert.match(
    outcome.message,
    /^the server identity sql-orders's system identity lacks Graph permissions User\.Read\.All, GroupMember\.Read\.All, Application\.Read\.All, so the service principal 5e1f0000-0000-4000-8000-00000000a991 cannot create Entra users$/,
  );
  const commands = outcome.remediation?.commands ?? [];
  assert.equal(commands.length, 3);
  for (const command of commands) {
    // Built by commandLine: the JSON body is one single-quoted word, the URI names the identity.
    assert.match(
      command,
      new RegExp(
        `^az rest --method POST --uri ${twin.graphUrl.replace(/[.:/]/g, '\\$&')}/v1\\.0/servicePrincipals/${identity.objectId}/appRoleAssignments --body '\\{"principalId":"${identity.objectId}","resourceId":"[0-9a-f-]+","appRoleId":"[0-9a-f-]+"\\}'$`,
      ),
    );
  }
});

test('Azure SQL run by a service principal: a server without an identity blocks setup, naming how to give it one', async () => {
  const twin = await twinFor('sp-operator');
  const { identity: _identity, ...bare } = twin.store.get(RESOURCE_IDS.sql)!;
  twin.store.put(bare);
  const outcome = await entraConfig(twin, 'sql');
  assert.equal(outcome.status, 'fail', text(outcome));
  assert.equal(outcome.blocking, true);
  assert.match(
    outcome.message,
    /^sql-orders has no server identity, so the service principal \S+ cannot create Entra users in it$/,
  );
  assert.deepEqual(outcome.remediation?.commands, [
    `az sql server update --ids ${RESOURCE_IDS.sql} --assign-identity`,
  ]);
  assert.match(text(outcome), /Server identity is not configured/);

  // A person needs no server identity: SQL resolves names with the person's own rights.
  twin.world.signedInAs = twin.world.principals.find((p) => p.kind === 'user')!.objectId;
  const person = await entraConfig(twin, 'sql');
  assert.notEqual(person.status, 'fail', text(person));
  assert.doesNotMatch(text(person), /server identity/);
});

test('a service principal is one everywhere: its groups come from servicePrincipals/{id}, its admin commands name its type and client id', async () => {
  const twin = await twinFor('sp-operator');
  const group = {
    objectId: '9a0a0000-0000-4000-8000-0000000000e1',
    displayName: 'Deployers',
    members: [DEPLOYER.objectId],
  };
  twin.world.groups = [group];
  // PostgreSQL's only admin is a group the service principal belongs to.
  for (const admin of twin.store.children(
    RESOURCE_IDS.postgres,
    'Microsoft.DBforPostgreSQL/flexibleServers/administrators',
  ))
    twin.store.delete(admin.id);
  twin.store.put({
    id: `${RESOURCE_IDS.postgres}/administrators/${group.objectId}`,
    name: group.objectId,
    type: 'Microsoft.DBforPostgreSQL/flexibleServers/administrators',
    properties: {
      principalName: 'Deployers',
      principalType: 'Group',
      objectId: group.objectId,
      tenantId: twin.world.tenantId,
    },
  });
  const member = await entraConfig(twin, 'postgres');
  assert.equal(member.status, 'pass', text(member));
  assert.equal(
    member.message,
    `Entra on · the service principal ${DEPLOYER.appId} is an admin through group Deployers`,
  );
  assert.equal(member.data.login, 'Deployers');
  assert.equal(member.data.loginVia, 'group');

  // Out of the group: not an admin, and the command that would make it one says ServicePrincipal.
  twin.world.groups = [{ ...group, members: [] }];
  const outsider = await entraConfig(twin, 'postgres');
  assert.equal(outsider.status, 'warn', text(outsider));
  assert.deepEqual(outsider.remediation?.commands, [
    `az postgres flexible-server ad-admin create -g rg-orders -s pg-orders -u ${DEPLOYER.appId} -i ${DEPLOYER.objectId} -t ServicePrincipal`,
  ]);

  // Azure SQL names an app admin by its client id.
  const admin = twin.store.get(`${RESOURCE_IDS.sql}/administrators/ActiveDirectory`)!;
  twin.store.put({ ...admin, properties: { ...admin.properties, login: 'someone', sid: GUEST.objectId } });
  const sql = await entraConfig(twin, 'sql');
  assert.match(
    (sql.remediation?.commands ?? []).join('\n'),
    new RegExp(`--display-name ${DEPLOYER.appId} --object-id ${DEPLOYER.appId}$`),
  );
});

test("a B2B guest admin: setup logs in with the admin entry's #EXT# name, not the token's home account", async () => {
  const twin = await twinFor('guest-admin');
  for (const kind of ['postgres', 'mysql'] as const) {
    const outcome = await entraConfig(twin, kind);
    assert.equal(outcome.status, 'pass', `${kind}: ${text(outcome)}`);
    assert.equal(outcome.data.login, GUEST.userPrincipalName, kind);
    assert.equal(outcome.data.loginVia, 'direct', kind);
  }
  const pg = await entraConfig(twin, 'postgres');
  assert.match(
    text(pg),
    /the admin entry names kim_fabrikam\.example#EXT#@contoso\.twin\.test: setup logs in with that name\./,
  );
});
