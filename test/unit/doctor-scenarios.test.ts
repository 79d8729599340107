/**
 * The whole doctor against every twin scenario and each database type it concerns: one table, one
 * cell per scenario × kind, listing every check's status and the key sentence of each remedy.
 *
 * Everything is real but the network's edges: `runChecks(doctorChecks())` with a real AzureSession
 * (the twin's stand-in az, ARM and Graph over verified TLS); DNS is the product's resolver over the
 * twin's view of Azure DNS as seen from the web app's network (`twinResolver`); this machine's public
 * address is the one the twin gives its clients (127.0.0.1); TCP connects really happen for loopback
 * answers (one local listener stands in for every public server, whatever its port) and a private
 * address has no route here, so it is decided without a packet. Every request is recorded: the doctor
 * only reads.
 *
 * After a deliberate change of a check, `DUMP_TABLE=<cell prefix>` runs the matching cells and prints
 * what they found instead of asserting, to be read and copied into the table by hand.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { NetProbe } from '../../source/core/services.ts';
import type { CheckOutcome, CheckStatus } from '../../source/core/types.ts';
import type { DatabaseKind } from '../../source/doctor/facts.ts';
import { doctorChecks } from '../../source/doctor/index.ts';
import { createNodeDns } from '../../source/services/dns.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { createNodeNet } from '../../source/services/net.ts';
import { statedPublicIp } from '../../source/services/public-ip.ts';
import { TWIN_PUBLIC_ADDRESS, twinResolver } from '../azure-twin/dns.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS, scenarioNames } from '../azure-twin/scenarios.ts';

type Statuses = Record<string, CheckStatus>;

interface Cell {
  /** Every check's status, by id. */
  statuses: Statuses;
  /** The key sentence of each remedy (a part of `remediation.summary`), by check id. */
  remedies: Record<string, string>;
}

/** Statuses in `doctorChecks()` order: the three base checks, then the eight target checks. */
const CHECK_IDS = [
  'azure-cli',
  'signin',
  'subscription',
  'server',
  'network-path',
  'firewall',
  'rbac',
  'entra-config',
  'app-identity',
  'app-settings',
  'database-user',
] as const;

/** `'pass pass pass | pass ...'` → statuses by id, so that a cell reads as one line per check group. */
function statuses(line: string): Statuses {
  const words = line.split(/[\s|]+/).filter(Boolean) as CheckStatus[];
  assert.equal(words.length, CHECK_IDS.length, `a status for each of ${CHECK_IDS.join(', ')}: ${line}`);
  return Object.fromEntries(CHECK_IDS.map((id, i) => [id, words[i]!]));
}

// The table. Columns: azure-cli signin subscription | server network-path firewall | rbac
// entra-config app-identity app-settings database-user (database-user is skipped without --check-user).
const TABLE: Record<string, Cell> = {
  'healthy × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'healthy × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'healthy × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'entra-off × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'Setup will turn it on (may restart the server).',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'entra-off × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'entra-off × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'no-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup adds you as an Entra admin (PostgreSQL allows several; existing',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'no-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup makes you the Entra admin.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'no-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup makes you the Entra admin.',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'vnet-private × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'vnet-private × mysql': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'vnet-private × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'private-endpoint × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'private-endpoint × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'private-endpoint × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'firewall-closed × postgres': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this address; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'firewall-closed × mysql': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this address; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'firewall-closed × sql': {
    statuses: statuses('pass pass pass | pass pass fail | pass pass pass warn skip'),
    remedies: {
      firewall: 'Add a rule for this address; setup adds a temporary one itself and',
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'stopped-server × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | pass skip pass skip skip'),
    remedies: {
      server: 'Start the server.',
    },
  },
  'stopped-server × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'stopped-server × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'missing-rbac × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'missing-rbac × mysql': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'missing-rbac × sql': {
    statuses: statuses('pass pass pass | fail skip skip | fail skip pass skip skip'),
    remedies: {
      server: 'Ask for at least Reader on resource group rg-orders, or on the server',
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
    },
  },
  'reader-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings': 'Reading app settings needs Microsoft.Web/sites/config/list/action',
    },
  },
  'reader-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings': 'Reading app settings needs Microsoft.Web/sites/config/list/action',
    },
  },
  'reader-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | fail pass pass warn skip'),
    remedies: {
      rbac: 'Ask an Owner or User Access Administrator for Contributor on',
      'app-settings': 'Reading app settings needs Microsoft.Web/sites/config/list/action',
    },
  },
  'mysql-identity-without-graph-roles × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'mysql-identity-without-graph-roles × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'A Global Administrator or Privileged Role Administrator must grant',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-identity-without-graph-roles × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'sql-entra-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'sql-entra-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'sql-entra-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'not-signed-in × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in to Azure with the Azure CLI (add --tenant to pick the right',
    },
  },
  'aadsts530003 × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Run sc-doctor on your managed machine (on Windows, native az signs in',
    },
  },
  'mfa-required × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in again interactively for this resource; az will ask for the',
    },
  },
  'token-expired × postgres': {
    statuses: statuses('pass fail skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Sign in again.',
    },
  },
  'az-hangs × postgres': {
    statuses: statuses('pass timeout skip | skip skip skip | skip skip skip skip skip'),
    remedies: {
      signin: 'Run the same command yourself to see what it waits for.',
    },
  },
  'empty × postgres': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'empty × mysql': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'empty × sql': {
    statuses: statuses('pass pass pass | fail skip skip | skip skip fail skip skip'),
    remedies: {
      server: 'Check the name and resource group; list the servers you can see.',
      'app-identity': 'Check the app name, its resource group, --target and the subscription.',
    },
  },
  'pe-pending × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Approve the Pending private endpoint connection.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pe-pending × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pe-pending × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'pe-rejected × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Re-create the Rejected private endpoint (a rejected connection cannot',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pe-rejected × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pe-rejected × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'vnet-app-not-integrated × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'vnet-app-not-integrated × mysql': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'vnet-app-not-integrated × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'dns-zone-unlinked × postgres': {
    statuses: statuses('pass pass pass | pass fail skip | pass pass pass warn skip'),
    remedies: {
      'network-path': 'Reach the server from inside its network, e.g.',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'dns-zone-unlinked × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'dns-zone-unlinked × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'pg-caller-not-admin × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass warn pass warn skip'),
    remedies: {
      'entra-config': 'Setup adds you as an Entra admin (PostgreSQL allows several; existing',
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'pg-caller-not-admin × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'pg-caller-not-admin × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'mysql-no-identity × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'mysql-no-identity × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass fail pass warn skip'),
    remedies: {
      'entra-config': 'Setup attaches a user-assigned identity you choose; a Global or',
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'mysql-no-identity × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
  'app-user-identity-only × postgres': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_POSTGRESQL_* settings (host, database, user)',
    },
  },
  'app-user-identity-only × mysql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_MYSQL_* settings (host, database, user)',
    },
  },
  'app-user-identity-only × sql': {
    statuses: statuses('pass pass pass | pass pass pass | pass pass pass warn skip'),
    remedies: {
      'app-settings': 'Setup writes the AZURE_SQL_* settings (host, database, user) through',
    },
  },
};

const KINDS: DatabaseKind[] = ['postgres', 'mysql', 'sql'];
/** Scenarios about the machine and the sign-in: the database type changes nothing, one row is enough. */
const SIGN_IN_SCENARIOS = new Set([
  'not-signed-in',
  'aadsts530003',
  'mfa-required',
  'token-expired',
  'az-hangs',
]);

const cellName = (scenario: string, kind: DatabaseKind) => `${scenario} × ${kind}`;
const cells = scenarioNames().flatMap((scenario) =>
  (SIGN_IN_SCENARIOS.has(scenario) ? (['postgres'] as const) : KINDS).map((kind) => ({ scenario, kind })),
);

const twins = new Map<string, Promise<Twin>>();
const requests: { scenario: string; method: string; path: string }[] = [];
let listener: Server;
let listenerPort = 0;

before(async () => {
  listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

after(async () => {
  await Promise.all([...twins.values()].map(async (twin) => (await twin).close()));
  await new Promise((resolve) => listener.close(resolve));
});

/** One twin per scenario, shared by its kinds; every request it handles is logged. */
function twinFor(scenario: string): Promise<Twin> {
  let entry = twins.get(scenario);
  if (!entry) {
    entry = startTwin({ scenario }).then((twin) => {
      const take = twin.faults.take.bind(twin.faults);
      twin.faults.take = (method, path) => {
        requests.push({ scenario, method, path });
        return take(method, path);
      };
      return twin;
    });
    twins.set(scenario, entry);
  }
  return entry;
}

const connectsOffLoopback: string[] = [];

/**
 * Real TCP to loopback (the twin's public address), where the one listener answers for every port;
 * no route to anything else, and any connect attempted elsewhere is recorded (and never sent).
 */
function loopbackNet(): NetProbe {
  const real = createNodeNet();
  return {
    async tcpConnect(host, _port, options) {
      if (host === TWIN_PUBLIC_ADDRESS) return real.tcpConnect(host, listenerPort, options);
      connectsOffLoopback.push(host);
      return { ok: false, reason: 'unreachable', code: 'ENETUNREACH' };
    },
    async hasRouteTo(address) {
      return address.startsWith('127.');
    },
  };
}

function targetOf(kind: DatabaseKind): Record<string, string> {
  return {
    server: NAMES[kind],
    ...(kind === 'mysql' ? {} : { database: NAMES.database }),
    app: NAMES.webApp,
    resourceGroup: NAMES.resourceGroup,
    target: 'webapp',
  };
}

async function doctor(scenario: string, kind: DatabaseKind): Promise<Record<string, CheckOutcome>> {
  const twin = await twinFor(scenario);
  const env = Object.fromEntries(
    Object.entries(twin.env()).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  const resolver = twinResolver(twin, { appId: RESOURCE_IDS.webApp });
  try {
    const outcomes = await runChecks(doctorChecks(), {
      services: {
        ...base,
        azure,
        dns: createNodeDns(1_000, () => ({ ...resolver, cancel() {} })),
        net: loopbackNet(),
        publicIp: statedPublicIp(TWIN_PUBLIC_ADDRESS, 'the twin'),
      },
      options: { verbose: false, target: targetOf(kind) },
      bus: new EventBus(),
    });
    return Object.fromEntries(outcomes.map((o) => [o.id, o]));
  } finally {
    azure.dispose();
  }
}

const dump: Record<string, unknown> = {};

describe('every scenario × database type', { concurrency: 4 }, () => {
  for (const { scenario, kind } of cells) {
    const name = cellName(scenario, kind);
    if (process.env.DUMP_TABLE && !name.startsWith(process.env.DUMP_TABLE)) continue;
    test(name, async () => {
      const byId = await doctor(scenario, kind);
      if (process.env.DUMP_TABLE) {
        dump[name] = {
          s: CHECK_IDS.map((id) => byId[id]?.status).join(' '),
          r: Object.fromEntries(
            CHECK_IDS.filter((id) => byId[id]?.remediation).map((id) => [
              id,
              `${byId[id]!.message} ⟶ ${byId[id]!.remediation!.summary}`,
            ]),
          ),
        };
        return;
      }
      const expected = TABLE[name];
      assert.ok(expected, `the table has a row for ${name}`);
      const actual = Object.fromEntries(CHECK_IDS.map((id) => [id, byId[id]?.status]));
      assert.deepEqual(actual, expected.statuses, name);
      for (const id of CHECK_IDS) {
        const remediation = byId[id]?.remediation;
        const sentence = expected.remedies[id];
        if (sentence === undefined) {
          const status = byId[id]?.status;
          if (status === 'fail' || status === 'warn')
            assert.fail(
              `${name}: ${id} ${status} has a remedy the table does not name: ${remediation?.summary}`,
            );
          continue;
        }
        assert.ok(remediation, `${name}: ${id} has a remedy`);
        assert.ok(
          remediation.summary.includes(sentence),
          `${name}: ${id} remedy '${remediation.summary}' says '${sentence}'`,
        );
      }
    });
  }
});

describe('what the doctor sent', () => {
  test('every cell of the table was run and every row of the table is a cell', () => {
    if (process.env.DUMP_TABLE) {
      console.log(JSON.stringify(dump, null, 1));
      return;
    }
    assert.deepEqual(Object.keys(TABLE).sort(), cells.map((c) => cellName(c.scenario, c.kind)).sort());
  });

  test('only reads: GETs, and the POST that lists app settings', () => {
    assert.ok(requests.length > cells.length, `the twins saw ${requests.length} requests`);
    const writes = requests.filter(
      (r) => r.method !== 'GET' && !(r.method === 'POST' && /\/config\/appsettings\/list$/i.test(r.path)),
    );
    assert.deepEqual(writes, []);
  });

  test('no connection was attempted off loopback', () => {
    assert.deepEqual(connectsOffLoopback, []);
  });
});
