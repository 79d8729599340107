/**
 * Long-running operations of the database RPs as Azure runs them, seen on the wire (raw REST through
 * core-rest-pipeline) and through the official SDK: `Azure-AsyncOperation` names the status resource
 * and `Location` the separate operation-result URL (shapes of `ServersUpdateWithMicrosoftEntraEnabled.json`
 * and `AzureADAdministratorDelete.json`), the result URL answers 202 until done and then 200 with the
 * resource a PATCH or PUT changed (204 after a DELETE), operations
 * can end Failed or Canceled (injected through `/_twin/lro-faults`) and `Retry-After` and the latency of
 * requests and operations can be changed over `/_twin/latency` while the twin runs.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { ADMIN_HEADER, IDS, startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';
import { armPipeline } from './testing/arm-client.ts';
import { sdkError } from './testing/sdk-capture.ts';
import { sdkOptions } from './testing/twin-fixture.ts';

const PG = RESOURCE_IDS.postgres;
const MYSQL_ADMIN = `${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`;
const LRO = { updateIntervalInMs: 5 };

let twin: Twin;
let pg: PostgreSQLManagementFlexibleServerClient;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  pg = new PostgreSQLManagementFlexibleServerClient(
    twin.tokens.credential(IDS.dana) as never,
    IDS.subscriptionId,
    sdkOptions(twin),
  );
});
afterEach(() => {
  twin.faults.clear();
  twin.faults.lroDelayMs = 0;
  twin.faults.retryAfterSeconds = undefined;
});
after(() => twin.close());

async function admin(path: string, body: unknown): Promise<Response> {
  return fetch(`${twin.baseUrl}${path}`, {
    method: 'POST',
    headers: { [ADMIN_HEADER]: twin.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Polls `done` (the twin holds each status poll up to 100 ms) until it is true, for at most 20 s. */
async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('the operation did not end');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The path and query of a header URL with its operation id replaced, to compare with the example's. */
function template(url: string): string {
  const { pathname, search } = new URL(url);
  return `${pathname
    .replace(/[0-9a-f-]{36}$/, '{id}')
    .replace(/\/subscriptions\/[^/]+/, '/subscriptions/{s}')
    .replace(
      /locations\/[^/]+/,
      'locations/{loc}',
    )}${search.replace(/api-version=[^&]+/, 'api-version={v}')}`;
}

test('PostgreSQL PATCH: 202 with the status resource and the separate result URL, as the spec example', async () => {
  const example = (await import(
    './fixtures/postgresql/2025-08-01/ServersUpdateWithMicrosoftEntraEnabled.json',
    {
      with: { type: 'json' },
    }
  )) as { default: { responses: { 202: { headers: Record<string, string> } } } };
  const expected = example.default.responses[202].headers;
  // Long enough that the first polls surely find it running, also on a loaded machine.
  await admin('/_twin/latency', { lroDelayMs: 1500, retryAfterSeconds: 1 });
  const send = armPipeline(twin);
  const initial = await send('PATCH', `${PG}?api-version=2025-08-01`, {
    properties: { authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' } },
  });
  assert.equal(initial.status, 202);
  assert.equal(initial.body, undefined);
  const status = initial.headers['azure-asyncoperation']!;
  const location = initial.headers.location!;
  assert.equal(template(status), template(expected['Azure-AsyncOperation']!));
  assert.equal(template(location), template(expected.Location!));
  assert.notEqual(status, location);
  assert.equal(initial.headers['retry-after'], '1');

  const running = await send('GET', status);
  assert.equal(running.status, 200);
  assert.equal(running.body.status, 'InProgress');
  const pending = await send('GET', location);
  assert.equal(pending.status, 202);
  assert.equal(pending.headers.location, location);
  assert.equal(pending.headers['retry-after'], '1');

  await until(async () => (await send('GET', status)).body.status === 'Succeeded');
  // Done: the result URL answers 200 with the server, as a GET of the server itself does.
  const done = await send('GET', location);
  assert.equal(done.status, 200);
  assert.deepEqual(done.body, (await send('GET', `${PG}?api-version=2025-08-01`)).body);
  assert.equal(done.body.properties.authConfig.activeDirectoryAuth, 'Enabled');
});

test('Retry-After: the whole seconds the operation still runs, so the LRO delay scales it (3 s, then fewer)', async () => {
  // Azure sends a few seconds; the twin derives them from the operation's duration (fixtures/SOURCES.md).
  twin.faults.lroDelayMs = 3500;
  const send = armPipeline(twin);
  const initial = await send('PATCH', `${PG}?api-version=2025-08-01`, { tags: { retry: 'after' } });
  assert.equal(initial.status, 202);
  assert.equal(initial.headers['retry-after'], '3');
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const running = await send('GET', initial.headers['azure-asyncoperation']!);
  assert.equal(running.body.status, 'InProgress');
  assert.ok(Number(running.headers['retry-after']) <= 2, running.headers['retry-after']);
  await until(
    async () => (await send('GET', initial.headers['azure-asyncoperation']!)).body.status === 'Succeeded',
  );
  // Fast operations (the tests' default LRO delay of 0) say 0: ask again at once.
  twin.faults.lroDelayMs = 0;
  const quick = await send('PATCH', `${PG}?api-version=2025-08-01`, { tags: {} });
  assert.equal(quick.headers['retry-after'], '0');
  await until(
    async () => (await send('GET', quick.headers['azure-asyncoperation']!)).body.status === 'Succeeded',
  );
});

test('MySQL admin DELETE: 202 with both headers as AzureADAdministratorDelete.json; result 202 then 204', async () => {
  const example = (await import('./fixtures/mysql/2023-12-30/AzureADAdministratorDelete.json', {
    with: { type: 'json' },
  })) as { default: { responses: { 202: { headers: Record<string, string> } } } };
  const expected = example.default.responses[202].headers;
  twin.faults.lroDelayMs = 1500;
  const send = armPipeline(twin);
  const initial = await send('DELETE', `${MYSQL_ADMIN}?api-version=2023-12-30`);
  assert.equal(initial.status, 202);
  assert.equal(
    template(initial.headers['azure-asyncoperation']!),
    template(expected['Azure-AsyncOperation']!),
  );
  assert.equal(template(initial.headers.location!), template(expected.Location!));
  assert.equal((await send('GET', initial.headers.location!)).status, 202);
  await until(async () => (await send('GET', initial.headers.location!)).status !== 202);
  assert.equal((await send('GET', initial.headers.location!)).status, 204);
  assert.equal(twin.store.get(MYSQL_ADMIN), undefined);
});

test('PostgreSQL stop: 202 with both headers in the shape of ServersStop.json', async () => {
  const example = (await import('./fixtures/postgresql/2025-08-01/ServersStop.json', {
    with: { type: 'json' },
  })) as { default: { responses: { 202: { headers: Record<string, string> } } } };
  const expected = example.default.responses[202].headers;
  const send = armPipeline(twin);
  const initial = await send('POST', `${PG}/stop?api-version=2025-08-01`);
  assert.equal(initial.status, 202);
  assert.equal(
    template(initial.headers['azure-asyncoperation']!),
    template(expected['Azure-AsyncOperation']!),
  );
  assert.equal(template(initial.headers.location!), template(expected.Location!));
  // The status poll waits for the (undelayed) stop to end; then the server is started again.
  assert.equal((await send('GET', initial.headers['azure-asyncoperation']!)).body.status, 'Succeeded');
  assert.equal((await pg.servers.get('rg-orders', 'pg-orders')).state, 'Stopped');
  await pg.servers.beginStartAndWait('rg-orders', 'pg-orders', LRO);
  assert.equal((await pg.servers.get('rg-orders', 'pg-orders')).state, 'Ready');
});

test('an injected failure ends the operation Failed with its error; the server leaves Updating', async () => {
  const set = await admin('/_twin/lro-faults', {
    resourceId: PG,
    outcome: 'Failed',
    code: 'InternalServerError',
  });
  assert.equal(set.status, 204);
  const failure = await sdkError(
    pg.servers.beginUpdateAndWait('rg-orders', 'pg-orders', { tags: { team: 'orders' } }, LRO),
  );
  assert.match(
    failure.message,
    /InternalServerError\. An unexpected error occured while processing the request/,
  );
  const server = await pg.servers.get('rg-orders', 'pg-orders');
  assert.equal(server.state, 'Ready');
  assert.deepEqual(server.tags, {}, 'the failed update changed nothing');

  // On the wire: the status resource answers 200 with status Failed and the error body.
  const send = armPipeline(twin);
  await admin('/_twin/lro-faults', { resourceId: PG, outcome: 'Failed', code: 'InternalServerError' });
  const initial = await send('PATCH', `${PG}?api-version=2025-08-01`, { tags: { a: 'b' } });
  const status = await send('GET', initial.headers['azure-asyncoperation']!);
  assert.equal(status.status, 200);
  assert.equal(status.body.status, 'Failed');
  assert.equal(status.body.error.code, 'InternalServerError');
  const result = await send('GET', initial.headers.location!);
  assert.equal(result.status, 500);
  assert.equal(result.body.error.code, 'InternalServerError');
});

test('an injected cancellation ends the operation Canceled; the SDK poller reports it', async () => {
  await admin('/_twin/lro-faults', { resourceId: PG, outcome: 'Canceled' });
  const canceled = await sdkError(
    pg.servers.beginUpdateAndWait('rg-orders', 'pg-orders', { tags: { team: 'orders' } }, LRO),
  );
  assert.match(canceled.message, /cancel/i);
  assert.equal((await pg.servers.get('rg-orders', 'pg-orders')).state, 'Ready');
});

test('the admin API refuses bad latency and fault bodies', async () => {
  assert.equal((await admin('/_twin/latency', { lroDelayMs: -1 })).status, 400);
  assert.equal((await admin('/_twin/latency', {})).status, 400);
  assert.equal((await admin('/_twin/lro-faults', { outcome: 'Failed' })).status, 400);
  assert.equal((await admin('/_twin/lro-faults', { resourceId: PG, outcome: 'Exploded' })).status, 400);
  const set = await admin('/_twin/latency', { lroDelayMs: 5 });
  assert.deepEqual(await set.json(), { latencyMs: 0, lroDelayMs: 5, retryAfterSeconds: null });
  const fixed = await admin('/_twin/latency', { retryAfterSeconds: 2 });
  assert.equal(((await fixed.json()) as { retryAfterSeconds: unknown }).retryAfterSeconds, 2);
  const derived = await admin('/_twin/latency', { retryAfterSeconds: null });
  assert.equal(((await derived.json()) as { retryAfterSeconds: unknown }).retryAfterSeconds, null);
});
