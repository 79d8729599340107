/**
 * Setup on an Azure Spring Apps app beyond the happy paths (those run per database in the
 * postgres-, mysql- and sql-setup tests): `--no-linker` is refused by all three flows before any
 * step exists, a Spring app that already has its system identity gets a user identity beside it and
 * undo puts back exactly the identity block it had, and the by-hand undo names `az spring`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { manualAppIdentity } from '../../source/setup/app/app-identity.ts';
import { mysqlProblemsOf } from '../../source/setup/mysql/input.ts';
import { postgresUndoers, problemsOf } from '../../source/setup/postgres/index.ts';
import { sqlProblemsOf } from '../../source/setup/sql/input.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  appFacts,
  inputFor,
  OWNER_ENV,
  runPostgresSetup,
  SPRING_APP_ID,
  servicesFor,
  stateOf,
} from './postgres-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
  twin.store.delete(`${RESOURCE_IDS.postgres}/firewallRules/dana-laptop`);
});

after(async () => {
  await twin?.close();
});

const springIdentity = () => structuredClone(twin.store.get(SPRING_APP_ID)!.identity) as Record<string, any>;

test('--no-linker on a Spring app: every flow refuses it and says Service Connector writes the settings', () => {
  const spring = appFacts(twin, 'spring');
  const withLinker = inputFor(twin, { app: spring });
  assert.deepEqual(problemsOf(withLinker), []);
  assert.deepEqual(mysqlProblemsOf(withLinker), []);
  assert.deepEqual(sqlProblemsOf(withLinker), []);
  const noLinker = { ...withLinker, linker: false };
  for (const problems of [problemsOf(noLinker), mysqlProblemsOf(noLinker), sqlProblemsOf(noLinker)]) {
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /--no-linker cannot write a Spring app's settings/);
    assert.match(problems[0]!, /environment variables of its active deployment/);
    assert.match(problems[0]!, /Service Connector/);
  }
});

test('a Spring app with its system identity gets the user identity beside it; undo restores the block exactly', async () => {
  const identityBefore = springIdentity();
  assert.equal(identityBefore.type, 'SystemAssigned', 'the scenario seeds the system identity');
  const stateBefore = stateOf(twin);
  const clientId = (twin.store.get(RESOURCE_IDS.identity)!.properties as { clientId: string }).clientId;
  const { result, journal } = await runPostgresSetup(
    twin,
    inputFor(twin, {
      app: appFacts(twin, 'spring'),
      auth: { kind: 'user', clientId },
      connectionName: 'orders_spring_beside',
    }),
    // pgadmin owns orders: its password lets setup give every grant (the run is done, not handed off).
    { services: servicesFor(twin, OWNER_ENV) },
  );
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  assert.equal(result.steps.find((s) => s.id === 'app-identity')?.outcome, 'applied');
  const during = springIdentity();
  // Spring writes the combined type without a space, unlike App Service.
  assert.equal(during.type, 'SystemAssigned,UserAssigned');
  assert.equal(during.principalId, identityBefore.principalId, 'the system identity is kept, not replaced');
  assert.deepEqual(Object.keys(during.userAssignedIdentities), [RESOURCE_IDS.identity]);

  const services = servicesFor(twin, OWNER_ENV);
  try {
    const undone = await undoFromJournal({
      journal,
      runId: result.runId,
      steps: postgresUndoers(services, inputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
  } finally {
    services.azure.dispose();
  }
  assert.deepEqual(springIdentity(), identityBefore);
  assert.deepEqual(stateOf(twin), stateBefore);
});

test('the by-hand undo of a Spring app identity names its group, service and app for az spring', () => {
  const record = {
    app: SPRING_APP_ID,
    api: '2023-12-01',
    appName: 'orders-spring',
    beforeType: 'None',
    beforeUsers: [],
    addedSystem: true,
    attachedUami: RESOURCE_IDS.identity,
    principalId: null,
  };
  assert.deepEqual(manualAppIdentity(record), [
    'az spring app identity remove -g rg-orders -s spring-orders -n orders-spring --system-assigned',
    `az spring app identity remove -g rg-orders -s spring-orders -n orders-spring --user-assigned ${RESOURCE_IDS.identity}`,
  ]);
});
