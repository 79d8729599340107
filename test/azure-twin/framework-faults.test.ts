/**
 * Fault and latency injection, seen through the real @azure/arm-authorization client: an injected
 * failure arrives as a RestError with Azure's code and status, a dropped connection as a connection
 * error, and delays as time.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { isRestError } from '@azure/core-rest-pipeline';
import { ADMIN_HEADER, IDS, startTwin, type Twin } from './index.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'empty' });
});
// A failed assertion must not leave a fault behind for the next test.
afterEach(() => {
  twin.faults.clear();
  twin.faults.latencyMs = 0;
});
after(() => twin.close());

function client(maxRetries = 0): AuthorizationManagementClient {
  return new AuthorizationManagementClient(twin.tokens.credential(IDS.dana), IDS.subscriptionId, {
    endpoint: twin.baseUrl,
    credentialScopes: ['https://management.twin.test/.default'],
    retryOptions: { maxRetries },
  });
}

async function permissions(c = client()) {
  const out = [];
  for await (const entry of c.permissions.listForResourceGroup('rg-orders')) out.push(entry);
  return out;
}

test('the Nth matching request fails with the injected status and code, as a RestError', async () => {
  const id = twin.faults.add({
    method: 'GET',
    path: '/providers/Microsoft.Authorization/permissions',
    nth: 2,
    status: 409,
    code: 'ScopeLocked',
    message: 'The scope is locked for the twin test.',
  });
  assert.equal((await permissions()).length, 1, 'first request untouched');
  await assert.rejects(permissions(), (error: unknown) => {
    assert.ok(isRestError(error), String(error));
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'ScopeLocked');
    assert.match(error.message, /The scope is locked for the twin test\./);
    return true;
  });
  assert.equal((await permissions()).length, 1, 'third request untouched (times defaults to 1)');
  assert.equal(twin.faults.hits(id), 1);
  twin.faults.remove(id);
});

test('a dropped connection reaches the SDK as a connection error, not an HTTP answer', async () => {
  const id = twin.faults.add({ path: /authorization\/permissions$/i, drop: true, times: 5 });
  await assert.rejects(permissions(), (error: unknown) => {
    assert.ok(isRestError(error), String(error));
    assert.equal(error.statusCode, undefined);
    assert.match(String(error.code), /ECONNRESET|REQUEST_SEND_ERROR/);
    return true;
  });
  twin.faults.remove(id);
  assert.equal((await permissions()).length, 1);
});

test('a fault with only delayMs delays the request and lets it through', async () => {
  const id = twin.faults.add({ path: 'Microsoft.Authorization/permissions', delayMs: 250 });
  const started = performance.now();
  assert.equal((await permissions()).length, 1);
  assert.ok(performance.now() - started >= 240, 'delayed');
  twin.faults.remove(id);
});

test('latency is added to every request and can be changed over HTTP', async () => {
  const quickStart = performance.now();
  await permissions();
  const quick = performance.now() - quickStart;

  const set = await fetch(`${twin.baseUrl}/_twin/latency`, {
    method: 'POST',
    headers: { [ADMIN_HEADER]: twin.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs: 200 }),
  });
  assert.equal(set.status, 200);
  const started = performance.now();
  await permissions();
  const slow = performance.now() - started;
  assert.ok(slow >= 200 && slow > quick, `slow ${slow} ms vs quick ${quick} ms`);
  twin.faults.latencyMs = 0;
});

test('faults can be added over HTTP (for child processes) and cleared', async () => {
  const denied = await fetch(`${twin.baseUrl}/_twin/faults`, { method: 'POST', body: '{"path":"x"}' });
  assert.equal(denied.status, 401);
  const added = await fetch(`${twin.baseUrl}/_twin/faults`, {
    method: 'POST',
    headers: { [ADMIN_HEADER]: twin.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      method: 'GET',
      pathRegex: 'resourcegroups/rg-orders/providers/Microsoft\\.Authorization',
      status: 503,
      code: 'ServerBusy',
      times: 10,
    }),
  });
  assert.equal(added.status, 201);
  assert.equal(typeof ((await added.json()) as any).id, 'number');
  await assert.rejects(
    permissions(),
    (error: unknown) => isRestError(error) && error.statusCode === 503 && error.code === 'ServerBusy',
  );
  const cleared = await fetch(`${twin.baseUrl}/_twin/faults`, {
    method: 'DELETE',
    headers: { [ADMIN_HEADER]: twin.adminKey },
  });
  assert.equal(cleared.status, 204);
  assert.equal((await permissions()).length, 1);
});
