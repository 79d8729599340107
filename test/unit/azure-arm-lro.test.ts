/**
 * `armWrite` + `waitForArm` against the twin's long-running operations: the `Location` style (a Spring
 * app PATCH: 202 until done, then the result), the `Azure-AsyncOperation` style (a container app
 * PATCH), an operation that ends Failed, a poll URL on another host, which is never followed with the
 * token; and Azure's real answers: both error envelopes, the final read of a PUT (200 with the
 * resource) and of a PATCH (where its final-state-via says), `Retry-After` in seconds or as an HTTP
 * date, capped, with the wait shown to the step.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ARM_WRITE_RETRY, armError, armWrite } from '../../source/azure/arm.ts';
import {
  ArmOperationError,
  finalStateVia,
  MAX_POLL_MS,
  retryAfterMs,
  waitForArm,
} from '../../source/azure/arm-lro.ts';
import { settleArmWrite, writeArm } from '../../source/azure/arm-write.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';

ARM_WRITE_RETRY.retryDelayInMs = 5;
let twin: Twin;
const springApp = () =>
  `${RESOURCE_IDS.webApp.split('/providers/')[0]}/providers/Microsoft.AppPlatform/Spring/${NAMES.springService}/apps/${NAMES.springApp}`;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', lroDelayMs: 300 });
});
after(async () => {
  await twin?.close();
});

function session() {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  return createAzureSession(base, { tls: { ca: twin.caPem } });
}

test('Location style: polls the result URL until the operation is done', async () => {
  const azure = session();
  try {
    const first = await armWrite(azure, 'PATCH', springApp(), '2023-12-01', {
      properties: { httpsOnly: true },
    });
    assert.equal(first.status, 202);
    assert.ok(first.headers?.location && !first.headers.asyncOperation);
    const httpsOnly = () => (twin.store.get(springApp())!.properties as { httpsOnly?: boolean }).httpsOnly;
    assert.notEqual(httpsOnly(), true, 'not done yet');
    const statuses: string[] = [];
    await waitForArm(azure, first, { what: 'updating the app', onStatus: (s) => statuses.push(s) });
    assert.equal(httpsOnly(), true);
    assert.ok(
      statuses.includes('InProgress'),
      'the wait reported progress while the result URL answered 202',
    );
  } finally {
    azure.dispose();
  }
});

test('Azure-AsyncOperation style: polls the status until Succeeded; Failed is an error naming the code', async () => {
  const azure = session();
  try {
    const first = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { a: '1' },
    });
    assert.ok(first.headers?.asyncOperation);
    await waitForArm(azure, first, { what: 'tagging the container app' });
    assert.deepEqual(twin.store.get(RESOURCE_IDS.containerApp)!.tags, { a: '1' });

    twin.faults.addLro({
      resourceId: RESOURCE_IDS.containerApp,
      outcome: 'Failed',
      code: 'ContainerAppOperationError',
    });
    const failing = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { a: '2' },
    });
    await assert.rejects(
      waitForArm(azure, failing, { what: 'tagging the container app' }),
      (error: unknown) =>
        error instanceof ArmOperationError && /ended Failed: ContainerAppOperationError/.test(error.message),
    );
    assert.deepEqual(
      twin.store.get(RESOURCE_IDS.containerApp)!.tags,
      { a: '1' },
      'a Failed operation changed nothing',
    );
  } finally {
    azure.dispose();
  }
});

test('an operation that ends Canceled is an error, never a success, and a settled write that was canceled is over', async () => {
  const azure = session();
  try {
    const before = twin.store.get(RESOURCE_IDS.containerApp)!.tags;
    twin.faults.addLro({ resourceId: RESOURCE_IDS.containerApp, outcome: 'Canceled' });
    const canceled = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { canceled: 'yes' },
    });
    assert.ok(canceled.headers?.asyncOperation, 'a long-running write');
    const statuses: string[] = [];
    // Bounded: a poller that took Canceled for "still running" would poll until this aborts.
    const signal = AbortSignal.timeout(20_000);
    await assert.rejects(
      waitForArm(azure, canceled, {
        what: 'tagging the container app',
        signal,
        onStatus: (s) => statuses.push(s),
      }),
      (error: unknown) =>
        error instanceof ArmOperationError && /^tagging the container app ended Canceled/.test(error.message),
    );
    assert.deepEqual(
      twin.store.get(RESOURCE_IDS.containerApp)!.tags,
      before,
      'a Canceled operation changed nothing',
    );

    // A step's write noted in flight and canceled by Azure: undo's wait for it ends, the write is over.
    twin.faults.addLro({ resourceId: RESOURCE_IDS.containerApp, outcome: 'Canceled' });
    const ctx = {
      runId: 'r',
      signal,
      progress: (detail: string) => statuses.push(detail),
      inFlight: () => {},
    };
    const services = { azure } as never;
    await assert.rejects(
      writeArm(
        services,
        ctx,
        'PATCH',
        RESOURCE_IDS.containerApp,
        '2025-01-01',
        { tags: { b: '1' } },
        'tagging',
      ),
      /tagging ended Canceled/,
    );
    const again = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { c: '1' },
    });
    twin.faults.addLro({ resourceId: RESOURCE_IDS.containerApp, outcome: 'Canceled' });
    const pending = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { d: '1' },
    });
    await waitForArm(azure, again, { what: 'tagging' }).catch(() => {});
    await settleArmWrite(
      services,
      { statusUrl: pending.headers!.asyncOperation!, resultUrl: null, what: 'tagging the app' },
      ctx,
    );
    assert.ok(
      statuses.some((s) => /waiting for Azure to finish tagging the app/.test(s)),
      'the settle polled the operation until it ended',
    );
  } finally {
    azure.dispose();
  }
});

test('a refusal is an error naming the status and Azure code; a poll URL on another host is not followed', async () => {
  const azure = session();
  try {
    twin.faults.add({
      method: 'PATCH',
      path: RESOURCE_IDS.containerApp,
      status: 403,
      code: 'AuthorizationFailed',
    });
    const refused = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', { tags: {} });
    await assert.rejects(
      waitForArm(azure, refused, { what: 'tagging' }),
      /tagging: Azure answered 403 AuthorizationFailed/,
    );
    const forged = {
      status: 202,
      body: undefined,
      requestId: undefined,
      headers: { asyncOperation: 'https://evil.example/op' },
    };
    await assert.rejects(waitForArm(azure, forged, { what: 'x' }), /outside Resource Manager/);
  } finally {
    azure.dispose();
  }
});

test('both error envelopes: ARM’s {"error": ...} and Microsoft.Web’s own PascalCase {"Code", "Message"}', async () => {
  assert.deepEqual(armError({ error: { code: 'Conflict', message: 'busy' } }), {
    code: 'Conflict',
    message: 'busy',
  });
  assert.deepEqual(armError({ Code: 'BadRequest', Message: 'The parameter x has an invalid value.' }), {
    code: 'BadRequest',
    message: 'The parameter x has an invalid value.',
  });
  assert.equal(armError({ value: [] }), undefined);
  const azure = session();
  try {
    // Web reads the body itself and refuses in its own envelope (the twin as Azure, fixtures/SOURCES.md).
    const refused = await armWrite(azure, 'PUT', `${RESOURCE_IDS.webApp}/config/appsettings`, '2025-05-01', {
      properties: { PORT: 8080 },
    });
    assert.equal(refused.status, 400);
    assert.equal((refused.body as { Code?: string }).Code, 'InvalidRequestContent');
    await assert.rejects(
      waitForArm(azure, refused, { what: 'writing the settings of orders-api' }),
      /^ArmOperationError: writing the settings of orders-api: Azure answered 400 InvalidRequestContent: .*Path 'properties\.PORT'/,
    );
  } finally {
    azure.dispose();
  }
});

test('a long-running PUT ends with its resource read back (200), not with nothing', async () => {
  const azure = session();
  try {
    // A Spring app PUT answers 201 with only Azure-AsyncOperation: the result is the app's own URL.
    const app = `${springApp().replace(/\/[^/]+$/, '')}/orders-put`;
    const first = await armWrite(azure, 'PUT', app, '2023-12-01', { properties: {} });
    assert.equal(first.status, 201);
    assert.ok(first.headers?.asyncOperation && !first.headers.location);
    const result = (await waitForArm(azure, first, { what: 'creating the app' })) as {
      id: string;
      properties: { provisioningState: string };
    };
    assert.equal(result.id.toLowerCase(), app.toLowerCase());
    assert.equal(result.properties.provisioningState, 'Succeeded');

    // Azure says the operation succeeded but the resource is not there: an error, not a silent success.
    twin.faults.add({ method: 'GET', path: `${app}-gone`, status: 404, code: 'ResourceNotFound' });
    const vanishing = await armWrite(azure, 'PUT', `${app}-gone`, '2023-12-01', { properties: {} });
    await assert.rejects(
      waitForArm(azure, vanishing, { what: 'creating the app' }),
      /creating the app: Azure said the operation succeeded, but reading the result answered 404 ResourceNotFound/,
    );
  } finally {
    azure.dispose();
  }
});

test('a PATCH ends where its final-state-via says: Location (200 with the resource) or the status resource', async () => {
  const azure = session();
  try {
    const patched = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { final: 'location' },
    });
    assert.ok(patched.headers?.location);
    const app = (await waitForArm(azure, patched, { what: 'tagging' })) as { tags: Record<string, string> };
    assert.deepEqual(app.tags, { final: 'location' });

    assert.equal(
      finalStateVia('PATCH', `https://x${RESOURCE_IDS.postgres}?api-version=1`),
      'azure-async-operation',
    );
    assert.equal(finalStateVia('PATCH', `https://x${RESOURCE_IDS.containerApp}?api-version=1`), 'location');
    assert.equal(
      finalStateVia('PUT', `https://x${RESOURCE_IDS.postgres}/firewallRules/a?api-version=1`),
      'original-uri',
    );
    const server = await armWrite(azure, 'PATCH', RESOURCE_IDS.postgres, '2025-08-01', { tags: { a: 'b' } });
    const status = (await waitForArm(azure, server, { what: 'tagging the server' })) as { status: string };
    assert.equal(status.status, 'Succeeded', 'PostgreSQL Servers_Update ends in its status resource');
  } finally {
    azure.dispose();
  }
});

test('Retry-After as Azure sends it: seconds or an HTTP date, capped, each wait shown before it starts', async () => {
  assert.equal(retryAfterMs('3', 0), 3000);
  assert.equal(retryAfterMs(new Date(61_000).toUTCString(), 1000), 30_000, 'capped at 30 s');
  assert.equal(retryAfterMs(new Date(3000).toUTCString(), 1000), 2000);
  assert.equal(retryAfterMs(new Date(0).toUTCString(), 5000), 0, 'a date in the past: ask at once');
  assert.equal(retryAfterMs('soon', 0), undefined);

  const azure = session();
  try {
    twin.faults.lroDelayMs = 1500;
    // An HTTP date one second ahead: waited for about a second, not the 2 s used when Azure names none.
    const first = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { d: '1' },
    });
    const dated = {
      ...first,
      headers: { ...first.headers, retryAfter: new Date(Date.now() + 1000).toUTCString() },
    };
    const waits: [string, number][] = [];
    const started = Date.now();
    await waitForArm(azure, dated, { what: 'tagging', onStatus: (status, ms) => waits.push([status, ms]) });
    assert.ok(waits[0]![1] > 0 && waits[0]![1] <= 1000, JSON.stringify(waits));
    assert.equal(waits[0]![0], 'Accepted');
    assert.ok(Date.now() - started < 1900 + 1500, 'did not wait the default 2 s on top');

    // An hour asked for: the wait is capped, and shown, before it starts (the caller may stop waiting).
    const hour = await armWrite(azure, 'PATCH', RESOURCE_IDS.containerApp, '2025-01-01', {
      tags: { d: '2' },
    });
    const stop = new AbortController();
    const seen: number[] = [];
    const guard = setTimeout(() => stop.abort(new Error('never told how long it waits')), 3000);
    await assert.rejects(
      waitForArm(
        azure,
        { ...hour, headers: { ...hour.headers, retryAfter: '3600' } },
        {
          what: 'tagging',
          signal: stop.signal,
          onStatus: (_status, ms) => {
            seen.push(ms);
            stop.abort(new Error('stopped waiting'));
          },
        },
      ),
      /stopped waiting/,
    );
    clearTimeout(guard);
    assert.deepEqual(seen, [MAX_POLL_MS]);
  } finally {
    twin.faults.lroDelayMs = 300;
    azure.dispose();
  }
});

test('a step waiting on Azure shows the status and when Azure is asked again (Retry-After from the operation)', async () => {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  const progress: string[] = [];
  try {
    // The twin's Retry-After is the whole seconds the operation still runs: 2 for a 2.5 s operation.
    twin.faults.lroDelayMs = 2500;
    await writeArm(
      { ...base, azure },
      {
        runId: 'r',
        signal: new AbortController().signal,
        progress: (detail) => progress.push(detail),
        inFlight: () => {},
      },
      'PATCH',
      RESOURCE_IDS.containerApp,
      '2025-01-01',
      { tags: { progress: 'shown' } },
      'tagging the container app',
    );
    assert.equal(progress[0], 'waiting for Azure: Accepted (asking again in 2 s)', progress.join('\n'));
  } finally {
    twin.faults.lroDelayMs = 300;
    azure.dispose();
  }
});
