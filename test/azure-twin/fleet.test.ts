/**
 * The `fleet` scenario is what its ground truth says: the twin seeds exactly the plan's apps, servers
 * and linkers, and FLEET.md is the plan rendered (`UPDATE_FLEET=1` rewrites it).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fleetPlan, renderFleetTruth } from './fleet.ts';
import { startTwin } from './index.ts';

test('FLEET.md is the rendered ground truth (run with UPDATE_FLEET=1 to refresh it)', () => {
  const file = new URL('./FLEET.md', import.meta.url);
  const rendered = renderFleetTruth();
  if (process.env.UPDATE_FLEET === '1') writeFileSync(file, rendered);
  assert.equal(existsSync(file) ? readFileSync(file, 'utf8') : '', rendered);
});

test('the twin seeds the plan: every app and server, a linker for each linker-style connection', async () => {
  const plan = fleetPlan();
  const twin = await startTwin({ scenario: 'fleet' });
  try {
    for (const server of plan.servers) assert.ok(twin.store.get(server.id), server.id);
    for (const app of plan.apps) assert.ok(twin.store.get(app.id), app.id);
    const linkers = twin.store
      .all()
      .filter((r) => r.type.toLowerCase() === 'microsoft.servicelinker/linkers');
    const expected = plan.apps
      .filter((app) => app.style === 'linker')
      .reduce((n, app) => n + app.connections.length, 0);
    assert.equal(linkers.length, expected + 1, 'plus orders-api’s linker');
    // Reader only on Fleet 4; the custom auditor role elsewhere.
    assert.ok(twin.world.roleAssignments.some((a) => a.roleName === 'Reader' && a.scope.endsWith('00f4')));
  } finally {
    await twin.close();
  }
});

test('the other scenarios do not pay for the fleet: it is loaded only when asked for', async () => {
  const started = performance.now();
  const twin = await startTwin({ scenario: 'healthy' });
  await twin.close();
  assert.ok(!twin.store.all().some((r) => r.id.includes('rg-fleet-')));
  // Not a timing assertion: the count of resources shows the fleet was not seeded.
  void started;
});
