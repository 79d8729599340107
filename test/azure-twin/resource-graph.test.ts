/**
 * The twin's Azure Resource Graph: the query forms sc-doctor sends, answered from the twin's own state
 * with Resource Graph's paging, quota, throttling, visibility, scopes and index lag, and everything
 * else refused with its error shape. And ARM's own per-subscription request budgets.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { appsQuery, serversQuery } from '../../source/audit/kql.ts';
import { IDS, startTwin, type Twin } from './index.ts';
import { seedPostgresServer } from './providers/postgres.ts';
import { seedWebApp } from './providers/web.ts';
import { type ArmAnswer, type ArmRest, armRest } from './testing/arm-rest.ts';
import { assertSameShape } from './testing/shape.ts';
import { addReader, addRoleless } from './testing/twin-fixture.ts';

const ARG = '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01';
const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/resourcegraph/2024-04-01/${file}`, import.meta.url), 'utf8'))
    .responses['200'].body;
const SUB = IDS.subscriptionId;
const APPS = appsQuery({});

async function withTwin(scenario: string, run: (twin: Twin, dana: ArmRest) => Promise<void>): Promise<void> {
  const twin = await startTwin({ scenario });
  try {
    await run(twin, armRest(twin.baseUrl, twin.tokens.credential(IDS.dana)));
  } finally {
    await twin.close();
  }
}

function seedSites(twin: Twin, count: number): void {
  for (let i = 0; i < count; i++)
    seedWebApp(twin, {
      subscriptionId: SUB,
      resourceGroup: 'rg-orders',
      name: `site-${String(i).padStart(3, '0')}`,
    });
}

test('paging: $top rows a page, followed through $skipToken with the same query and scope, in id order', async () => {
  await withTwin('healthy', async (twin, dana) => {
    seedSites(twin, 25);
    const ids: string[] = [];
    let answer: ArmAnswer;
    let skipToken: string | undefined;
    let pages = 0;
    do {
      answer = await dana.send('POST', ARG, {
        query: APPS,
        subscriptions: [SUB],
        options: { $top: 10, ...(skipToken ? { $skipToken: skipToken } : {}) },
      });
      assert.equal(answer.status, 200);
      pages += 1;
      if (pages === 1) assertSameShape(answer.body, example('ResourcesNextPageQuery.json'));
      assert.equal(answer.body.resultTruncated, 'false');
      assert.equal(answer.body.totalRecords, 28);
      assert.equal(answer.body.count, answer.body.data.length);
      ids.push(...answer.body.data.map((row: { id: string }) => row.id));
      skipToken = answer.body.$skipToken;
    } while (skipToken);
    assert.equal(pages, 3);
    assert.equal(ids.length, 28);
    assert.equal(new Set(ids).size, 28);
    assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).reverse());
    // The type comes back lower-case; the id keeps ARM's casing.
    assert.ok(ids.some((id) => id.includes('/Microsoft.Web/sites/')));
  });
});

test('a skip token sent with another query is refused', async () => {
  await withTwin('healthy', async (twin, dana) => {
    seedSites(twin, 5);
    const first = await dana.send('POST', ARG, { query: APPS, subscriptions: [SUB], options: { $top: 2 } });
    const other = await dana.send('POST', ARG, {
      query: serversQuery(['postgres']),
      subscriptions: [SUB],
      options: { $top: 2, $skipToken: first.body.$skipToken },
    });
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'BadRequest');
    assert.equal(other.body.error.details[0].code, 'InvalidSkipToken');
  });
});

test('the quota: remaining and reset on every answer, 429 RateLimiting once spent, back after the reset', async () => {
  await withTwin('healthy', async (twin, dana) => {
    twin.world.resourceGraph = { quota: 3, windowMs: 5000 };
    const body = { query: APPS, subscriptions: [SUB] };
    const answers: ArmAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await dana.send('POST', ARG, body));
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers['x-ms-user-quota-remaining']]),
      [
        [200, '2'],
        [200, '1'],
        [200, '0'],
        [429, '0'],
      ],
    );
    assert.match(answers[3]!.headers['x-ms-user-quota-resets-after']!, /^00:00:0[1-5]$/);
    assert.equal(answers[3]!.body.error.code, 'RateLimiting');
    assert.match(answers[3]!.body.error.message, /throttled/);
    twin.clock.advance(5);
    const after = await dana.send('POST', ARG, body);
    assert.equal(after.status, 200);
    assert.equal(after.headers['x-ms-user-quota-remaining'], '2');
  });
});

test('query forms sc-doctor never sends are refused with Resource Graph’s InvalidQuery shape', async () => {
  await withTwin('healthy', async (_twin, dana) => {
    for (const query of [
      'resources | take 1',
      'resources | join (resources) on id',
      'securityresources | project id',
      "resources | where name == 'x' // comment",
      'resources | extend x = 1',
      "resources | where tags['a'] =~ 'b' or 1 == 1",
      "resources | where name =~ @'verbatim'",
    ]) {
      const answer = await dana.send('POST', ARG, { query, subscriptions: [SUB] });
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, 'BadRequest');
      assert.match(
        answer.body.error.message,
        /^Please provide below info when asking for support: timestamp = /,
      );
      assert.equal(answer.body.error.details[0].code, 'InvalidQuery', query);
      assert.equal(answer.body.error.details[1].code, 'ParserFailure', query);
    }
  });
});

test('scope: unreadable subscriptions are left out silently, none readable is 403, more than 1,000 are refused', async () => {
  await withTwin('healthy', async (twin, dana) => {
    const other = '3c2b1a00-5d4e-4f60-8a7b-0c0de0000099';
    twin.world.subscriptions.push({ subscriptionId: other, displayName: 'Elsewhere', state: 'Enabled' });
    const both = await dana.send('POST', ARG, { query: APPS, subscriptions: [SUB, other] });
    assert.equal(both.status, 200);
    assert.ok(both.body.totalRecords > 0);
    const none = await dana.send('POST', ARG, { query: APPS, subscriptions: [other] });
    assert.equal(none.status, 403);
    const many = Array.from(
      { length: 1001 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const tooMany = await dana.send('POST', ARG, { query: APPS, subscriptions: many });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.details[0].code, 'TooManySubscriptions');
  });
});

test('a caller sees only what it may read; the tenant scope covers its subscriptions; a management group its own', async () => {
  await withTwin('healthy', async (twin, dana) => {
    const rita = randomUUID();
    addReader(twin, rita);
    const nora = randomUUID();
    addRoleless(twin, nora);
    twin.world.roleAssignments.push({
      principalId: nora,
      roleName: 'Reader',
      scope: `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`,
    });
    const asNora = armRest(twin.baseUrl, twin.tokens.credential(nora));
    const tenant = await asNora.send('POST', ARG, { query: APPS });
    assert.deepEqual(
      tenant.body.data.map((row: { name: string }) => row.name),
      ['orders-api'],
    );
    const asRita = armRest(twin.baseUrl, twin.tokens.credential(rita));
    assert.equal((await asRita.send('POST', ARG, { query: APPS })).body.totalRecords, 3);
    twin.world.managementGroups = [{ name: 'mg-orders', subscriptions: [SUB] }];
    // The example's own projection (its `limit 3` is a form the twin does not serve).
    const group = await dana.send('POST', ARG, {
      query: 'resources | project id, name, type, location, tags | order by id asc',
      managementGroups: ['mg-orders'],
    });
    assert.equal(group.status, 200);
    // Tag names are the example resource's own.
    assertSameShape(group.body, example('ResourcesMgBasicQuery.json'), undefined, ['$.data[0].tags.tag1']);
    assert.ok(group.body.data.every((row: { id: string }) => row.id.includes(SUB)));
    assert.equal(
      (await dana.send('POST', ARG, { query: APPS, managementGroups: ['mg-nowhere'] })).status,
      403,
    );
  });
});

test('the index lags: a new resource is missing and a deleted one still listed until indexLagMs has passed', async () => {
  await withTwin('healthy', async (twin, dana) => {
    twin.world.resourceGraph = { indexLagMs: 60_000 };
    const fresh = seedPostgresServer(twin, {
      subscriptionId: SUB,
      resourceGroup: 'rg-orders',
      name: 'pg-fresh',
      entraAuth: true,
    });
    twin.store.delete(
      `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.Sql/servers/sql-orders`,
    );
    const names = async () =>
      (
        await dana.send('POST', ARG, {
          query: serversQuery(['postgres', 'mysql', 'sql']),
          subscriptions: [SUB],
        })
      ).body.data
        .map((row: { name: string }) => row.name)
        .sort();
    assert.deepEqual(await names(), ['mysql-orders', 'pg-orders', 'sql-orders']);
    // ARM knows at once.
    assert.equal((await dana.send('GET', `${fresh.id}?api-version=2025-08-01`)).status, 200);
    twin.clock.advance(61);
    assert.deepEqual(await names(), ['mysql-orders', 'pg-fresh', 'pg-orders']);
  });
});

test('ARM’s budgets: remaining reads count down, an empty bucket is 429 SubscriptionRequestsThrottled with Retry-After', async () => {
  await withTwin('healthy', async (twin, dana) => {
    twin.world.armThrottling = {
      reads: { bucket: 3, refillPerSecond: 1 },
      writes: { bucket: 2, refillPerSecond: 1 },
    };
    const path = `/subscriptions/${SUB}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api?api-version=2024-04-01`;
    const answers: ArmAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await dana.send('GET', path));
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers['x-ms-ratelimit-remaining-subscription-reads']]),
      [
        [200, '2'],
        [200, '1'],
        [200, '0'],
        [429, '0'],
      ],
    );
    assert.equal(answers[3]!.body.error.code, 'SubscriptionRequestsThrottled');
    assert.ok(Number(answers[3]!.headers['retry-after']) >= 1);
    // A POST that reads is a write for ARM's budget.
    const list = await dana.send('POST', `${path.replace('?', '/config/appsettings/list?')}`);
    assert.equal(list.status, 200);
    assert.equal(list.headers['x-ms-ratelimit-remaining-subscription-writes'], '1');
    twin.clock.advance(2);
    assert.equal((await dana.send('GET', path)).status, 200);
  });
});
