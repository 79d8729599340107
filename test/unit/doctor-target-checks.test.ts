/**
 * The `server`, `network-path` and `firewall` checks run for real (`runChecks(doctorChecks())`, a real
 * AzureSession, the twin's stand-in az) against the local Azure twin, with fake DNS, TCP and public-IP
 * services so that no probe leaves loopback. Every request the twin receives is recorded: the doctor
 * only reads.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import type { ConnectToMap } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type {
  DnsAnswer,
  DnsResolver,
  NetProbe,
  PublicIpLookup,
  Services,
  TcpConnectResult,
} from '../../source/core/services.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import type { FirewallFacts } from '../../source/doctor/firewall.ts';
import { doctorChecks } from '../../source/doctor/index.ts';
import { type NetworkPathFacts, TCP_CONNECT_TIMEOUT_MS } from '../../source/doctor/network-path.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { seedPostgresServer } from '../azure-twin/providers/postgres.ts';
import { seedSqlServer } from '../azure-twin/providers/sql.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { typedTarget } from '../helpers/target.ts';

const PG_FQDN = `${NAMES.postgres}.postgres.twin.test`;
const SQL_FQDN = `${NAMES.sql}.database.twin.test`;
const twins = new Map<string, Promise<TwinWithLog>>();

interface TwinWithLog {
  twin: Twin;
  requests: { method: string; path: string }[];
}

after(async () => {
  await Promise.all([...twins.values()].map(async (t) => (await t).twin.close()));
});

/** One twin per scenario, shared by the tests; every request it handles is logged. */
function twinFor(scenario: string): Promise<TwinWithLog> {
  let entry = twins.get(scenario);
  if (!entry) {
    entry = startTwin({ scenario }).then((twin) => {
      const requests: { method: string; path: string }[] = [];
      const take = twin.faults.take.bind(twin.faults);
      twin.faults.take = (method, path) => {
        requests.push({ method, path });
        return take(method, path);
      };
      return { twin, requests };
    });
    twins.set(scenario, entry);
  }
  return entry;
}

/** DNS that answers from a table and remembers every name it was asked. */
function fakeDns(table: Record<string, DnsAnswer>): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolve(host) {
      asked.push(host);
      return table[host] ?? { ok: false, cnameChain: [], code: 'ENOTFOUND' };
    },
  };
}

type ConnectPlan = TcpConnectResult | 'hang';

/** TCP that answers from a plan (or never, until aborted) and remembers every connect. */
function fakeNet(
  plan: (host: string, port: number) => ConnectPlan,
  routes: (address: string) => boolean | undefined = () => false,
): NetProbe & { connects: string[] } {
  const connects: string[] = [];
  return {
    connects,
    async tcpConnect(host, port, { signal }) {
      connects.push(`${host}:${port}`);
      const result = plan(host, port);
      if (result !== 'hang') return result;
      // A silently dropped SYN: nothing settles until the caller gives up.
      return new Promise((resolve) =>
        signal?.addEventListener('abort', () => resolve({ ok: false, reason: 'aborted' }), { once: true }),
      );
    },
    async hasRouteTo(address) {
      return routes(address);
    },
  };
}

function fakePublicIp(address: string | null): PublicIpLookup & { calls: number } {
  const fake = {
    calls: 0,
    async lookup() {
      fake.calls += 1;
      return address
        ? { ok: true as const, address, source: 'test' }
        : { ok: false as const, reason: 'echo service unreachable' };
    },
  };
  return fake;
}

const publicAnswer = (address: string): DnsAnswer => ({ ok: true, cnameChain: [], addresses: [address] });

interface DoctorRun {
  byId: Record<string, CheckOutcome>;
  requests: { method: string; path: string }[];
}

async function doctor(
  scenario: string,
  target: Record<string, string>,
  services: Partial<Pick<Services, 'dns' | 'net' | 'publicIp'>> = {},
  connectTo?: ConnectToMap,
  prepare?: (twin: Twin) => void,
): Promise<DoctorRun> {
  const { twin, requests } = await twinFor(scenario);
  prepare?.(twin);
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  const seen = requests.length;
  try {
    const outcomes = await runChecks(doctorChecks(), {
      services: { ...base, azure, ...services },
      options: { verbose: false, target: typedTarget(target), ...(connectTo ? { connectTo } : {}) },
      bus: new EventBus<RunEvent>(),
    });
    return { byId: Object.fromEntries(outcomes.map((o) => [o.id, o])), requests: requests.slice(seen) };
  } finally {
    azure.dispose();
  }
}

const serverOf = (run: DoctorRun) => run.byId.server?.data.server as ServerFacts;
const networkOf = (run: DoctorRun) => run.byId['network-path']?.data.network as NetworkPathFacts;
const firewallOf = (run: DoctorRun) => run.byId.firewall?.data.firewall as FirewallFacts;
const text = (outcome: CheckOutcome | undefined) =>
  [
    outcome?.message,
    ...(outcome?.details ?? []),
    outcome?.remediation?.summary ?? '',
    ...(outcome?.remediation?.commands ?? []),
  ].join('\n');

function assertOnlyReads(run: DoctorRun): void {
  assert.ok(run.requests.length > 0, 'the twin saw no request at all');
  for (const request of run.requests)
    assert.equal(request.method, 'GET', `${request.method} ${request.path}`);
}

test('without a target, server is skipped naming --server and --server-id, and the network checks wait for it', async () => {
  const run = await doctor('healthy', {});
  assert.equal(run.byId.subscription?.status, 'pass');
  assert.equal(run.byId.server?.status, 'skip');
  assert.match(text(run.byId.server), /--server <name>/);
  assert.match(text(run.byId.server), /--server-id/);
  assert.equal(run.byId['network-path']?.status, 'skip');
  assert.equal(run.byId.firewall?.status, 'skip');
});

test('--server NAME finds the PostgreSQL server by listing, and hands ServerFacts to the later checks', async () => {
  const dns = fakeDns({ [PG_FQDN]: publicAnswer('20.62.1.7') });
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor(
    'healthy',
    { server: NAMES.postgres, database: NAMES.database },
    { dns, net, publicIp: fakePublicIp('127.0.0.1') },
  );
  const server = run.byId.server!;
  assert.equal(server.status, 'pass', text(server));
  assert.match(server.message, /pg-orders · PostgreSQL 17 · Ready · orders/);
  assert.deepEqual(serverOf(run), {
    kind: 'postgres',
    id: RESOURCE_IDS.postgres,
    name: NAMES.postgres,
    subscriptionId: IDS.subscriptionId,
    resourceGroup: NAMES.resourceGroup,
    location: 'eastus',
    fqdn: PG_FQDN,
    port: 5432,
    state: 'Ready',
    version: '17',
    publicNetworkAccess: 'Enabled',
    delegatedSubnetId: null,
    privateDnsZoneId: null,
    privateEndpoints: [],
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled' },
    serverIdentities: [],
    // The password admin, who owns the databases made through ARM (docs/setup-postgres.md).
    administratorLogin: 'pgadmin',
    database: { name: NAMES.database, exists: true },
  });
  assert.equal(run.byId['network-path']?.status, 'pass', text(run.byId['network-path']));
  assert.deepEqual(net.connects, ['20.62.1.7:5432']);
  assert.equal(networkOf(run).verdict, 'reachable');
  assert.equal(run.byId.firewall?.status, 'pass', text(run.byId.firewall));
  assert.match(run.byId.firewall!.message, /127\.0\.0\.1 allowed by rule dana-laptop/);
  assertOnlyReads(run);
  // Found by listing the three server types, not by guessing one.
  assert.ok(run.requests.some((r) => /Microsoft\.Sql\/servers$/.test(r.path)));
  assert.ok(run.requests.some((r) => /Microsoft\.DBforMySQL\/flexibleServers$/.test(r.path)));
});

test('a server that does not exist is a clear fail, and the network checks are skipped', async () => {
  const run = await doctor('healthy', { server: 'pg-nowhere', targetResourceGroup: NAMES.resourceGroup });
  assert.equal(run.byId.server?.status, 'fail');
  assert.equal(run.byId.server?.blocking, true);
  assert.match(run.byId.server!.message, /pg-nowhere not found in resource group rg-orders/);
  assert.ok(run.byId.server!.remediation?.commands.includes('az postgres flexible-server list -o table'));
  assert.equal(run.byId['network-path']?.status, 'skip');
  assert.equal(run.byId.firewall?.status, 'skip');
});

test('--server-id decides the kind: an Azure SQL server, with its database', async () => {
  const run = await doctor('healthy', { serverId: RESOURCE_IDS.sql, database: NAMES.database });
  assert.equal(run.byId.server?.status, 'pass', text(run.byId.server));
  assert.equal(serverOf(run).kind, 'sql');
  assert.equal(serverOf(run).port, 1433);
  assert.equal(serverOf(run).fqdn, SQL_FQDN);
  assert.deepEqual(serverOf(run).database, { name: NAMES.database, exists: true });
});

test('a --database the server does not have fails with how to list the databases', async () => {
  const run = await doctor('healthy', { server: NAMES.mysql, database: 'ordres' });
  assert.equal(run.byId.server?.status, 'fail');
  assert.match(run.byId.server!.message, /database ordres not found/);
  assert.deepEqual(serverOf(run).database, { name: 'ordres', exists: false });
  assert.ok(
    run.byId.server!.remediation?.commands.includes(
      'az mysql flexible-server db list --resource-group rg-orders --server-name mysql-orders -o table',
    ),
  );
});

test('a stopped server fails with the command that starts it', async () => {
  const run = await doctor('stopped-server', { server: NAMES.postgres });
  const server = run.byId.server!;
  assert.equal(server.status, 'fail');
  assert.match(server.message, /Stopped/);
  assert.deepEqual(server.remediation?.commands, [
    'az postgres flexible-server start --resource-group rg-orders --name pg-orders',
  ]);
  assert.equal(serverOf(run).state, 'Stopped');
  assert.equal(server.blocking, true, 'setup cannot start on a stopped server');
  assert.equal(run.byId['network-path']?.status, 'skip');
});

test('two servers of different types with the same name: ambiguous, with each --server-id to pick from', async () => {
  const run = await doctor('firewall-closed', { server: 'shared-name' }, {}, undefined, (twin) => {
    if (twin.store.get(`${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Sql/servers/shared-name`)) return;
    const place = {
      subscriptionId: IDS.subscriptionId,
      resourceGroup: NAMES.resourceGroup,
      name: 'shared-name',
    };
    seedPostgresServer(twin, place);
    seedSqlServer(twin, place);
  });
  const server = run.byId.server!;
  assert.equal(server.status, 'fail');
  assert.match(server.message, /2 servers are named shared-name/);
  assert.ok(server.remediation?.commands.some((c) => c.includes('Microsoft.Sql/servers/shared-name')));
  assert.ok(
    server.remediation?.commands.some((c) =>
      c.includes('Microsoft.DBforPostgreSQL/flexibleServers/shared-name'),
    ),
  );
});

test('VNet-injected server with a private DNS answer and no route: VNet verdict, blocking, and not one connect', async () => {
  const dns = fakeDns({
    [PG_FQDN]: {
      ok: true,
      cnameChain: ['pg-orders.private.postgres.database.azure.com'],
      addresses: ['10.20.1.4'],
    },
  });
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor(
    'vnet-private',
    { server: NAMES.postgres },
    { dns, net, publicIp: fakePublicIp(null) },
  );
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail');
  assert.equal(path.blocking, true);
  assert.equal(networkOf(run).verdict, 'private-network');
  assert.equal(networkOf(run).route, false);
  assert.deepEqual(net.connects, [], 'no connection may be attempted');
  assert.match(text(path), /VNet-integrated: subnet .*vnet-orders\/subnets\/postgres/);
  assert.match(text(path), /10\.20\.1\.4 is a private address and this machine has no route/);
  assert.match(text(path), /VPN/);
  assert.match(text(path), /Cloud Shell/);
  assert.match(text(path), /hand-off script/);
  assert.ok(
    path.remediation?.commands.some((c) => c.startsWith('ssh -N -L 15432:pg-orders.postgres.twin.test:5432')),
  );
  assert.ok(
    path.remediation?.commands.some((c) => c.includes(`--connect-to ${PG_FQDN}:5432=127.0.0.1:15432`)),
  );
  // Firewall rules do not apply to a VNet-injected server.
  assert.equal(run.byId.firewall?.status, 'skip');
  assertOnlyReads(run);
});

for (const address of ['172.16.0.4', '172.31.255.4', '192.168.10.4']) {
  test(`a private DNS answer in each private range (${address}) with no route: VNet verdict, not one connect`, async () => {
    const dns = fakeDns({ [PG_FQDN]: { ok: true, cnameChain: [], addresses: [address] } });
    const net = fakeNet(() => ({ ok: true }));
    const run = await doctor(
      'vnet-private',
      { server: NAMES.postgres },
      { dns, net, publicIp: fakePublicIp(null) },
    );
    assert.equal(networkOf(run).verdict, 'private-network');
    assert.deepEqual(net.connects, [], 'no connection may be attempted');
    assert.match(
      text(run.byId['network-path']),
      new RegExp(`${address.replaceAll('.', '\\.')} is a private address`),
    );
  });
}

test('a private address this machine has a route to (VPN) is probed', async () => {
  const dns = fakeDns({ [PG_FQDN]: { ok: true, cnameChain: [], addresses: ['10.20.1.4'] } });
  const net = fakeNet(
    () => ({ ok: true }),
    (address) => address === '10.20.1.4',
  );
  const run = await doctor('vnet-private', { server: NAMES.postgres }, { dns, net });
  assert.equal(run.byId['network-path']?.status, 'pass', text(run.byId['network-path']));
  assert.deepEqual(net.connects, ['10.20.1.4:5432']);
});

test('public access off behind a private endpoint, public DNS answer: private-network verdict without connecting', async () => {
  const dns = fakeDns({
    [PG_FQDN]: {
      ok: true,
      cnameChain: ['pg-orders.privatelink.postgres.database.azure.com'],
      addresses: ['20.62.1.7'],
    },
  });
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor('private-endpoint', { server: NAMES.postgres }, { dns, net });
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail');
  assert.equal(path.blocking, true);
  assert.deepEqual(net.connects, []);
  assert.equal(networkOf(run).dns?.privateLink, true);
  assert.match(text(path), /public access Disabled/);
  assert.match(text(path), /pe-orders: Approved/);
  assert.equal(run.byId.firewall?.status, 'skip');
});

test('a TCP connect that never answers ends as a timeout verdict within its bound', async () => {
  const dns = fakeDns({ [PG_FQDN]: publicAnswer('20.62.1.7') });
  const net = fakeNet(() => 'hang');
  const started = Date.now();
  const run = await doctor('healthy', { server: NAMES.postgres }, { dns, net });
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail');
  assert.equal(path.blocking, true);
  assert.equal(networkOf(run).verdict, 'timeout');
  assert.match(path.message, /did not answer within 3s/);
  // The bound is the check's own, far below the runner's 35 s check timeout.
  assert.ok(path.durationMs < TCP_CONNECT_TIMEOUT_MS + 2_000, `took ${path.durationMs} ms`);
  assert.ok(Date.now() - started < 30_000);
});

test('Pending and Rejected private endpoint connections are named with their fix', async () => {
  const name = 'pg-linked';
  const pending = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Network/privateEndpoints/pe-pending`;
  const rejected = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Network/privateEndpoints/pe-rejected`;
  const fqdn = `${name}.postgres.twin.test`;
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor(
    'firewall-closed',
    { server: name },
    { dns: fakeDns({ [fqdn]: publicAnswer('20.62.1.8') }), net },
    undefined,
    (twin) => {
      if (
        twin.store.get(
          `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
        )
      )
        return;
      seedPostgresServer(twin, {
        subscriptionId: IDS.subscriptionId,
        resourceGroup: NAMES.resourceGroup,
        name,
        privateEndpoint: [
          { id: pending, status: 'Pending' },
          { id: rejected, status: 'Rejected' },
        ],
      });
    },
  );
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'warn', text(path));
  // The row's one line names what is wrong, not only that the port answered.
  assert.match(path.message, /^private endpoint connections: 1 Pending, 1 Rejected · /);
  assert.match(text(path), /pe-pending: Pending/);
  assert.match(text(path), /pe-rejected: Rejected/);
  assert.match(path.remediation!.summary, /approve the Pending/i);
  assert.match(path.remediation!.summary, /re-create the Rejected/);
  const connection = serverOf(run).privateEndpoints.find((e) => e.status === 'Pending')!.connectionId;
  assert.ok(
    path.remediation!.commands.includes(
      `az network private-endpoint-connection approve --id ${connection} --description Approved`,
    ),
  );
  assert.ok(path.remediation!.commands.includes(`az network private-endpoint delete --ids ${rejected}`));
});

test('--connect-to: the mapped address is probed, the Azure name is never looked up, and the message says so', async () => {
  const dns = fakeDns({});
  const net = fakeNet(() => ({ ok: true }));
  const connectTo: ConnectToMap = {
    source: '--connect-to',
    entries: [{ from: { host: PG_FQDN, port: 5432 }, to: { host: '127.0.0.1', port: 15432 } }],
  };
  const run = await doctor('vnet-private', { server: NAMES.postgres }, { dns, net }, connectTo);
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'pass', text(path));
  assert.deepEqual(dns.asked, []);
  assert.deepEqual(net.connects, ['127.0.0.1:15432']);
  assert.match(path.message, /port answers through 127\.0\.0\.1:15432 \(--connect-to\)/);
  assert.match(text(path), /is not looked up/);
});

test('--connect-to with nothing listening at the mapped address says to start the tunnel', async () => {
  const connectTo: ConnectToMap = {
    source: 'SC_DOCTOR_CONNECT_TO',
    entries: [{ from: { host: PG_FQDN, port: 5432 }, to: { host: '127.0.0.1', port: 15432 } }],
  };
  const net = fakeNet(() => ({ ok: false, reason: 'refused', code: 'ECONNREFUSED' }));
  const run = await doctor('healthy', { server: NAMES.postgres }, { dns: fakeDns({}), net }, connectTo);
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail');
  assert.equal(path.blocking, true);
  assert.match(text(path), /Nothing listens at 127\.0\.0\.1:15432: start the tunnel/);
  assert.equal(path.message, '127.0.0.1:15432 (SC_DOCTOR_CONNECT_TO) refused the connection');
  assert.match(
    path.remediation!.summary,
    /^Start the tunnel or port forward to 127\.0\.0\.1:15432, or correct SC_DOCTOR_CONNECT_TO/,
  );
  assert.deepEqual(path.remediation!.commands, [`ssh -N -L 15432:${PG_FQDN}:5432 '<user>@<jump-box>'`]);
});

test('a name that does not resolve outside the VNet (private zone only) gives the VNet verdict without connecting', async () => {
  const dns = fakeDns({
    [PG_FQDN]: {
      ok: false,
      cnameChain: ['pg-orders.private.postgres.database.azure.com'],
      code: 'ENOTFOUND',
    },
  });
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor('vnet-private', { server: NAMES.postgres }, { dns, net });
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail');
  assert.equal(path.blocking, true);
  assert.equal(networkOf(run).verdict, 'private-network');
  assert.deepEqual(net.connects, []);
  assert.match(text(path), /resolves only inside the network linked to the server's private DNS zone/);
  assert.match(
    text(path),
    /DNS: pg-orders\.postgres\.twin\.test → pg-orders\.private\.postgres\.database\.azure\.com/,
  );
});

test("a public server whose name this machine's DNS cannot look up is this machine's DNS problem, not a VNet one", async () => {
  const dns = fakeDns({ [SQL_FQDN]: { ok: false, cnameChain: [], code: 'EAI_AGAIN' } });
  const net = fakeNet(() => ({ ok: true }));
  const run = await doctor('healthy', { server: NAMES.sql }, { dns, net });
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'fail', text(path));
  assert.equal(path.message, `${SQL_FQDN} does not resolve (EAI_AGAIN)`);
  assert.deepEqual(net.connects, []);
  assert.match(text(path), /public access Enabled/);
  assert.match(path.remediation!.summary, /this machine's DNS/);
  assert.doesNotMatch(text(path), /inside its network|jump box|VPN or a network peered/);
});

test('Azure SQL with the Redirect policy warns about ports 11000-11999', async () => {
  const run = await doctor(
    'healthy',
    { server: 'sql-redirect' },
    {
      dns: fakeDns({ 'sql-redirect.database.twin.test': publicAnswer('20.62.1.9') }),
      net: fakeNet(() => ({ ok: true })),
    },
    undefined,
    (twin) => {
      if (twin.store.get(`${RESOURCE_IDS.resourceGroup}/providers/Microsoft.Sql/servers/sql-redirect`))
        return;
      seedSqlServer(twin, {
        subscriptionId: IDS.subscriptionId,
        resourceGroup: NAMES.resourceGroup,
        name: 'sql-redirect',
        connectionType: 'Redirect',
      });
    },
  );
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'warn', text(path));
  assert.equal(networkOf(run).sqlConnectionType, 'Redirect');
  assert.match(path.message, /11000-11999/);
  assertOnlyReads(run);
  assert.ok(run.requests.some((r) => /\/connectionPolicies\/default$/i.test(r.path)));
});

test('firewall: an address no rule covers fails, fixable by setup, with the az command that adds the rule', async () => {
  const run = await doctor(
    'firewall-closed',
    { server: NAMES.sql },
    { publicIp: fakePublicIp('203.0.113.7') },
  );
  const firewall = run.byId.firewall!;
  assert.equal(firewall.status, 'fail');
  assert.equal(firewall.remediation?.fixable, true);
  assert.equal(firewall.blocking, false);
  assert.match(firewall.message, /203\.0\.113\.7 not allowed by any rule/);
  assert.deepEqual(firewall.remediation?.commands, [
    'az sql server firewall-rule create --resource-group rg-orders --server sql-orders --name sc-doctor-203-0-113-7 --start-ip-address 203.0.113.7 --end-ip-address 203.0.113.7',
  ]);
  assert.deepEqual(firewallOf(run).rules, []);
  assertOnlyReads(run);
});

test('firewall: the 0.0.0.0 rule alone is explained as any Azure service, not this machine', async () => {
  const name = 'pg-azure-only';
  const run = await doctor(
    'healthy',
    { server: name },
    { publicIp: fakePublicIp('203.0.113.7') },
    undefined,
    (twin) => {
      if (
        twin.store.get(
          `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
        )
      )
        return;
      seedPostgresServer(twin, {
        subscriptionId: IDS.subscriptionId,
        resourceGroup: NAMES.resourceGroup,
        name,
        firewallRules: [
          {
            name: 'AllowAllAzureServicesAndResourcesWithinAzureIps',
            startIpAddress: '0.0.0.0',
            endIpAddress: '0.0.0.0',
          },
        ],
      });
    },
  );
  const firewall = run.byId.firewall!;
  assert.equal(firewall.status, 'fail');
  assert.match(firewall.message, /only the Azure services rule/);
  assert.match(text(firewall), /admits any Azure service, other customers' too, not this machine/);
  assert.equal(firewallOf(run).azureServicesRule, 'AllowAllAzureServicesAndResourcesWithinAzureIps');
  assert.equal(firewallOf(run).coveringRule, null);
  assert.match(
    firewall.remediation!.commands[0]!,
    /^az postgres flexible-server firewall-rule create .*--name pg-azure-only --rule-name sc-doctor-203-0-113-7/,
  );
});

test('network path and firewall never contradict: the path says the port answers, the firewall whether a login gets in', async () => {
  const run = await doctor(
    'firewall-closed',
    { server: NAMES.postgres },
    {
      dns: fakeDns({ [PG_FQDN]: publicAnswer('20.62.1.8') }),
      net: fakeNet(() => ({ ok: true })),
      publicIp: fakePublicIp('203.0.113.7'),
    },
  );
  const path = run.byId['network-path']!;
  assert.equal(path.status, 'pass');
  assert.equal(path.message, `${PG_FQDN}:5432 port answers`);
  assert.doesNotMatch(path.message, /reachable/);
  assert.match(path.details.join('\n'), /the Firewall row says whether a login is let in/);
  assert.equal(run.byId.firewall?.status, 'fail');
});

test('firewall: an address inside a rule range passes and names the rule', async () => {
  const run = await doctor('healthy', { server: NAMES.mysql }, { publicIp: fakePublicIp('127.0.0.1') });
  assert.equal(run.byId.firewall?.status, 'pass');
  assert.equal(firewallOf(run).coveringRule, 'dana-laptop');
});

test('firewall: an unknown public IP is a warning that says so, never a fail', async () => {
  const lookup = fakePublicIp(null);
  const run = await doctor('healthy', { server: NAMES.postgres }, { publicIp: lookup });
  const firewall = run.byId.firewall!;
  assert.equal(firewall.status, 'warn');
  assert.match(firewall.message, /public IP is unknown/);
  assert.match(text(firewall), /echo service unreachable/);
  assert.match(text(firewall), /SC_DOCTOR_PUBLIC_IP/);
  assert.equal(lookup.calls, 1);
});

test("firewall: no rule at all fails, fixable by setup, even when this machine's public IP is unknown", async () => {
  const run = await doctor('firewall-closed', { server: NAMES.postgres }, { publicIp: fakePublicIp(null) });
  const firewall = run.byId.firewall!;
  assert.equal(firewall.status, 'fail', text(firewall));
  assert.equal(firewall.message, 'no firewall rule: nothing outside a private network gets in');
  assert.equal(firewall.remediation?.fixable, true);
  assert.match(text(firewall), /echo service unreachable/);
  assert.match(
    firewall.remediation!.commands[0]!,
    /^az postgres flexible-server firewall-rule create .*--name pg-orders --rule-name sc-doctor-this-machine --start-ip-address '<your-public-ip>'/,
  );
});

test('a role only inside the subscription (a resource group) still sees it, as az account list does, and the target checks run', async () => {
  // Dana is Website Contributor on rg-orders only. ARM answers the subscription's GET for her, as the
  // twin does; should it refuse it (403) while still listing it, the list is trusted.
  const { twin } = await twinFor('missing-rbac');
  const fault = twin.faults.add({
    method: 'GET',
    path: new RegExp(`^/subscriptions/${IDS.subscriptionId}$`, 'i'),
    times: 100,
    status: 403,
    code: 'AuthorizationFailed',
    message:
      "The client does not have authorization to perform action 'Microsoft.Resources/subscriptions/read'.",
  });
  try {
    const run = await doctor('missing-rbac', { server: NAMES.postgres });
    const subscription = run.byId.subscription!;
    assert.equal(subscription.status, 'pass', JSON.stringify(subscription));
    assert.equal(subscription.message, 'Contoso Dev · Enabled');
    assert.match(subscription.details.join('\n'), /access only inside it/);
    // Website Contributor cannot list database servers: that is "cannot read", never "not found".
    const server = run.byId.server!;
    assert.equal(server.status, 'fail');
    assert.match(
      server.message,
      /^you cannot read the servers in this subscription \(403 AuthorizationFailed\)$/,
    );
    assert.doesNotMatch(text(server), /not found/);
    assert.match(
      server.remediation!.summary,
      /^Ask for at least Reader on this subscription, or on the server itself/,
    );
    assertOnlyReads(run);
  } finally {
    twin.faults.remove(fault);
  }
});

test('MySQL by name in a resource group that does not exist fails naming the group', async () => {
  const run = await doctor('healthy', { server: NAMES.mysql, targetResourceGroup: 'rg-missing' });
  assert.equal(run.byId.server?.status, 'fail');
  assert.match(run.byId.server!.message, /resource group rg-missing not found/);
});

test('a server Azure will not show (403 by id, or lists refused by name) is "cannot read", never "not found", and rbac names what is missing', async () => {
  const targets: Record<string, string>[] = [
    { serverId: RESOURCE_IDS.mysql },
    { server: NAMES.mysql, resourceGroup: NAMES.resourceGroup },
  ];
  for (const target of targets) {
    const run = await doctor('missing-rbac', target);
    const server = run.byId.server!;
    assert.equal(server.status, 'fail', text(server));
    assert.equal(server.blocking, true);
    assert.match(server.message, /^you cannot read .* \(403 AuthorizationFailed\)$/);
    assert.doesNotMatch(text(server), /not found/);
    const rbac = run.byId.rbac!;
    assert.equal(rbac.status, 'fail', text(rbac));
    assert.match(text(rbac), /Microsoft\.DBforMySQL\/flexibleServers\/read \(read the server\)/);
    assert.match(text(rbac), /Contributor on rg-orders/);
    assertOnlyReads(run);
  }
});
