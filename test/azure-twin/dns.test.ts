/**
 * The twin's DNS view: what Azure DNS answers for the scenario servers from the internet, from a
 * network linked to their private zone and from one that is not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveInTwin, TWIN_PUBLIC_ADDRESS, twinResolver } from './dns.ts';
import { MemoryResourceStore } from './framework/store.ts';
import { NETWORK_IDS, PRIVATE_IPS } from './scenario-network.ts';
import { RESOURCE_IDS, scenarios, scenarioWorld } from './scenarios.ts';

const PG = 'pg-orders.postgres.twin.test';
const MYSQL = 'mysql-orders.mysql.twin.test';
const SQL = 'sql-orders.database.twin.test';

/** A scenario's world without starting servers: the DNS view reads only the resource store. */
function worldOf(name: string) {
  const world = scenarioWorld();
  const target = {
    world,
    store: new MemoryResourceStore(),
    addPrincipal: (p: (typeof world.principals)[number]) => {
      world.principals.push(p);
      return p;
    },
  };
  scenarios[name]!(target);
  return target;
}

test('public servers answer 127.0.0.1 (never a routable address) from anywhere; unknown names do not exist', () => {
  const healthy = worldOf('healthy');
  for (const host of [PG, MYSQL, SQL, `${PG.toUpperCase()}.`]) {
    assert.deepEqual(resolveInTwin(healthy, host), {
      hostname: host.toLowerCase().replace(/\.$/, ''),
      cnames: [],
      addresses: [TWIN_PUBLIC_ADDRESS],
    });
    assert.deepEqual(resolveInTwin(healthy, host, { appId: RESOURCE_IDS.webApp })?.addresses, ['127.0.0.1']);
  }
  assert.equal(resolveInTwin(healthy, 'nope.postgres.twin.test'), null);
});

test('private endpoint: the privatelink CNAME everywhere; the private address only from the linked network', () => {
  const world = worldOf('private-endpoint');
  const target = 'pg-orders.privatelink.postgres.twin.test';
  assert.deepEqual(resolveInTwin(world, PG), { hostname: PG, cnames: [target], addresses: ['127.0.0.1'] });
  for (const from of [
    { appId: RESOURCE_IDS.webApp },
    { appId: RESOURCE_IDS.containerApp },
    { virtualNetworkId: NETWORK_IDS.ordersVnet },
    { subnetId: NETWORK_IDS.subnets.endpoints },
  ]) {
    assert.deepEqual(resolveInTwin(world, PG, from), {
      hostname: PG,
      cnames: [target],
      addresses: ['10.0.4.4'],
    });
  }
  // The CNAME target itself exists only inside the linked network.
  assert.deepEqual(resolveInTwin(world, target, { appId: RESOURCE_IDS.webApp })?.addresses, ['10.0.4.4']);
  assert.equal(resolveInTwin(world, target), null);
  // MySQL has no endpoint in this world: still public.
  assert.deepEqual(resolveInTwin(world, MYSQL, { appId: RESOURCE_IDS.webApp })?.cnames, []);
});

test('dns-zone-unlinked: from the apps’ own network the chain continues to the public answer', () => {
  const world = worldOf('dns-zone-unlinked');
  for (const appId of [RESOURCE_IDS.webApp, RESOURCE_IDS.containerApp]) {
    assert.deepEqual(resolveInTwin(world, PG, { appId }), {
      hostname: PG,
      cnames: ['pg-orders.privatelink.postgres.twin.test'],
      addresses: [TWIN_PUBLIC_ADDRESS],
    });
  }
  assert.deepEqual(resolveInTwin(world, PG, { virtualNetworkId: NETWORK_IDS.ordersVnet })?.addresses, [
    PRIVATE_IPS.privateEndpoint,
  ]);
});

test('VNet-integrated servers: private address from the linked network, a dangling CNAME elsewhere', () => {
  const world = worldOf('vnet-private');
  assert.deepEqual(resolveInTwin(world, PG, { appId: RESOURCE_IDS.webApp }), {
    hostname: PG,
    cnames: ['pg-orders.private.postgres.twin.test'],
    addresses: [PRIVATE_IPS.postgres],
  });
  assert.deepEqual(resolveInTwin(world, MYSQL, { appId: RESOURCE_IDS.containerApp })?.addresses, [
    PRIVATE_IPS.mysql,
  ]);
  assert.deepEqual(resolveInTwin(world, PG), {
    hostname: PG,
    cnames: ['pg-orders.private.postgres.twin.test'],
    addresses: [],
  });
  // An app that is not VNet-integrated asks from the internet.
  const apart = worldOf('vnet-app-not-integrated');
  assert.deepEqual(resolveInTwin(apart, PG, { appId: RESOURCE_IDS.webApp })?.addresses, []);
});

test('twinResolver answers like node:dns/promises: CNAME, A records, lookup, and ENOTFOUND / ENODATA', async () => {
  const world = worldOf('private-endpoint');
  const inside = twinResolver(world, { appId: RESOURCE_IDS.webApp });
  assert.deepEqual(await inside.resolveCname(PG), ['pg-orders.privatelink.postgres.twin.test']);
  assert.deepEqual(await inside.resolve4(PG), ['10.0.4.4']);
  assert.deepEqual(await inside.lookup(PG, { all: true }), [{ address: '10.0.4.4', family: 4 }]);
  const outside = twinResolver(world);
  assert.deepEqual(await outside.lookup(PG, { all: true }), [{ address: '127.0.0.1', family: 4 }]);
  await assert.rejects(outside.resolveCname(MYSQL), { code: 'ENODATA', hostname: MYSQL });
  await assert.rejects(outside.lookup('nope.postgres.twin.test', { all: true }), { code: 'ENOTFOUND' });
  const integrated = twinResolver(worldOf('vnet-private'));
  await assert.rejects(integrated.resolve4(PG), { code: 'ENOTFOUND', hostname: PG });
});
