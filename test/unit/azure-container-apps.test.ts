/**
 * Container Apps (Microsoft.App) through @azure/arm-appcontainers 4 on the session's one pipeline,
 * against the twin: reads and the subscription's list answer with the JSON Azure sent at the client's
 * api-version (2026-07-01), a refusal keeps Azure's status, code and message; the PATCH is
 * long-running and its polls are driven by sc-doctor's own loop (noted in flight from the first
 * answer, each wait Azure's `Retry-After`, shown on the step), Failed and Canceled are errors, a
 * refused PATCH changed nothing; the env and identity PATCHes land as sent (a user-assigned identity
 * mapped to null comes off).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { armError } from '../../source/azure/arm.ts';
import { ArmOperationError } from '../../source/azure/arm-lro.ts';
import {
  getContainerApp,
  getManagedEnvironment,
  listContainerApps,
} from '../../source/azure/container-apps.ts';
import {
  patchContainerAppContainers,
  patchContainerAppIdentity,
} from '../../source/azure/container-apps-write.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { changedNothing, type InFlightWrite } from '../../source/engine/step.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { seedUserAssignedIdentity } from '../azure-twin/providers/identities.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

const APP = RESOURCE_IDS.containerApp;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
});
afterEach(() => {
  twin.faults.clear();
  twin.faults.lroDelayMs = 0;
  twin.faults.retryAfterSeconds = undefined;
});
after(async () => {
  await twin?.close();
});

function session() {
  return createAzureSession(
    { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now },
    { tls: { ca: twin.caPem } },
  );
}

function context() {
  const inFlight: InFlightWrite[] = [];
  const progress: string[] = [];
  return {
    inFlight,
    progress,
    ctx: {
      runId: 'r',
      signal: new AbortController().signal,
      progress: (detail: string) => progress.push(detail),
      inFlight: (write: InFlightWrite) => inFlight.push(write),
    },
  };
}

type AppBody = {
  properties?: {
    managedEnvironmentId?: string;
    template?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] };
  };
  template?: unknown;
  identity?: { type: string; principalId?: string; userAssignedIdentities?: Record<string, unknown> };
};

test('a container app and its environment read as Azure sent them at 2026-07-01; a refusal keeps its code and message', async () => {
  const azure = session();
  try {
    const app = await getContainerApp(azure, APP);
    assert.equal(app.status, 200);
    assert.match(app.request?.url ?? '', /api-version=2026-07-01$/);
    // The wire shape: the client's model would have `template` at the top and no `properties`.
    const body = app.body as AppBody;
    assert.ok(body.properties?.template?.containers?.length, JSON.stringify(body));
    assert.equal(body.template, undefined);

    const environment = await getManagedEnvironment(azure, body.properties!.managedEnvironmentId!);
    assert.equal(environment.status, 200);
    assert.match(environment.request?.url ?? '', /managedEnvironments\/[^/?]+\?api-version=2026-07-01$/);
    assert.ok(
      (environment.body as { properties?: { vnetConfiguration?: unknown } }).properties?.vnetConfiguration,
    );

    twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(APP)}$`, 'i'),
      status: 403,
      code: 'AuthorizationFailed',
      message: 'No read on the app.',
    });
    const refused = await getContainerApp(azure, APP);
    assert.equal(refused.status, 403);
    assert.deepEqual(armError(refused.body), { code: 'AuthorizationFailed', message: 'No read on the app.' });

    const missing = await getContainerApp(azure, `${APP}-gone`);
    assert.equal(missing.status, 404);
  } finally {
    azure.dispose();
  }
});

test('container apps are listed through the client; a refused list keeps Azure code', async () => {
  const azure = session();
  try {
    const listed = await listContainerApps(azure, IDS.subscriptionId);
    assert.ok(listed.ok);
    assert.ok(
      listed.items.some((item) => (item as { id?: string }).id?.toLowerCase() === APP.toLowerCase()),
      JSON.stringify(listed.items),
    );
    twin.faults.add({
      method: 'GET',
      path: /providers\/Microsoft\.App\/containerApps$/i,
      status: 403,
      code: 'AuthorizationFailed',
      message: 'No list.',
    });
    const refused = await listContainerApps(azure, IDS.subscriptionId);
    assert.ok(!refused.ok);
    assert.equal(refused.response.status, 403);
    assert.equal(armError(refused.response.body)?.code, 'AuthorizationFailed');
  } finally {
    azure.dispose();
  }
});

test("a long-running PATCH is followed by sc-doctor's own polls: noted in flight from Azure's first answer, each wait Azure's Retry-After, shown on the step", async () => {
  const azure = session();
  const { ctx, inFlight, progress } = context();
  try {
    twin.faults.lroDelayMs = 2500;
    twin.faults.retryAfterSeconds = 1;
    const before = (await getContainerApp(azure, APP)).body as AppBody;
    const containers = structuredClone(before.properties!.template!.containers!);
    containers[0]!.env = [...(containers[0]!.env ?? []), { name: 'ADDED', value: 'yes' }];
    await patchContainerAppContainers(azure, ctx, APP, containers, 'writing the settings');
    assert.equal(inFlight.length, 1, 'noted once');
    assert.ok(inFlight[0]!.statusUrl, JSON.stringify(inFlight));
    assert.equal(inFlight[0]!.what, 'writing the settings');
    // Only sc-doctor's loop says this; awaited as it is, the poller would run on the SDK's schedule.
    assert.ok(
      progress.some((line) => line === 'waiting for Azure: InProgress (asking again in 1 s)'),
      progress.join('\n'),
    );
    const after = (await getContainerApp(azure, APP)).body as AppBody;
    assert.deepEqual(
      after.properties?.template?.containers?.[0]?.env?.find((entry) => entry.name === 'ADDED'),
      { name: 'ADDED', value: 'yes' },
    );
  } finally {
    azure.dispose();
  }
});

test('a PATCH that ends Failed or Canceled is an error in the product words, never a success', async () => {
  const azure = session();
  try {
    twin.faults.addLro({
      resourceId: APP,
      outcome: 'Failed',
      code: 'InternalServerError',
      message: 'It broke.',
    });
    await assert.rejects(
      patchContainerAppIdentity(azure, context().ctx, APP, { type: 'SystemAssigned' }, 'turning it on'),
      (error) =>
        error instanceof ArmOperationError &&
        /^turning it on ended Failed: InternalServerError: It broke\./.test(error.message),
    );
    twin.faults.addLro({ resourceId: APP, outcome: 'Canceled' });
    await assert.rejects(
      patchContainerAppIdentity(azure, context().ctx, APP, { type: 'SystemAssigned' }, 'turning it on'),
      (error) => error instanceof ArmOperationError && /^turning it on ended Canceled/.test(error.message),
    );
  } finally {
    azure.dispose();
  }
});

test('a refused PATCH changed nothing and names Azure code and message', async () => {
  const azure = session();
  const { ctx, inFlight } = context();
  try {
    twin.faults.add({
      method: 'PATCH',
      path: new RegExp(`${escaped(APP)}$`, 'i'),
      status: 409,
      code: 'ContainerAppOperationInProgress',
      message: 'Another operation is in progress.',
    });
    const error = await patchContainerAppIdentity(
      azure,
      ctx,
      APP,
      { type: 'SystemAssigned' },
      'turning it on',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ArmOperationError, String(error));
    assert.equal(
      error.message,
      'turning it on: Azure answered 409 ContainerAppOperationInProgress: Another operation is in progress.',
    );
    assert.ok(changedNothing(error));
    assert.deepEqual(inFlight, []);
  } finally {
    azure.dispose();
  }
});

test('the identity PATCH lands as sent; an identity mapped to null comes off', async () => {
  const azure = session();
  const { ctx } = context();
  try {
    const uami = seedUserAssignedIdentity(twin, {
      subscriptionId: IDS.subscriptionId,
      resourceGroup: 'rg-orders',
      name: 'id-container-apps-test',
    });
    await patchContainerAppIdentity(
      azure,
      ctx,
      APP,
      { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uami.id]: {} } },
      'attaching',
    );
    const both = (await getContainerApp(azure, APP)).body as AppBody;
    assert.equal(both.identity?.type, 'SystemAssigned,UserAssigned');
    assert.ok(both.identity?.principalId);
    const before = Object.keys(both.identity?.userAssignedIdentities ?? {});
    assert.ok(before.includes(uami.id), before.join(', '));

    await patchContainerAppIdentity(
      azure,
      ctx,
      APP,
      // As undo sends it: the others kept, the one this run attached mapped to null.
      {
        type: before.length > 1 ? 'SystemAssigned,UserAssigned' : 'SystemAssigned',
        userAssignedIdentities: {
          ...Object.fromEntries(before.filter((id) => id !== uami.id).map((id) => [id, {}])),
          [uami.id]: null,
        },
      },
      'detaching',
    );
    const after = (await getContainerApp(azure, APP)).body as AppBody;
    assert.deepEqual(
      Object.keys(after.identity?.userAssignedIdentities ?? {}),
      before.filter((id) => id !== uami.id),
    );
  } finally {
    azure.dispose();
  }
});
