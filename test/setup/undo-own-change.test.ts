/**
 * Each undo reverts only what its own write changed, read against the resource as it is now: an
 * identity someone attached to the app or the MySQL server after the run stays when the run's undo
 * takes its own identity off. Against the twin (scenario entra-off), calling the undo functions the
 * journal would call.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UndoContext } from '../../source/engine/step.ts';
import { undoAppIdentity } from '../../source/setup/app/app-identity.ts';
import { API } from '../../source/setup/input.ts';
import { undoServerIdentity } from '../../source/setup/mysql/server-identity.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { seedUserAssignedIdentity } from '../azure-twin/providers/identities.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { servicesFor } from './postgres-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'entra-off', databases: [] });
});

after(async () => {
  await twin?.close();
});

const undoContext = (): UndoContext => ({
  runId: '20261206-000001',
  signal: new AbortController().signal,
  progress: () => {},
  inFlight: () => {},
});

/** A second user-assigned identity someone else made and attaches. */
function anotherIdentity(name: string): string {
  return seedUserAssignedIdentity(twin, {
    subscriptionId: IDS.subscriptionId,
    resourceGroup: NAMES.resourceGroup,
    name,
  }).id;
}

test("undo of the app's system identity leaves a user identity attached since the run", async () => {
  const services = servicesFor(twin);
  const app = RESOURCE_IDS.webApp;
  const site = twin.store.get(app)!;
  const principalId = (site.identity as { principalId?: string }).principalId!;
  // The run turned the system identity on (the app had none); then someone attached their identity.
  const theirs = anotherIdentity('id-theirs');
  const uami = twin.store.get(theirs)!.properties as { principalId: string; clientId: string };
  twin.store.put({
    ...site,
    identity: {
      type: 'SystemAssigned, UserAssigned',
      principalId,
      tenantId: IDS.tenantId,
      userAssignedIdentities: { [theirs]: { principalId: uami.principalId, clientId: uami.clientId } },
    },
  });
  const result = await undoAppIdentity(services, undoContext(), {
    app,
    api: API.webapp,
    appName: site.name,
    beforeType: 'None',
    beforeUsers: [],
    addedSystem: true,
    attachedUami: null,
    principalId,
  });
  assert.deepEqual(result, { status: 'undone' });
  const identity = twin.store.get(app)!.identity as { type: string; userAssignedIdentities?: object };
  assert.equal(identity.type, 'UserAssigned', 'only the system identity the run turned on is off');
  assert.deepEqual(Object.keys(identity.userAssignedIdentities ?? {}), [theirs]);
});

test('undo of the MySQL server identity leaves an identity attached since the run', async () => {
  const services = servicesFor(twin);
  const server = RESOURCE_IDS.mysql;
  // A server with no identity and no Entra admin yet; the run attached its identity, then someone
  // attached theirs beside it.
  const ours = anotherIdentity('id-ours-mysql');
  const theirs = anotherIdentity('id-theirs-mysql');
  twin.store.delete(`${server}/administrators/ActiveDirectory`);
  const entry = (id: string) => {
    const props = twin.store.get(id)!.properties as { principalId: string; clientId: string };
    return { principalId: props.principalId, clientId: props.clientId, tenantId: IDS.tenantId };
  };
  const current = twin.store.get(server)!;
  twin.store.put({
    ...current,
    identity: {
      type: 'UserAssigned',
      userAssignedIdentities: { [ours]: entry(ours), [theirs]: entry(theirs) },
    },
  });
  const result = await undoServerIdentity(services, undoContext(), {
    server,
    serverName: current.name,
    attached: ours,
    before: [],
  });
  assert.deepEqual(result, { status: 'undone' });
  const identity = twin.store.get(server)!.identity as { userAssignedIdentities?: object } | undefined;
  assert.deepEqual(Object.keys(identity?.userAssignedIdentities ?? {}), [theirs]);
});
