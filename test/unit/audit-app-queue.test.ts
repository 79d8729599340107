/**
 * The app queue spreads the audit over the subscriptions: Resource Graph lists apps subscription by
 * subscription, the queue hands them out so that each subscription has a share of the apps in flight.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppQueue } from '../../source/audit/app-queue.ts';
import type { AppRow } from '../../source/audit/inventory.ts';

const app = (subscriptionId: string, n: number): AppRow => ({
  id: `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.Web/sites/app-${n}`,
  key: `${subscriptionId}/${n}`,
  kind: 'webapp',
  name: `app-${n}`,
  platformKind: null,
  subscriptionId,
  resourceGroup: 'rg',
  identity: { system: null, users: [] },
});

test('apps listed subscription by subscription are handed out across the subscriptions', async () => {
  const queue = new AppQueue();
  for (const subscription of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) queue.push(app(subscription, i));
  queue.close();
  const first = await Promise.all([queue.next(), queue.next(), queue.next()]);
  assert.deepEqual(first.map((row) => row!.subscriptionId).sort(), ['a', 'b', 'c']);
  // A subscription whose apps finish gets the next one; the slow ones keep theirs.
  queue.done(first.find((row) => row!.subscriptionId === 'b')!);
  assert.equal((await queue.next())!.subscriptionId, 'b');
  let rest = 0;
  while (await queue.next()) rest += 1;
  assert.equal(rest, 11);
});

test('next() waits for apps still coming and ends once the queue is closed', async () => {
  const queue = new AppQueue();
  const waiting = queue.next();
  queue.push(app('a', 1));
  assert.equal((await waiting)!.name, 'app-1');
  const end = queue.next();
  queue.close();
  assert.equal(await end, undefined);
});
