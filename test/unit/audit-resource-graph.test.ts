/**
 * The Resource Graph client: every page through $skipToken with the same query and scope, groups of
 * at most 1,000 subscriptions, and a spent quota waited out (until the reset it was told) before the
 * next query goes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ARG_SUBSCRIPTION_GROUP,
  ResourceGraphClient,
  scopeGroups,
} from '../../source/audit/resource-graph.ts';
import type { ArmReadTransport, ArmResponse } from '../../source/azure/arm.ts';
import type { AzureSession } from '../../source/azure/session.ts';

function sessionAnswering(answer: (body: any) => ArmResponse, bodies: any[]): AzureSession {
  const reads: ArmReadTransport = {
    read: async (request) => {
      const body = JSON.parse(request.body!);
      bodies.push(body);
      return answer(body);
    },
  };
  return {
    reads,
    // The session's pipeline is made (and kept) for its credential; the stand-in transport answers
    // before anything would be signed or sent.
    credential: {},
    cloud: async () => ({
      resourceManager: 'https://arm.example/',
      armScope: 'https://arm.example/.default',
    }),
  } as unknown as AzureSession;
}

test('every page is followed with the same query and scope', async () => {
  const bodies: any[] = [];
  const pages = [
    { data: [{ id: 'a' }, { id: 'b' }], totalRecords: 3, $skipToken: 'next-1' },
    { data: [{ id: 'c' }], totalRecords: 3 },
  ];
  const azure = sessionAnswering(() => ({ status: 200, body: pages.shift(), requestId: undefined }), bodies);
  const client = new ResourceGraphClient(azure, { now: () => 0, sleep: async () => {}, random: () => 0 });
  const rows: unknown[] = [];
  let total = 0;
  for await (const page of client.rows(
    'resources | project id',
    { kind: 'subscriptions', subscriptions: ['s1'] },
    undefined,
    (n) => {
      total = n;
    },
  ))
    rows.push(...page);
  assert.deepEqual(rows, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  assert.equal(total, 3);
  assert.equal(bodies.length, 2);
  assert.equal(bodies[1].query, bodies[0].query);
  assert.deepEqual(bodies[1].subscriptions, ['s1']);
  assert.equal(bodies[1].options.$skipToken, 'next-1');
  assert.equal(bodies[0].options.$top, 1000);
});

test('more than 1,000 subscriptions are queried in groups of at most 1,000', () => {
  const ids = Array.from({ length: 2500 }, (_, i) => `sub-${i}`);
  const groups = scopeGroups({ kind: 'subscriptions', subscriptions: ids });
  assert.deepEqual(
    groups.map((group) => ('subscriptions' in group ? group.subscriptions.length : 0)),
    [ARG_SUBSCRIPTION_GROUP, ARG_SUBSCRIPTION_GROUP, 500],
  );
  assert.deepEqual(scopeGroups({ kind: 'tenant' }), [{}]);
  assert.deepEqual(scopeGroups({ kind: 'managementGroup', managementGroup: 'mg' }), [
    { managementGroups: ['mg'] },
  ]);
});

test('a spent quota is waited out until the reset the last answer named, before the next query', async () => {
  let now = 0;
  const sleeps: number[] = [];
  const bodies: any[] = [];
  const azure = sessionAnswering(
    () => ({
      status: 200,
      body: { data: [], totalRecords: 0 },
      requestId: undefined,
      headers: { throttle: { userQuotaRemaining: 0, userQuotaResetsAfterMs: 3000 } },
    }),
    bodies,
  );
  const client = new ResourceGraphClient(azure, {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  });
  for await (const _ of client.rows('q1', { kind: 'tenant' })) void _;
  assert.deepEqual(sleeps, []);
  for await (const _ of client.rows('q2', { kind: 'tenant' })) void _;
  assert.equal(sleeps.length, 1);
  assert.ok(sleeps[0]! >= 3000 && sleeps[0]! < 3300, `waited ${sleeps[0]}`);
  assert.equal(client.stats.queries, 2);
});
