/**
 * The MySQL setup steps through the real engine, against the twin and its real MariaDB: the happy
 * paths (3 auths × web app and container app), each replacing the server's previous single Entra
 * admin with consent and undone from the journal until the world (ARM and MariaDB) is as it was.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Journal } from '../../source/engine/journal.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import {
  LEAST_PRIVILEGES,
  type MysqlSetupInput,
  mysqlProblemsOf,
  mysqlUndoers,
} from '../../source/setup/mysql/index.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  AVERY,
  grantsOf,
  loginAs,
  makeAveryTheAdmin,
  mysqlInputFor,
  mysqlUsersOf,
  runMysqlSetup,
} from './mysql-helpers.ts';
import { appFacts, appIdOf, DANA, servicesFor, springWithoutIdentity, stateOf } from './postgres-helpers.ts';

let twin: Twin;
const SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-00000000006e',
  appId: 'c0ffee00-0000-4000-8000-00000000006e',
};
const SP_SECRET = 'twin-sp-secret-Value~456';

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['mysql'] });
  twin.context.addPrincipal({
    objectId: SP.objectId,
    appId: SP.appId,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-sp',
  });
  // The firewall knows nothing of this machine: setup must open it for the run and close it after.
  twin.store.delete(`${RESOURCE_IDS.mysql}/firewallRules/dana-laptop`);
  // The web app starts without a system identity (only its user-assigned one).
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  twin.store.put({
    ...site,
    identity: { type: 'UserAssigned', userAssignedIdentities: (site.identity as any).userAssignedIdentities },
  });
  // The healthy Spring app has a system identity: without it, the step really turns one on.
  springWithoutIdentity(twin);
  await makeAveryTheAdmin(twin);
});

after(async () => {
  await twin?.close();
});

const uami = () =>
  twin.store.get(RESOURCE_IDS.identity)!.properties as { clientId: string; principalId: string };
const temporaryRules = () =>
  twin.store
    .children(RESOURCE_IDS.mysql, 'Microsoft.DBforMySQL/flexibleServers/firewallRules')
    .filter((r) => r.name.startsWith('sc-doctor-'));
const adminNow = () =>
  twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)?.properties as
    | { login: string; sid: string }
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

const AUTHS = ['system', 'user', 'sp'] as const;
const TARGETS = ['webapp', 'containerapp', 'spring'] as const;

for (const auth of AUTHS) {
  for (const target of TARGETS) {
    test(`happy path: ${auth} identity on a ${target} replaces Avery as admin with consent; undo puts Avery back`, async () => {
      const stateBefore = stateOf(twin);
      const usersBefore = await mysqlUsersOf(twin);
      const input = mysqlInputFor(twin, {
        app: appFacts(twin, target),
        auth:
          auth === 'system'
            ? { kind: 'system' }
            : auth === 'user'
              ? { kind: 'user', clientId: uami().clientId }
              : { kind: 'sp', clientId: SP.appId },
        connectionName: `my_${auth}_${target}`,
        mysqlAdmin: AVERY,
      });
      const asked: string[] = [];
      const services = servicesFor(twin, { SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
      const { result, journal, planLines } = await runMysqlSetup(twin, input, {
        services,
        confirm: async (request) => {
          asked.push(`${request.id}: ${request.reason}`);
          return true;
        },
      });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
      assert.deepEqual(asked, [
        `entra-admin: replaces ${AVERY.login}, the only Entra admin of mysql-orders, with ${DANA}`,
      ]);
      assert.ok(
        planLines.some((l) => l.includes(`replace ${AVERY.login}, the only Entra admin`)),
        planLines.join('\n'),
      );
      assert.equal(adminNow()?.sid, IDS.dana);

      const user = `aad_my_${auth}_${target}`;
      const appId = appIdOf(target);
      const principal =
        auth === 'system'
          ? (twin.store.get(appId)!.identity as { principalId: string }).principalId
          : auth === 'user'
            ? uami().principalId
            : SP.objectId;
      // The app's identity signs in as the user: it was created for that identity's client id.
      await loginAs(twin, principal, user);
      await assert.rejects(loginAs(twin, IDS.dana, user), /Access denied/);
      const grants = (await grantsOf(twin, user))
        .filter((g) => !g.startsWith('GRANT USAGE ON *.*'))
        .map(normalise);
      assert.deepEqual(
        grants,
        [`GRANT ${LEAST_PRIVILEGES.join(', ')} ON \`orders\`.* TO \`${user}\`@\`%\``].map(normalise),
      );

      const linker = twin.store.get(
        `${appId}/providers/Microsoft.ServiceLinker/linkers/my_${auth}_${target}`,
      )!;
      const props = linker.properties as any;
      assert.equal(props.authInfo.userName, user);
      assert.equal(props.provisioningState, 'Succeeded');
      assert.equal(props.targetService.id, `${RESOURCE_IDS.mysql}/databases/orders`);
      if (target === 'spring') {
        if (auth !== 'sp')
          assert.equal(result.steps.find((s) => s.id === 'app-identity')?.outcome, 'applied');
        // Service Connector writes a Spring app's settings to its active deployment's environment.
        const env = (twin.store.get(`${appId}/deployments/default`)!.properties as any).deploymentSettings
          .environmentVariables;
        assert.equal(env.AZURE_MYSQL_USER, user);
      }
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule remains');
      assert.equal(result.steps.find((s) => s.id === 'firewall-temp')?.outcome, 'applied');
      const journalText = await readFile(path.join(journal.runsDir, `${result.runId}.json`), 'utf8');
      assert.ok(!journalText.includes(SP_SECRET), 'the secret is not in the journal');
      const danaToken = twin.tokens.issue(IDS.dana, 'ossrdbms');
      assert.ok(!journalText.includes(danaToken.split('.')[2]!), 'no database token in the journal');
      assert.ok(
        !JSON.stringify(result).includes(danaToken.split('.')[2]!),
        'no database token in the result',
      );
      // CREATE AADUSER named the identity's client id (the application id), as Azure expects.
      const created = JSON.parse(journalText).steps.find((s: { id: string }) => s.id === 'database-user');
      const clientId =
        auth === 'system'
          ? twin.world.principals.find((p) => p.objectId === principal)!.appId
          : auth === 'user'
            ? uami().clientId
            : SP.appId;
      assert.equal(created.record.clientId, clientId);

      await restore(journal, result.runId);
      assert.equal(adminNow()?.login, AVERY.login, 'Avery is the admin again');
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
    });
  }
}

/** MariaDB lists the privileges in its own order: compare sets. */
function normalise(grant: string): string {
  const match = /^GRANT (.+) ON (.+)$/.exec(grant);
  if (!match) return grant;
  return `GRANT ${match[1]!.split(', ').sort().join(', ')} ON ${match[2]}`;
}

test('consent declined: Avery stays the admin, nothing that needs the admin happens, and the result says so', async () => {
  const stateBefore = stateOf(twin);
  const usersBefore = await mysqlUsersOf(twin);
  const { result, journal } = await runMysqlSetup(
    twin,
    mysqlInputFor(twin, { connectionName: 'my_declined', mysqlAdmin: AVERY }),
    { confirm: async () => false },
  );
  assert.equal(adminNow()?.login, AVERY.login);
  assert.deepEqual(
    result.notDone.map((n) => `${n.id}: ${n.reason}`),
    [
      'entra-admin: consent refused',
      'firewall-temp: depends on entra-admin, whose consent was refused',
      'database-user: depends on entra-admin, whose consent was refused',
      'service-connector: depends on entra-admin, whose consent was refused',
      'verify: depends on entra-admin, whose consent was refused',
      'firewall-temp-remove: depends on entra-admin, whose consent was refused',
    ],
  );
  assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
  assert.deepEqual(temporaryRules(), []);
  // Only the app's identity was turned on (it replaces nothing): undo takes it back too.
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
});

test('the admin changed since the plan: no consent covered the new one, so it is not replaced', async () => {
  const stateBefore = stateOf(twin);
  const usersBefore = await mysqlUsersOf(twin);
  const asked: string[] = [];
  const { result } = await runMysqlSetup(
    twin,
    // The doctor saw Dana as the admin: the plan asks nothing, but Avery holds it now.
    mysqlInputFor(twin, { connectionName: 'my_stale', mysqlAdmin: { login: DANA, sid: IDS.dana } }),
    {
      confirm: async (request) => {
        asked.push(request.id);
        return true;
      },
    },
  );
  assert.deepEqual(asked, []);
  assert.equal(result.status, 'rolled-back');
  assert.equal(result.failure?.id, 'entra-admin');
  assert.match(result.failure?.message ?? '', /now avery@contoso\.twin\.test, not who the plan showed/);
  assert.equal(adminNow()?.login, AVERY.login);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
});

test('--grants owner: ALL PRIVILEGES on the database only, as the Azure CLI grants', async () => {
  const { result, journal } = await runMysqlSetup(
    twin,
    mysqlInputFor(twin, { connectionName: 'my_owner', grants: 'owner', mysqlAdmin: AVERY }),
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const grants = (await grantsOf(twin, 'aad_my_owner')).filter((g) => !g.startsWith('GRANT USAGE ON *.*'));
  assert.deepEqual(grants, ['GRANT ALL PRIVILEGES ON `orders`.* TO `aad_my_owner`@`%`']);
  await restore(journal, result.runId);
});

test('hostile user and database names are refused up front or created exactly as named, never run as SQL', async () => {
  const problems = (overrides: Partial<MysqlSetupInput>) =>
    mysqlProblemsOf(mysqlInputFor(twin, overrides)).join('\n');
  assert.match(problems({ dbUser: 'u'.repeat(33) }), /longer than MySQL's 32 characters/);
  assert.match(problems({ dbUser: 'a\nb' }), /control characters/);
  assert.match(problems({ dbUser: '' }), /may not be empty/);
  assert.match(problems({ connectionName: "x'; drop" }), /not valid for Service Connector/);
  assert.match(problems({ mysqlIdentityId: "id'; DROP" }), /not the ARM id of a user-assigned identity/);

  const user = 'o\'; DROP USER root;-- `é\\"';
  const database = "ord`er's; DROP DATABASE x_%";
  assert.deepEqual(mysqlProblemsOf(mysqlInputFor(twin, { dbUser: user, database })), []);
  const server = twin.store.get(RESOURCE_IDS.mysql)!;
  await twin.context.databases.databaseCreated!(server, database);
  const stateBefore = stateOf(twin);
  const usersBefore = await mysqlUsersOf(twin);
  const { result, journal } = await runMysqlSetup(
    twin,
    mysqlInputFor(twin, { dbUser: user, database, linker: false, mysqlAdmin: AVERY }),
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const users = await mysqlUsersOf(twin);
  const added = users.filter((u) => !usersBefore.includes(u) && !u.includes('dana@'));
  // Exactly the user, named exactly, granted on exactly that database (its name escaped, not run).
  assert.equal(added.length, 2, added.join('\n'));
  assert.ok(
    added.some((g) => g.startsWith('GRANT USAGE ON *.* TO `o\'; DROP USER root;-- ``é\\"`@`%`')),
    added.join('\n'),
  );
  assert.ok(
    added.some((g) => g.includes(" ON `ord``er's; DROP DATABASE x\\_\\%`.* TO ")),
    added.join('\n'),
  );
  const settings = twin.store.get(`${RESOURCE_IDS.webApp}/config/appsettings`)!.properties as Record<
    string,
    string
  >;
  assert.equal(settings.AZURE_MYSQL_USER, user);
  assert.equal(settings.AZURE_MYSQL_DATABASE, database);
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
});

test('an existing user of that name is dropped only with consent; without it the run stops and says why', async () => {
  const first = await runMysqlSetup(
    twin,
    mysqlInputFor(twin, { connectionName: 'my_again', mysqlAdmin: AVERY }),
  );
  assert.equal(first.result.status, 'succeeded', JSON.stringify(first.result.failure));
  const usersAfterFirst = await mysqlUsersOf(twin);
  try {
    // The doctor saw Dana as admin now (the first run made her so).
    const again = mysqlInputFor(twin, {
      connectionName: 'my_again',
      mysqlAdmin: { login: DANA, sid: IDS.dana },
    });
    const refused = await runMysqlSetup(twin, again);
    assert.equal(refused.result.failure?.id, 'database-user');
    assert.match(
      refused.result.failure?.message ?? '',
      /a MySQL user named aad_my_again exists.*agree to replace it/,
    );
    assert.deepEqual(await mysqlUsersOf(twin), usersAfterFirst);

    const asked: string[] = [];
    const replaced = await runMysqlSetup(
      twin,
      { ...again, replaceUser: true },
      {
        confirm: async (request) => {
          asked.push(`${request.id}: ${request.reason}`);
          return true;
        },
      },
    );
    assert.equal(replaced.result.status, 'succeeded', JSON.stringify(replaced.result.failure));
    assert.deepEqual(asked, [
      'database-user: drops the MySQL user aad_my_again (MySQL cannot show which identity it stands for) and creates it again; a rollback cannot bring the old one back',
    ]);
    const principal = (twin.store.get(RESOURCE_IDS.webApp)!.identity as { principalId: string }).principalId;
    await loginAs(twin, principal, 'aad_my_again');
    await restore(replaced.journal, replaced.result.runId);
  } finally {
    await restore(first.journal, first.result.runId);
  }
});

test('--no-linker with a service principal: the app gets AZURE_MYSQL_TENANTID (the generated credential reads it) and undo removes it', async () => {
  const settingsId = `${RESOURCE_IDS.webApp}/config/appsettings`;
  const existing = twin.store.get(settingsId);
  const stateBefore = stateOf(twin);
  const usersBefore = await mysqlUsersOf(twin);
  const { result, journal } = await runMysqlSetup(
    twin,
    mysqlInputFor(twin, {
      linker: false,
      auth: { kind: 'sp', clientId: SP.appId },
      connectionName: 'orders_my_sp',
      mysqlAdmin: AVERY,
    }),
    { services: servicesFor(twin, { SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET }) },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  const settings = twin.store.get(settingsId)!.properties as Record<string, string>;
  assert.equal(settings.AZURE_MYSQL_TENANTID, IDS.tenantId);
  assert.equal(settings.AZURE_MYSQL_CLIENTID, SP.appId);
  assert.equal(settings.AZURE_MYSQL_CLIENTSECRET, SP_SECRET);
  await restore(journal, result.runId);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await mysqlUsersOf(twin), usersBefore);
  if (!existing) twin.store.delete(settingsId);
});
