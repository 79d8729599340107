/**
 * The audit's read scheduler: one read per resource for the whole run (and per app for an app's own
 * reads), bounded concurrency, a 429 pausing that subscription until Retry-After and then retrying,
 * the remaining-reads header capping what is in flight, refusals recorded for whoever asked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FleetReads, type ReadScope } from '../../source/audit/arm-reads.ts';
import type { ArmResponse } from '../../source/azure/arm.ts';

const SUB = '3c2b1a00-5d4e-4f60-8a7b-0c0de0000001';
const url = (path: string) => `https://arm.example/subscriptions/${SUB}${path}?api-version=1`;

function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const ok = (extra: Partial<ArmResponse> = {}): ArmResponse => ({
  status: 200,
  body: {},
  requestId: undefined,
  ...extra,
});

test('a resource read by many callers is sent once; an app’s own reads are cached for that app only', async () => {
  const time = clock();
  const reads = new FleetReads({ concurrency: 4, now: time.now, sleep: time.sleep, random: () => 0 });
  let sent = 0;
  const send = async () => {
    sent += 1;
    return ok();
  };
  const shared = reads.transport();
  await Promise.all(
    Array.from({ length: 40 }, () =>
      shared.read({ method: 'GET', url: url('/resourceGroups/rg/providers/S/servers/pg') }, send),
    ),
  );
  assert.equal(sent, 1);
  // Casing of the id does not make another read.
  await shared.read({ method: 'GET', url: url('/resourceGroups/RG/providers/S/servers/PG') }, send);
  assert.equal(sent, 1);
  const app = `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.web/sites/a`;
  const scopeA: ReadScope = { owner: app, cache: new Map(), refusals: [] };
  await reads
    .transport(scopeA)
    .read({ method: 'GET', url: url('/resourceGroups/rg/providers/Microsoft.Web/sites/a') }, send);
  assert.equal(scopeA.cache.size, 1, 'the app’s read stays in its own cache');
  assert.equal(reads.sharedEntries, 1);
  // A Resource Graph query (a body) is never cached.
  await shared.read(
    { method: 'POST', url: 'https://arm.example/providers/Microsoft.ResourceGraph/resources', body: '{}' },
    send,
  );
  await shared.read(
    { method: 'POST', url: 'https://arm.example/providers/Microsoft.ResourceGraph/resources', body: '{}' },
    send,
  );
  assert.equal(sent, 4);
});

test('at most `concurrency` requests are in flight', async () => {
  const time = clock();
  const reads = new FleetReads({ concurrency: 3, now: time.now, sleep: time.sleep, random: () => 0 });
  let inFlight = 0;
  let peak = 0;
  const send = async () => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight -= 1;
    return ok();
  };
  const transport = reads.transport();
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => transport.read({ method: 'GET', url: url(`/r/${i}`) }, send)),
  );
  assert.equal(peak, 3);
  assert.equal(reads.stats.peakInFlight, 3);
});

test('a 429 pauses that subscription for Retry-After, then the read is tried again', async () => {
  const time = clock();
  const reads = new FleetReads({ concurrency: 4, now: time.now, sleep: time.sleep, random: () => 0 });
  const answers: ArmResponse[] = [
    {
      status: 429,
      body: { error: { code: 'SubscriptionRequestsThrottled', message: '' } },
      requestId: undefined,
      headers: { retryAfter: '7' },
    },
    ok({ body: { name: 'pg' } }),
  ];
  const response = await reads
    .transport()
    .read({ method: 'GET', url: url('/x') }, async () => answers.shift()!);
  assert.equal(response.status, 200);
  assert.ok(
    time.sleeps.some((ms) => ms >= 7000 && ms < 7300),
    `slept ${time.sleeps}`,
  );
  assert.equal(reads.stats.throttled, 1);
  assert.equal(reads.stats.retried, 1);
});

test('the remaining-reads header caps the reads of that subscription in flight', async () => {
  const time = clock();
  const reads = new FleetReads({ concurrency: 16, now: time.now, sleep: time.sleep, random: () => 0 });
  const transport = reads.transport();
  // The first answer says only 6 reads are left: with 5 kept in reserve, one at a time from then on.
  await transport.read({ method: 'GET', url: url('/first') }, async () =>
    ok({ headers: { throttle: { remainingSubscriptionReads: 6 } } }),
  );
  let inFlight = 0;
  let peak = 0;
  const send = async () => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight -= 1;
    return ok({ headers: { throttle: { remainingSubscriptionReads: 6 } } });
  };
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => transport.read({ method: 'GET', url: url(`/r/${i}`) }, send)),
  );
  assert.equal(peak, 1);
  // Another subscription has its own budget.
  const other = 'https://arm.example/subscriptions/3c2b1a00-5d4e-4f60-8a7b-0c0de0000002/r?api-version=1';
  let otherPeak = 0;
  inFlight = 0;
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      transport.read({ method: 'GET', url: `${other}&i=${i}` }, async () => {
        inFlight += 1;
        otherPeak = Math.max(otherPeak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        return ok();
      }),
    ),
  );
  assert.ok(otherPeak > 1);
});

test('a refused read is recorded for the caller that met it, even when it came from the cache', async () => {
  const time = clock();
  const reads = new FleetReads({ concurrency: 4, now: time.now, sleep: time.sleep, random: () => 0 });
  const forbidden = async (): Promise<ArmResponse> => ({
    status: 403,
    body: { error: { code: 'AuthorizationFailed', message: 'no' } },
    requestId: undefined,
  });
  const one: ReadScope = { owner: '/nothing', cache: new Map(), refusals: [] };
  const two: ReadScope = { owner: '/nothing', cache: new Map(), refusals: [] };
  await reads
    .transport(one)
    .read({ method: 'POST', url: url('/sites/a/config/appsettings/list') }, forbidden);
  await reads
    .transport(two)
    .read({ method: 'POST', url: url('/sites/a/config/appsettings/list') }, forbidden);
  assert.deepEqual(
    one.refusals.map((r) => [r.method, r.status, r.code]),
    [['POST', 403, 'AuthorizationFailed']],
  );
  assert.equal(two.refusals.length, 1);
});
