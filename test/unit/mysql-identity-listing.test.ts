/**
 * The MySQL server-identity picker's listing against the local Azure twin (scenario
 * mysql-no-identity, whose subscription holds the identity id-orders), with a real AzureSession:
 * the rows it offers, and a refused list named as such.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import type { Services } from '../../source/core/services.ts';
import { ListingError } from '../../source/doctor/target-listing.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { listUserAssignedIdentities } from '../../source/setup/app/identity-listing.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

let twin: Twin;
let services: Services;

before(async () => {
  twin = await startTwin({ scenario: 'mysql-no-identity' });
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  services = { ...base, azure: createAzureSession(base, { tls: { ca: twin.caPem } }) };
});

after(async () => {
  services?.azure.dispose();
  await twin?.close();
});

test('lists the user-assigned identities of the subscription as picker rows', async () => {
  const identities = await listUserAssignedIdentities(services.azure, IDS.subscriptionId);
  const stored = twin.store.get(RESOURCE_IDS.identity)!;
  assert.deepEqual(identities, [
    { id: stored.id, name: 'id-orders', resourceGroup: 'rg-orders', location: stored.location },
  ]);
  assert.equal(stored.id.toLowerCase(), RESOURCE_IDS.identity.toLowerCase());
});

test('a subscription the caller cannot list is a ListingError naming the subscription and the status', async () => {
  const other = '00000000-0000-4000-8000-00000000dead';
  await assert.rejects(listUserAssignedIdentities(services.azure, other), (error: unknown) => {
    assert.ok(error instanceof ListingError);
    assert.match(
      error.message,
      new RegExp(`could not list the user-assigned identities of ${other}: 404 SubscriptionNotFound`),
    );
    return true;
  });
});
