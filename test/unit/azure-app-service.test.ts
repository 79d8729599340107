/**
 * App Service (Microsoft.Web sites) through @azure/arm-appservice 19 on the session's one pipeline,
 * against the twin: reads answer with the JSON Azure sent, and Microsoft.Web's own PascalCase refusal
 * (`{"Code", "Message"}`), which the client's `RestError` does not carry, is read from the wire; a
 * refused write changed nothing and names Azure's code and message; the identity PATCH and the app
 * settings PUT land as sent (a user-assigned identity mapped to null comes off); throttling is the
 * shared pipeline's, capped and shown.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { getWebApp, listWebAppSettings, listWebApps } from '../../source/azure/app-service.ts';
import { patchWebAppIdentity, putWebAppSettings } from '../../source/azure/app-service-write.ts';
import { armError } from '../../source/azure/arm.ts';
import { ArmOperationError } from '../../source/azure/arm-lro.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { reportingWaitsTo } from '../../source/core/wait-reports.ts';
import { changedNothing, type InFlightWrite } from '../../source/engine/step.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { seedUserAssignedIdentity } from '../azure-twin/providers/identities.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

const APP = RESOURCE_IDS.webApp;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
});
afterEach(() => twin.faults.clear());
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
    ctx: {
      runId: 'r',
      signal: new AbortController().signal,
      progress: (detail: string) => progress.push(detail),
      inFlight: (write: InFlightWrite) => inFlight.push(write),
    },
  };
}

const webRefusal = (method: string, path: RegExp, status: number, code: string, message: string) =>
  twin.faults.add({ method, path, status, code, message, envelope: 'web' });

test('a web app read answers with the JSON Azure sent; a Microsoft.Web refusal keeps its code and message', async () => {
  const azure = session();
  try {
    const site = await getWebApp(azure, APP);
    assert.equal(site.status, 200);
    assert.match(site.request?.url ?? '', /api-version=2025-05-01$/);
    // The wire shape: the client's model would have `defaultHostName` at the top and no `properties`.
    const body = site.body as { properties?: { hostNames?: unknown }; hostNames?: unknown };
    assert.ok(body.properties?.hostNames, JSON.stringify(body));
    assert.equal(body.hostNames, undefined);

    webRefusal(
      'GET',
      new RegExp(`${escaped(APP)}$`, 'i'),
      403,
      'AuthorizationFailed',
      'No read on the site.',
    );
    const refused = await getWebApp(azure, APP);
    assert.equal(refused.status, 403);
    assert.deepEqual(armError(refused.body), {
      code: 'AuthorizationFailed',
      message: 'No read on the site.',
    });

    webRefusal('POST', /config\/appsettings\/list$/i, 403, 'AuthorizationFailed', 'No list action.');
    const settings = await listWebAppSettings(azure, APP);
    assert.equal(settings.status, 403);
    assert.deepEqual(armError(settings.body), { code: 'AuthorizationFailed', message: 'No list action.' });
  } finally {
    azure.dispose();
  }
});

test('a refused web app write changed nothing and names Microsoft.Web code and message', async () => {
  const azure = session();
  const { ctx, inFlight } = context();
  try {
    const before = await listWebAppSettings(azure, APP);
    webRefusal('PUT', /config\/appsettings$/i, 409, 'Conflict', 'Another deployment is in progress.');
    const error = await putWebAppSettings(azure, ctx, APP, { NEW: 'value' }, 'writing the settings').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ArmOperationError, String(error));
    assert.equal(
      error.message,
      'writing the settings: Azure answered 409 Conflict: Another deployment is in progress.',
    );
    assert.ok(changedNothing(error));
    assert.deepEqual(inFlight, []);
    assert.deepEqual((await listWebAppSettings(azure, APP)).body, before.body);

    webRefusal('PATCH', new RegExp(`${escaped(APP)}$`, 'i'), 400, 'BadRequest', 'The identity is invalid.');
    const patch = await patchWebAppIdentity(
      azure,
      ctx,
      APP,
      { type: 'SystemAssigned' },
      'turning it on',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(patch instanceof ArmOperationError, String(patch));
    assert.equal(patch.message, 'turning it on: Azure answered 400 BadRequest: The identity is invalid.');
  } finally {
    azure.dispose();
  }
});

test('the app settings PUT and the identity PATCH land as sent; an identity mapped to null comes off', async () => {
  const azure = session();
  const { ctx } = context();
  try {
    const current = (await listWebAppSettings(azure, APP)).body as { properties: Record<string, string> };
    await putWebAppSettings(azure, ctx, APP, { ...current.properties, ADDED: 'yes' }, 'writing');
    const after = (await listWebAppSettings(azure, APP)).body as { properties: Record<string, string> };
    assert.deepEqual(after.properties, { ...current.properties, ADDED: 'yes' });

    const uami = seedUserAssignedIdentity(twin, {
      subscriptionId: IDS.subscriptionId,
      resourceGroup: 'rg-orders',
      name: 'id-app-service-test',
    });
    await patchWebAppIdentity(
      azure,
      ctx,
      APP,
      { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uami.id]: {} } },
      'attaching',
    );
    const both = (await getWebApp(azure, APP)).body as {
      identity: { type: string; principalId?: string; userAssignedIdentities?: Record<string, unknown> };
    };
    assert.equal(both.identity.type, 'SystemAssigned, UserAssigned');
    assert.ok(both.identity.principalId);
    const before = Object.keys(both.identity.userAssignedIdentities ?? {});
    assert.ok(before.includes(uami.id), before.join(', '));

    await patchWebAppIdentity(
      azure,
      ctx,
      APP,
      // As undo sends it: the others kept, the one this run attached mapped to null.
      {
        type: 'SystemAssigned, UserAssigned',
        userAssignedIdentities: {
          ...Object.fromEntries(before.filter((id) => id !== uami.id).map((id) => [id, {}])),
          [uami.id]: null,
        },
      },
      'detaching',
    );
    const system = (await getWebApp(azure, APP)).body as {
      identity: { type: string; userAssignedIdentities?: Record<string, unknown> };
    };
    assert.equal(system.identity.type, 'SystemAssigned, UserAssigned');
    // Only the one mapped to null came off; the app's other identities stay (a PATCH merges them).
    assert.deepEqual(
      Object.keys(system.identity.userAssignedIdentities ?? {}),
      before.filter((id) => id !== uami.id),
    );
  } finally {
    azure.dispose();
  }
});

test('web apps are listed through the client; a refused list keeps Microsoft.Web code', async () => {
  const azure = session();
  try {
    const listed = await listWebApps(azure, IDS.subscriptionId);
    assert.ok(listed.ok);
    assert.ok(
      listed.items.some((item) => (item as { id?: string }).id?.toLowerCase() === APP.toLowerCase()),
      JSON.stringify(listed.items),
    );
    webRefusal('GET', /providers\/Microsoft\.Web\/sites$/i, 403, 'AuthorizationFailed', 'No list.');
    const refused = await listWebApps(azure, IDS.subscriptionId);
    assert.ok(!refused.ok);
    assert.equal(refused.response.status, 403);
    assert.equal(armError(refused.response.body)?.code, 'AuthorizationFailed');
  } finally {
    azure.dispose();
  }
});

test('a throttled web app read is asked again after the wait Azure names, shown to whoever asked', async () => {
  const azure = session();
  try {
    const id = twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(APP)}$`, 'i'),
      status: 429,
      code: 'TooManyRequests',
      message: 'The request is being throttled.',
      retryAfterSeconds: 1,
    });
    const said: string[] = [];
    const answer = await reportingWaitsTo(
      (detail) => said.push(detail),
      () => getWebApp(azure, APP),
    );
    assert.equal(answer.status, 200);
    assert.equal(twin.faults.hits(id), 1);
    assert.deepEqual(said, ['Azure is throttling: asking again in 1 s']);
  } finally {
    azure.dispose();
  }
});
