/**
 * The Azure SQL setup steps through the real engine, against the twin and its TDS stand-in (tedious
 * over TLS verified against the server's Azure name): the happy paths, then undo from the journal
 * restores the ARM state and the SQL catalogue exactly.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { sidOf } from '../azure-twin/tds/catalog.ts';
import { appIdOf, springWithoutIdentity } from './postgres-helpers.ts';
import {
  appFacts,
  catalogueOf,
  ordersUsers,
  runSqlSetup,
  servicesFor,
  sqlInputFor,
  stateOf,
  undoSqlRun,
} from './sql-helpers.ts';

let twin: Twin;
const SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-00000000015e',
  appId: 'c0ffee00-0000-4000-8000-00000000015e',
  name: 'orders-sql-sp',
};
const SP_SECRET = 'twin-sp-secret-Value~456';

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
  twin.context.addPrincipal({
    objectId: SP.objectId,
    appId: SP.appId,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: SP.name,
  });
  // The firewall knows nothing of this machine: setup must open it for the run and close it after.
  twin.store.delete(`${RESOURCE_IDS.sql}/firewallRules/dana-laptop`);
  // The healthy Spring app has a system identity: without it, the step really turns one on.
  springWithoutIdentity(twin);
});

after(async () => {
  await twin?.close();
});

const uami = () => twin.store.get(RESOURCE_IDS.identity)!;
const temporaryRules = () =>
  twin.store
    .children(RESOURCE_IDS.sql, 'Microsoft.Sql/servers/firewallRules')
    .filter((r) => r.name.startsWith('sc-doctor-'));

const AUTHS = ['system', 'user', 'sp'] as const;
const TARGETS = ['webapp', 'containerapp', 'spring'] as const;

for (const auth of AUTHS) {
  for (const target of TARGETS) {
    test(`happy path: ${auth} identity on a ${target}; then undo restores the world`, async () => {
      const stateBefore = stateOf(twin);
      const catalogueBefore = catalogueOf(twin);
      const appId = appIdOf(target);
      const input = sqlInputFor(twin, {
        app: appFacts(twin, target),
        auth:
          auth === 'system'
            ? { kind: 'system' }
            : auth === 'user'
              ? { kind: 'user', clientId: (uami().properties as { clientId: string }).clientId }
              : { kind: 'sp', clientId: SP.appId },
        connectionName: `orders_sql_${auth}_${target}`,
      });
      const services = servicesFor(twin, { SC_DOCTOR_APP_CLIENT_SECRET: SP_SECRET });
      const { result, journal, consents } = await runSqlSetup(twin, input, { services });
      assert.equal(
        result.status,
        'succeeded',
        JSON.stringify({ failure: result.failure, steps: result.steps }),
      );
      assert.deepEqual(consents, [], 'Dana is the admin already: nothing needs consent');

      const principal =
        auth === 'system'
          ? // The identity the app has now (a Spring app's was turned on by this run).
            twin.context.principal((twin.store.get(appId)!.identity as { principalId: string }).principalId)!
          : auth === 'user'
            ? twin.world.principals.find(
                (p) => p.alternativeId?.toLowerCase() === RESOURCE_IDS.identity.toLowerCase(),
              )!
            : twin.context.principal(SP.objectId)!;
      // Entra names a Spring app's system identity `<service>/apps/<app>`; CREATE USER resolves that name.
      const systemName =
        target === 'spring' ? `${NAMES.springService}/apps/${input.app.name}` : input.app.name;
      const expectedName = auth === 'system' ? systemName : auth === 'user' ? uami().name : SP.name;
      assert.deepEqual(ordersUsers(twin), [
        {
          name: expectedName,
          objectId: principal.objectId,
          sid: sidOf(principal.appId!),
          roles: ['db_datareader', 'db_datawriter', 'db_ddladmin'],
          permissions: ['GRANT CONNECT'],
        },
      ]);
      const linker = twin.store.get(
        `${appId}/providers/Microsoft.ServiceLinker/linkers/orders_sql_${auth}_${target}`,
      )!;
      const props = linker.properties as any;
      assert.equal(props.provisioningState, 'Succeeded');
      assert.equal(props.authInfo.userName, expectedName);
      assert.equal(props.targetService.id, `${RESOURCE_IDS.sql}/databases/orders`);
      if (target === 'spring') {
        if (auth !== 'sp')
          assert.equal(result.steps.find((s) => s.id === 'app-identity')?.outcome, 'applied');
        // Service Connector writes a Spring app's settings to its active deployment's environment.
        const env = (twin.store.get(`${appId}/deployments/default`)!.properties as any).deploymentSettings
          .environmentVariables;
        assert.equal(env.AZURE_SQL_DATABASE, 'orders');
      }
      assert.deepEqual(temporaryRules(), [], 'no temporary firewall rule remains');
      assert.equal(result.steps.find((s) => s.id === 'firewall-temp')?.outcome, 'applied');
      const journalText = await readFile(path.join(journal.runsDir, `${result.runId}.json`), 'utf8');
      assert.ok(!journalText.includes(SP_SECRET), 'the secret is not in the journal');
      assert.ok(!journalText.includes(twin.tokens.issue(IDS.dana, 'sql').split('.')[2]!));

      const undone = await undoSqlRun(twin, journal, result.runId);
      assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
      assert.deepEqual(stateOf(twin), stateBefore);
      assert.deepEqual(catalogueOf(twin), catalogueBefore);
    });
  }
}
