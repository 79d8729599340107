/**
 * The twin's DNS server, asked the way sc-doctor asks it: through the product's own resolver
 * (source/services/dns.ts) pointed at it as SC_DOCTOR_DNS_SERVER does, over real UDP on 127.0.0.1.
 * A machine on the internet gets: public servers at 127.0.0.1; a private-endpoint server's privatelink
 * CNAME, then the public answer; a VNet-integrated server's private CNAME, then no such name.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseDnsServers } from '../../source/core/dns-servers.ts';
import { createNodeDns } from '../../source/services/dns.ts';
import { runCli } from '../helpers/build.ts';
import { startTwinDnsServer, type TwinDnsServer } from './dns-server.ts';
import { MemoryResourceStore } from './framework/store.ts';
import { scenarios, scenarioWorld } from './scenarios.ts';

const PG = 'pg-orders.postgres.twin.test';
const MYSQL = 'mysql-orders.mysql.twin.test';
const SQL = 'sql-orders.database.twin.test';

const servers: TwinDnsServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

/** The product's resolver, asking only the twin's DNS server for `scenario`. */
async function resolverFor(scenario: string) {
  const world = scenarioWorld();
  const store = new MemoryResourceStore();
  scenarios[scenario]!({
    world,
    store,
    addPrincipal: (p) => {
      world.principals.push(p);
      return p;
    },
  });
  const server = await startTwinDnsServer({ store });
  servers.push(server);
  const parsed = parseDnsServers(server.address);
  assert.ok(parsed.ok);
  return createNodeDns(2_000, undefined, parsed.servers);
}

test('healthy: every server answers 127.0.0.1, without a CNAME', async () => {
  const dns = await resolverFor('healthy');
  for (const host of [PG, MYSQL, SQL, PG.toUpperCase()]) {
    assert.deepEqual(await dns.resolve(host), { ok: true, cnameChain: [], addresses: ['127.0.0.1'] });
  }
});

test('private-endpoint: the privatelink CNAME, then the public answer, as outside the linked network', async () => {
  const dns = await resolverFor('private-endpoint');
  assert.deepEqual(await dns.resolve(PG), {
    ok: true,
    cnameChain: ['pg-orders.privatelink.postgres.twin.test'],
    addresses: ['127.0.0.1'],
  });
});

test('vnet-private: the private zone CNAME, then no such name (no public endpoint)', async () => {
  const dns = await resolverFor('vnet-private');
  assert.deepEqual(await dns.resolve(PG), {
    ok: false,
    cnameChain: ['pg-orders.private.postgres.twin.test'],
    code: 'ENOTFOUND',
  });
  // A public server in the same world still answers.
  assert.deepEqual(await dns.resolve(SQL), { ok: true, cnameChain: [], addresses: ['127.0.0.1'] });
});

test('a name the twin does not hold does not exist; a name outside the twin is refused', async () => {
  const dns = await resolverFor('healthy');
  assert.deepEqual(await dns.resolve('nope.postgres.twin.test'), {
    ok: false,
    cnameChain: [],
    code: 'ENOTFOUND',
  });
  assert.deepEqual(await dns.resolve('login.microsoftonline.com'), {
    ok: false,
    cnameChain: [],
    code: 'EREFUSED',
  });
});

test('SC_DOCTOR_DNS_SERVER entries: addresses with optional ports; anything else is named', () => {
  assert.deepEqual(parseDnsServers('10.0.0.4, 127.0.0.1:5353,[fd00::4]:53,fd00::5'), {
    ok: true,
    servers: ['10.0.0.4', '127.0.0.1:5353', '[fd00::4]:53', 'fd00::5'],
  });
  assert.deepEqual(parseDnsServers('dns.example.com'), {
    ok: false,
    entry: 'dns.example.com',
    problem: 'not an IP address (a DNS server is given by address)',
  });
  assert.equal(parseDnsServers('127.0.0.1:70000').ok, false);
  assert.equal(parseDnsServers('10.0.0.4,,10.0.0.5').ok, false);
});

test('a bad SC_DOCTOR_DNS_SERVER stops the built CLI with exit 2 naming the entry, before anything is asked', async () => {
  const run = await runCli(['doctor', '--plain'], { SC_DOCTOR_DNS_SERVER: '10.0.0.4,dns.example.com' });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /SC_DOCTOR_DNS_SERVER: bad entry 'dns\.example\.com': not an IP address/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
