/**
 * The database kinds' ARM operations through their Azure SDK clients (@azure/arm-postgresql-flexible,
 * -sql) on the session's one pipeline, against the twin: reads answer with Azure's JSON as sent (not
 * the SDK's flattened model) and a refusal is a status with Azure's code; writes go through the
 * client's poller and keep what the engine needs: the operation noted in flight before any poll,
 * a refused write marked as changing nothing, Failed and Canceled as errors in the product's words,
 * a final read that fails after Succeeded, the wait shown on the step; throttling capped and shown;
 * the token never sent off the cloud's endpoint.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { HttpClient } from '@azure/core-rest-pipeline';
import {
  ARM_WRITE_RETRY,
  type ArmReadTransport,
  armError,
  armGet,
  armResponseOf,
  graphGet,
} from '../../source/azure/arm.ts';
import { ArmOperationError } from '../../source/azure/arm-lro.ts';
import {
  ForeignOriginError,
  plainRequest,
  sharedPipeline,
  withSdkPolicies,
} from '../../source/azure/arm-pipeline.ts';
import { armIdParts, sdkClient } from '../../source/azure/arm-sdk.ts';
import { type AzureSession, createAzureSession } from '../../source/azure/session.ts';
import { reportingWaitsTo } from '../../source/core/wait-reports.ts';
import { postgresArm } from '../../source/databases/postgres/arm.ts';
import { sqlArm } from '../../source/databases/sql/arm.ts';
import { changedNothing, type InFlightWrite } from '../../source/engine/step.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

const DANA = { principalName: 'dana@contoso.twin.test', principalType: 'User' } as const;

ARM_WRITE_RETRY.retryDelayInMs = 5;
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', lroDelayMs: 300 });
});
afterEach(() => twin.faults.clear());
after(async () => {
  await twin?.close();
});

function services() {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  return { ...base, azure } as Parameters<typeof postgresArm.putAdmin>[0];
}

function context() {
  const progress: string[] = [];
  const inFlight: InFlightWrite[] = [];
  return {
    progress,
    inFlight,
    ctx: {
      runId: 'r',
      signal: new AbortController().signal,
      progress: (detail: string) => progress.push(detail),
      inFlight: (write: InFlightWrite) => inFlight.push(write),
    },
  };
}

const PG = RESOURCE_IDS.postgres;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a read answers with the JSON Azure sent and its status, a refusal with Azure code', async () => {
  const s = services();
  try {
    const server = await postgresArm.getServer(s.azure, PG);
    assert.equal(server.status, 200);
    // The wire shape: the SDK's model would have `authConfig` at the top and no `properties`.
    const body = server.body as { properties?: { authConfig?: unknown }; authConfig?: unknown };
    assert.ok(body.properties?.authConfig, JSON.stringify(body));
    assert.equal(body.authConfig, undefined);

    const missing = await postgresArm.getDatabase(s.azure, PG, 'no-such-db');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error?: { code?: string } }).error?.code, 'ResourceNotFound');

    twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(PG)}$`, 'i'),
      status: 403,
      code: 'AuthorizationFailed',
    });
    const refused = await postgresArm.getServer(s.azure, PG);
    assert.equal(refused.status, 403);

    const rules = await postgresArm.listFirewallRules(s.azure, PG);
    assert.ok(rules.ok && rules.items.every((rule) => (rule as { properties?: unknown }).properties));
  } finally {
    s.azure.dispose();
  }
});

test('a write Azure runs on is noted in flight from its first answer, and its wait is shown', async () => {
  const s = services();
  const { ctx, progress, inFlight } = context();
  try {
    twin.faults.lroDelayMs = 2500;
    const objectId = IDS.dana;
    await postgresArm.putAdmin(s, ctx, PG, objectId, DANA, 'adding the admin');
    assert.equal(inFlight.length, 1, 'noted once');
    assert.ok(inFlight[0]!.statusUrl, JSON.stringify(inFlight));
    assert.equal(inFlight[0]!.what, 'adding the admin');
    assert.ok(
      progress.some((line) => /^waiting for Azure: \w+ \(asking again in \d s\)$/.test(line)),
      progress.join('\n'),
    );
    const admin = await postgresArm.readAdmin(s, PG, objectId, 'reading the admin');
    assert.equal(
      (admin?.properties as { principalName?: string } | undefined)?.principalName,
      DANA.principalName,
    );
  } finally {
    twin.faults.lroDelayMs = 300;
    s.azure.dispose();
  }
});

test('a write Azure refuses changed nothing and says Azure code and message', async () => {
  const s = services();
  const { ctx, inFlight } = context();
  try {
    twin.faults.add({
      method: 'PUT',
      path: /firewallRules\/refused$/i,
      status: 409,
      code: 'ServerBusy',
      message: 'Another operation is in progress.',
    });
    const error = await postgresArm
      .putFirewallRule(s, ctx, PG, 'refused', '127.0.0.9', 'adding the rule')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ArmOperationError, String(error));
    assert.equal(
      error.message,
      'adding the rule: Azure answered 409 ServerBusy: Another operation is in progress.',
    );
    assert.equal(error.code, 'ServerBusy');
    assert.ok(changedNothing(error), 'a refused write is marked as changing nothing');
    assert.deepEqual(inFlight, []);
  } finally {
    s.azure.dispose();
  }
});

test('an operation that ends Failed or Canceled is an error in the product words, never a success', async () => {
  const s = services();
  try {
    twin.faults.addLro({
      resourceId: PG,
      outcome: 'Failed',
      code: 'InternalServerError',
      message: 'It broke.',
    });
    await assert.rejects(
      postgresArm.patchAuthConfig(
        s,
        context().ctx,
        PG,
        { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' },
        'turning on Entra authentication',
      ),
      (error) =>
        error instanceof ArmOperationError &&
        /^turning on Entra authentication ended Failed: InternalServerError: It broke\./.test(error.message),
    );
    twin.faults.addLro({ resourceId: PG, outcome: 'Canceled' });
    await assert.rejects(
      postgresArm.patchAuthConfig(
        s,
        context().ctx,
        PG,
        { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' },
        'turning on Entra authentication',
      ),
      (error) =>
        error instanceof ArmOperationError &&
        /^turning on Entra authentication ended Canceled/.test(error.message),
    );
  } finally {
    s.azure.dispose();
  }
});

test('Azure said Succeeded but the resource cannot be read: an error, not a silent success', async () => {
  const s = services();
  try {
    const objectId = IDS.dana;
    twin.faults.add({
      method: 'GET',
      path: new RegExp(`administrators/${objectId}$`, 'i'),
      status: 404,
      code: 'ResourceNotFound',
    });
    await assert.rejects(
      postgresArm.putAdmin(s, context().ctx, PG, objectId, DANA, 'adding the admin'),
      /adding the admin: Azure said the operation succeeded, but reading the result answered 404 ResourceNotFound/,
    );
  } finally {
    s.azure.dispose();
  }
});

test('a DELETE of what is already gone is done; an Azure SQL write that is not long-running ends at once', async () => {
  const s = services();
  const { ctx, inFlight } = context();
  try {
    await postgresArm.deleteFirewallRule(s, ctx, PG, 'never-there', 'removing the rule');
    await sqlArm.putFirewallRule(s, ctx, RESOURCE_IDS.sql, 'sc-doctor-test', '127.0.0.8', 'adding the rule');
    const rule = await sqlArm.readFirewallRule(s, RESOURCE_IDS.sql, 'sc-doctor-test');
    assert.equal((rule?.properties as { startIpAddress?: string } | undefined)?.startIpAddress, '127.0.0.8');
    await sqlArm.deleteFirewallRule(s, ctx, RESOURCE_IDS.sql, 'sc-doctor-test', 'removing the rule');
    assert.equal(await sqlArm.readFirewallRule(s, RESOURCE_IDS.sql, 'sc-doctor-test'), undefined);
    assert.deepEqual(inFlight, [], 'nothing ran on after its answer');
    const policy = await sqlArm.getConnectionPolicy(s.azure, RESOURCE_IDS.sql);
    assert.equal(policy.status, 200, JSON.stringify(policy.body));
  } finally {
    s.azure.dispose();
  }
});

test('a throttled SDK read is asked again after the wait Azure names, shown to whoever asked', async () => {
  const s = services();
  try {
    const id = twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(PG)}$`, 'i'),
      status: 429,
      code: 'TooManyRequests',
      message: 'The request is being throttled.',
      retryAfterSeconds: 1,
    });
    const said: string[] = [];
    const answer = await reportingWaitsTo(
      (detail) => said.push(detail),
      () => postgresArm.getServer(s.azure, PG),
    );
    assert.equal(answer.status, 200);
    assert.equal(twin.faults.hits(id), 1);
    assert.deepEqual(said, ['Azure is throttling: asking again in 1 s']);
  } finally {
    s.azure.dispose();
  }
});

test('the shared pipeline never sends the token off the cloud endpoint', async () => {
  const s = services();
  try {
    const { pipeline, httpClient } = await sharedPipeline(s.azure, 'arm');
    const { createPipelineRequest } = await import('@azure/core-rest-pipeline');
    await assert.rejects(
      pipeline.sendRequest(
        httpClient,
        createPipelineRequest({ url: 'https://127.0.0.2:1/x', method: 'GET' }),
      ),
      ForeignOriginError,
    );
  } finally {
    s.azure.dispose();
  }
});

test('a Microsoft Graph read goes through the Graph client on the session Graph pipeline: JSON as sent, throttling capped and shown', async () => {
  const s = services();
  try {
    const path = "v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?$select=id,appRoles";
    const answer = await graphGet(s.azure, path);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(Array.isArray((answer.body as { appRoles?: unknown }).appRoles), JSON.stringify(answer.body));

    const missing = await graphGet(s.azure, 'v1.0/servicePrincipals/00000000-0000-0000-0000-000000000999');
    assert.equal(missing.status, 404);
    assert.ok(armError(missing.body)?.code, JSON.stringify(missing.body));

    const id = twin.faults.add({
      method: 'GET',
      path: /servicePrincipals/i,
      status: 429,
      code: 'TooManyRequests',
      message: 'Too many requests.',
      retryAfterSeconds: 1,
    });
    const said: string[] = [];
    const again = await reportingWaitsTo(
      (detail) => said.push(detail),
      () => graphGet(s.azure, path),
    );
    assert.equal(again.status, 200);
    assert.equal(twin.faults.hits(id), 1);
    assert.deepEqual(said, ['Azure is throttling: asking again in 1 s']);
  } finally {
    s.azure.dispose();
  }
});

test('a plain request keeps its answer as it came once the SDK policies joined the pipeline', async () => {
  const s = services();
  try {
    const shared = await sharedPipeline(s.azure, 'arm');
    const pipeline = await withSdkPolicies(shared);
    const { createHttpHeaders, createPipelineRequest } = await import('@azure/core-rest-pipeline');
    // An answer that says JSON and is not: the SDK's deserialisation refuses it, a plain read does not.
    const notJson: HttpClient = {
      sendRequest: async (request) => ({
        request,
        status: 200,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: '<html>gateway</html>',
      }),
    };
    const request = () => createPipelineRequest({ url: `${shared.endpoint}subscriptions`, method: 'GET' });
    const plain = await pipeline.sendRequest(notJson, plainRequest(request()));
    assert.equal(plain.status, 200);
    assert.equal(armResponseOf(plain).body, undefined);
    await assert.rejects(pipeline.sendRequest(notJson, request()), /pars/i);
  } finally {
    s.azure.dispose();
  }
});

test('a session with a read transport: its reads, through an SDK client, REST or Graph, are handed to it and sent once (the pipeline does not retry a 429 or a 5xx); a view of the session keeps its pipeline', async () => {
  const s = services();
  try {
    const seen: string[] = [];
    const reads: ArmReadTransport = {
      async read(request, send) {
        const answer = await send();
        seen.push(`${request.method} ${answer.status}`);
        return answer;
      },
    };
    const view: AzureSession = { ...s.azure, reads };
    assert.equal(await sharedPipeline(view, 'arm'), await sharedPipeline(s.azure, 'arm'));

    const throttled = twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(PG)}$`, 'i'),
      status: 429,
      code: 'TooManyRequests',
      message: 'The request is being throttled.',
      retryAfterSeconds: 1,
    });
    const sdk = await postgresArm.getServer(view, PG);
    assert.equal(sdk.status, 429, 'the 429 is the transport to wait out');
    assert.equal(twin.faults.hits(throttled), 1);
    const again = await postgresArm.getServer(view, PG);
    assert.equal(again.status, 200, JSON.stringify(again.body));

    const failing = twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(PG)}$`, 'i'),
      status: 503,
      code: 'ServiceUnavailable',
      message: 'Try again.',
    });
    const rest = await armGet(view, PG, '2025-08-01');
    assert.equal(rest.status, 503, 'no retry of its own');
    assert.equal(twin.faults.hits(failing), 1);

    const graph = await graphGet(view, 'v1.0/servicePrincipals/00000000-0000-0000-0000-000000000999');
    assert.equal(graph.status, 404);
    assert.deepEqual(seen, ['GET 429', 'GET 200', 'GET 503', 'GET 404']);

    // The session itself (no transport) still retries as before: the doctor's and setup's reads.
    const doctorFault = twin.faults.add({
      method: 'GET',
      path: new RegExp(`${escaped(PG)}$`, 'i'),
      status: 503,
      code: 'ServiceUnavailable',
      message: 'Try again.',
    });
    assert.equal((await armGet(s.azure, PG, '2025-08-01')).status, 200);
    assert.equal(twin.faults.hits(doctorFault), 1);
  } finally {
    s.azure.dispose();
  }
});

test("a fleet's views of one session (each with a read transport of its own) share one SDK client, and each view's reads still reach its own transport", async () => {
  const s = services();
  try {
    const seen: string[] = [];
    const views = [0, 1, 2, 3, 4].map((n): AzureSession => {
      const reads: ArmReadTransport = {
        async read(request, send) {
          const answer = await send();
          seen.push(`view ${n}: ${request.method} ${answer.status}`);
          return answer;
        },
      };
      return { ...s.azure, reads };
    });
    let made = 0;
    const { subscriptionId } = armIdParts(PG);
    const clientsOf = await Promise.all(
      views.map((view) =>
        sdkClient(view, 'counted', subscriptionId, async () => {
          made += 1;
          return {};
        }),
      ),
    );
    assert.equal(made, 1, 'one client for every view (a fleet audit makes a view per app and per check)');
    assert.ok(clientsOf.every((client) => client === clientsOf[0]));

    for (const [n, view] of views.entries()) {
      assert.equal((await postgresArm.getServer(view, PG)).status, 200);
      assert.equal((await postgresArm.listDatabases(view, PG)).ok, true);
      assert.equal(seen.filter((line) => line.startsWith(`view ${n}:`)).length, 2, seen.join('\n'));
    }
    assert.equal(seen.length, views.length * 2);
  } finally {
    s.azure.dispose();
  }
});
