/**
 * The state endpoint lets a test compare the whole world before and after: a change made through
 * the official SDK shows up in it, and undoing the change brings the state back exactly.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { ADMIN_HEADER, IDS, startTwin } from './index.ts';
import { NAMES } from './scenarios.ts';
import { sdkOptions } from './testing/twin-fixture.ts';

const twin = await startTwin({ scenario: 'healthy' });
after(() => twin.close());

async function state(): Promise<{ resources: { id: string }[]; world: unknown }> {
  const answer = await fetch(`${twin.baseUrl}/_twin/state`, { headers: { [ADMIN_HEADER]: twin.adminKey } });
  assert.equal(answer.status, 200);
  return (await answer.json()) as { resources: { id: string }[]; world: unknown };
}

test('a firewall rule created through the SDK appears in the state, and deleting it restores the state', async () => {
  const client = new PostgreSQLManagementFlexibleServerClient(
    twin.tokens.credential(IDS.dana),
    IDS.subscriptionId,
    sdkOptions(twin),
  );
  const before = await state();

  await client.firewallRules.beginCreateOrUpdateAndWait('rg-orders', NAMES.postgres, 'sc-doctor-run-1a2b', {
    startIpAddress: '203.0.113.7',
    endIpAddress: '203.0.113.7',
  });
  const during = await state();
  const added = during.resources.filter((r) => !before.resources.some((b) => b.id === r.id));
  assert.deepEqual(
    added.map((r) => r.id.split('/').at(-1)),
    ['sc-doctor-run-1a2b'],
  );

  await client.firewallRules.beginDeleteAndWait('rg-orders', NAMES.postgres, 'sc-doctor-run-1a2b');
  const restored = await state();
  assert.deepEqual(restored.resources, before.resources);
  assert.deepEqual(restored.world, before.world);
});
