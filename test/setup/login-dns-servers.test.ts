/**
 * Setup's and undo's logins connect where the doctor's do: with SC_DOCTOR_DNS_SERVER (and no
 * `--connect-to` mapping), the server's name is resolved by those servers and the driver connects to
 * their address, TLS still verified against the Azure name; a name they do not know is an error that
 * says so. Left to the driver, the name would go to the system's resolver (which the test namespace
 * refuses), not to the servers the user named.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DnsAnswer, DnsResolver, Services } from '../../source/core/services.ts';
import { withLogin } from '../../source/databases/postgres/login.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { DANA, serverFacts, servicesFor } from './postgres-helpers.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['postgres'] });
});
after(async () => {
  await twin?.close();
});

/** DNS servers that know `names` (each at 127.0.0.1), and the names they were asked. */
function namedServers(names: string[]): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolve(host): Promise<DnsAnswer> {
      asked.push(host);
      return names.includes(host)
        ? { ok: true, cnameChain: [], addresses: ['127.0.0.1'] }
        : { ok: false, cnameChain: [], code: 'ENOTFOUND' };
    },
  };
}

function servicesWith(dns: DnsResolver): Services {
  return { ...servicesFor(twin, { SC_DOCTOR_DNS_SERVER: '127.0.0.1:53' }), dns };
}

test("a setup login goes to the address SC_DOCTOR_DNS_SERVER's servers give the server's name", async () => {
  const { fqdn } = serverFacts(twin);
  const dns = namedServers([fqdn]);
  const services = servicesWith(dns);
  try {
    // The server's own port, as Azure's would be 5432: the address is all DNS decides.
    const target = {
      server: { fqdn, port: twin.databaseEndpoints.postgres!.port },
      signedIn: { user: DANA },
      connectTo: undefined,
    };
    const user = await withLogin(services, target, 'postgres', undefined, async (client) => {
      const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
      return rows[0]?.user;
    });
    assert.equal(user, DANA);
    assert.deepEqual(dns.asked, [fqdn]);
  } finally {
    services.azure.dispose();
  }
});

test('a name the DNS servers do not know fails the login naming SC_DOCTOR_DNS_SERVER, with no connection tried', async () => {
  const { fqdn } = serverFacts(twin);
  const services = servicesWith(namedServers([]));
  try {
    const target = { server: { fqdn, port: 5432 }, signedIn: { user: DANA }, connectTo: undefined };
    await assert.rejects(
      withLogin(services, target, 'postgres', undefined, async () => 'connected'),
      new RegExp(`${fqdn.replaceAll('.', '\\.')} does not resolve at SC_DOCTOR_DNS_SERVER \\(ENOTFOUND\\)`),
    );
  } finally {
    services.azure.dispose();
  }
});
