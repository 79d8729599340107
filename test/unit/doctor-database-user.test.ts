/**
 * `database-user` against the twin's real PostgreSQL and MariaDB (behind its Entra proxy): the check
 * logs in with the signed-in user's ossrdbms token, over TLS verified against the server's Azure
 * name, reaching it through SC_DOCTOR_CONNECT_TO. Each test changes the database the way setup (or a
 * person) would, and the check must see the change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createAzureSession } from '../../source/azure/session.ts';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import { accessChecks } from '../../source/doctor/access-checks.ts';
import { signinCheck } from '../../source/doctor/signin.ts';
import { subscriptionCheck } from '../../source/doctor/subscription.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS, STALE_APP_OBJECT_ID } from '../azure-twin/scenarios.ts';
import { serverStandIn } from '../helpers/server-stand-in.ts';
import { typedTarget } from '../helpers/target.ts';

let twin: Twin;
let appObjectId: string;
let appClientId: string;
const DANA = 'dana@contoso.twin.test';
/** The password admin, which owns every database made through ARM. */
const OWNER = { user: PG_PASSWORD_ADMIN.login, password: PG_PASSWORD_ADMIN.password };

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  appObjectId = (site.identity as { principalId: string }).principalId;
  appClientId = twin.context.principal(appObjectId)!.appId!;
});

after(async () => {
  await twin?.close();
});

function fqdn(kind: 'postgres' | 'mysql', on = twin): string {
  return (on.store.get(RESOURCE_IDS[kind])!.properties as { fullyQualifiedDomainName: string })
    .fullyQualifiedDomainName;
}

/** The check against the shared healthy twin, or against `on` (a twin of another scenario). */
async function databaseUser(
  kind: 'postgres' | 'mysql',
  serverName?: string,
  on = twin,
): Promise<{ outcome: CheckOutcome; methods: string[] }> {
  const { postgres, mysql: my } = on.databaseEndpoints;
  const env = on.env() as Record<string, string>;
  const mapping = parseConnectTo(
    [
      `${fqdn('postgres', on)}:5432=${postgres!.host}:${postgres!.port}`,
      `${fqdn('mysql', on)}:3306=${my!.host}:${my!.port}`,
      // Names the twin's certificate does not carry, mapped to the same servers.
      `pg-orders.postgres.database.azure.com:5432=${postgres!.host}:${postgres!.port}`,
      `mysql-orders.mysql.database.azure.com:3306=${my!.host}:${my!.port}`,
    ].join(','),
  );
  assert.ok(mapping.ok);
  const connectTo = { entries: mapping.entries, source: 'SC_DOCTOR_CONNECT_TO' as const };
  const methods: string[] = [];
  const take = on.faults.take.bind(on.faults);
  on.faults.take = (method, path) => {
    methods.push(`${method} ${path}`);
    return take(method, path);
  };
  const base = { exec: nodeExec, env, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: on.caPem } });
  try {
    const outcomes = await runChecks(
      [
        signinCheck,
        subscriptionCheck,
        serverStandIn(on, kind, { fqdn: serverName ?? fqdn(kind, on) }),
        ...accessChecks(),
      ],
      {
        services: { ...base, azure },
        options: {
          verbose: true,
          checkUser: true,
          connectTo,
          target: typedTarget({ app: NAMES.webApp, resourceGroup: NAMES.resourceGroup, target: 'webapp' }),
        },
        bus: new EventBus<RunEvent>(),
      },
    );
    const outcome = outcomes.find((o) => o.id === 'database-user')!;
    // The check's output never carries the token it logged in with.
    assert.ok(!JSON.stringify(outcome).includes(on.tokens.issue(IDS.dana, 'ossrdbms').split('.')[2]!));
    return { outcome, methods };
  } finally {
    azure.dispose();
    on.faults.take = take;
  }
}

const text = (o: CheckOutcome) => [o.message, ...o.details, o.remediation?.summary ?? ''].join('\n');

function setAppSettings(properties: Record<string, string>): void {
  twin.store.put({
    id: `${RESOURCE_IDS.webApp}/config/appsettings`,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    properties,
  });
}

async function asDanaOnPostgres<T>(
  database: string,
  body: (client: pg.Client) => Promise<T>,
  as: { user: string; password: string } = { user: DANA, password: twin.tokens.issue(IDS.dana, 'ossrdbms') },
): Promise<T> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    ...as,
    database,
    ssl: { ca: twin.caPem },
  });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

test('PostgreSQL: a role named after the app but mapped to another object id is named as stale', async () => {
  setAppSettings({});
  const stale = 'dead0000-0000-4000-8000-0000000001d0';
  await asDanaOnPostgres('postgres', (c) =>
    c.query("select * from pgaadauth_create_principal_with_oid('orders-api', $1, 'service', false, false)", [
      stale,
    ]),
  );
  try {
    const { outcome } = await databaseUser('postgres');
    assert.equal(outcome.status, 'fail', text(outcome));
    assert.equal(outcome.message, `role orders-api is mapped to ${stale}, not to orders-api's identity`);
    assert.match(text(outcome), /new object id/);
    assert.equal(outcome.remediation?.fixable, true);
  } finally {
    await asDanaOnPostgres('postgres', (c) => c.query('drop role "orders-api"'));
  }
});

test('PostgreSQL: no role for the app, then a role without grants, then a granted role', async () => {
  setAppSettings({});
  const none = await databaseUser('postgres');
  assert.equal(none.outcome.status, 'fail', text(none.outcome));
  assert.match(none.outcome.message, /no database role is mapped to orders-api's identity/);
  assert.equal(none.outcome.remediation?.fixable, true);
  assert.match(text(none.outcome), /logged in as dana@contoso\.twin\.test/);
  assert.match(text(none.outcome), /connected through 127\.0\.0\.1:\d+ \(SC_DOCTOR_CONNECT_TO\)/);
  for (const line of none.methods) assert.match(line, /^GET |^POST .*\/config\/appsettings\/list$/);

  await asDanaOnPostgres('postgres', (c) =>
    c.query("select * from pgaadauth_create_principal_with_oid('aad_orders', $1, 'service', false, false)", [
      appObjectId,
    ]),
  );
  // orders belongs to pgadmin (made through ARM): the doctor says who can give what, before setup.
  assert.match(
    text(none.outcome),
    /database orders belongs to pgadmin; schema public to pg_database_owner \(pgadmin\); no tables or sequences in public yet/,
  );
  assert.match(
    text(none.outcome),
    /dana@contoso\.twin\.test \(signed in\) can give none of the promised grants/,
  );
  assert.match(
    text(none.outcome),
    /only pgadmin can give: CONNECT on database orders; USAGE, CREATE on schema public; SELECT, INSERT, UPDATE, DELETE on tables pgadmin makes later in public/,
  );
  assert.match(
    none.outcome.remediation!.summary,
    /as pgadmin with the password \(asked, or SC_DOCTOR_PG_OWNER_PASSWORD\)/,
  );

  // The app's migrations make a table as pgadmin, the owner.
  await asDanaOnPostgres(NAMES.database, (c) => c.query('create table public.items (id int)'), OWNER);
  const ungranted = (await databaseUser('postgres')).outcome;
  assert.equal(ungranted.status, 'fail', text(ungranted));
  assert.match(
    ungranted.message,
    /role aad_orders lacks CONNECT on database orders; USAGE, CREATE on schema public; SELECT, INSERT, UPDATE, DELETE on table items; SELECT, INSERT, UPDATE, DELETE on tables pgadmin makes later in public in orders/,
  );
  assert.match(text(ungranted), new RegExp(`role aad_orders is mapped to ${appObjectId}`));
  assert.match(text(ungranted), /1 tables and sequences in public, owned by pgadmin \(1\)/);
  assert.match(text(ungranted), /PUBLIC has by default \(CONNECT, USAGE on public\) do not count/);

  // Dana, the Entra admin, cannot give them: the server only warns, and the check still fails.
  await asDanaOnPostgres(NAMES.database, (c) => c.query('GRANT CONNECT ON DATABASE orders TO "aad_orders"'));
  assert.equal((await databaseUser('postgres')).outcome.status, 'fail');

  await asDanaOnPostgres(
    NAMES.database,
    async (c) => {
      await c.query('GRANT CONNECT ON DATABASE orders TO "aad_orders"');
      await c.query('GRANT USAGE, CREATE ON SCHEMA public TO "aad_orders"');
      await c.query('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "aad_orders"');
      await c.query(
        'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "aad_orders"',
      );
    },
    OWNER,
  );
  const granted = (await databaseUser('postgres')).outcome;
  assert.equal(granted.status, 'pass', text(granted));
  assert.match(
    granted.message,
    /role aad_orders · mapped to the app's identity · holds every promised grant on orders/,
  );

  setAppSettings({ AZURE_POSTGRESQL_USER: 'aad_someone_else' });
  const mismatch = (await databaseUser('postgres')).outcome;
  assert.equal(mismatch.status, 'fail', text(mismatch));
  assert.match(
    mismatch.message,
    /the settings name user aad_someone_else, but orders-api's identity is role aad_orders/,
  );
});

test('MySQL: the user the settings name is missing, then exists with grants on the database', async () => {
  setAppSettings({ AZURE_MYSQL_USER: 'aad_orders' });
  const missing = (await databaseUser('mysql')).outcome;
  assert.equal(missing.status, 'fail', text(missing));
  assert.match(missing.message, /MySQL user aad_orders does not exist/);
  assert.equal(missing.remediation?.fixable, true);

  const connection = await mysql.createConnection({
    ...twin.databaseEndpoints.mysql!,
    user: DANA,
    password: twin.tokens.issue(IDS.dana, 'ossrdbms'),
    ssl: { ca: twin.caPem },
    enableCleartextPlugin: true,
  });
  try {
    // A client id is no object id: validation must be off for it, as the Azure CLI turns it off.
    await connection.query('SET aad_auth_validate_oids_in_tenant = OFF');
    await connection.query(`CREATE AADUSER 'aad_orders' IDENTIFIED BY '${appClientId}'`);
    const ungranted = (await databaseUser('mysql')).outcome;
    assert.equal(ungranted.status, 'fail', text(ungranted));
    assert.match(ungranted.message, /MySQL user aad_orders holds no grant on orders/, text(ungranted));
    // GRANT USAGE is no grant, and the stored password hash MariaDB appends to it is never shown.
    assert.match(text(ungranted), /GRANT USAGE ON \*\.\* TO `aad_orders`@`%`$/m);
    assert.doesNotMatch(JSON.stringify(ungranted), /IDENTIFIED|\*[0-9A-F]{40}/);
    await connection.query("GRANT ALL PRIVILEGES ON `orders`.* TO 'aad_orders'@'%'");
  } finally {
    await connection.end();
  }
  const granted = (await databaseUser('mysql')).outcome;
  assert.equal(granted.status, 'pass', text(granted));
  assert.match(granted.message, /MySQL user aad_orders exists · granted on orders/);
});

for (const kind of ['postgres', 'mysql'] as const) {
  test(`${kind}: a login the server's firewall refuses is named as the firewall, not as a missing Entra admin`, async () => {
    setAppSettings({ AZURE_MYSQL_USER: 'aad_orders' });
    twin.world.clientIp = '203.0.113.7';
    try {
      const { outcome } = await databaseUser(kind);
      assert.equal(outcome.status, 'fail', text(outcome));
      assert.equal(
        outcome.message,
        `${kind === 'postgres' ? 'pg' : 'mysql'}-orders refused this machine's address 203.0.113.7`,
      );
      assert.match(outcome.remediation!.summary, /firewall/);
      assert.doesNotMatch(outcome.remediation!.summary, /Entra admin/);
    } finally {
      twin.world.clientIp = '127.0.0.1';
    }
  });
}

for (const [kind, name] of [
  ['postgres', 'pg-orders.postgres.database.azure.com'],
  ['mysql', 'mysql-orders.mysql.database.azure.com'],
] as const) {
  test(`${kind}: TLS is verified against the server's Azure name, even through a mapped address`, async () => {
    setAppSettings({ AZURE_MYSQL_USER: 'aad_orders' });
    const { outcome } = await databaseUser(kind, name);
    assert.equal(outcome.status, 'fail', text(outcome));
    assert.equal(
      outcome.message,
      `${kind === 'postgres' ? 'pg' : 'mysql'}-orders's TLS certificate was not accepted for ${name}`,
    );
    assert.match(text(outcome), /altnames|certificate/i);
  });
}

test('PostgreSQL: a role named after the app but mapped to its old identity is named as stale', async () => {
  const stale = await startTwin({ scenario: 'pg-stale-role', databases: ['postgres', 'mysql'] });
  try {
    const { outcome } = await databaseUser('postgres', undefined, stale);
    assert.equal(outcome.status, 'fail', text(outcome));
    assert.equal(
      outcome.message,
      `role ${NAMES.webApp} is mapped to ${STALE_APP_OBJECT_ID}, not to ${NAMES.webApp}'s identity`,
    );
    const current = (stale.store.get(RESOURCE_IDS.webApp)!.identity as { principalId: string }).principalId;
    assert.match(text(outcome), new RegExp(`${NAMES.webApp}'s identity is ${current}`));
    assert.match(
      outcome.remediation?.summary ?? '',
      /Setup asks before dropping the stale role orders-api and creates it again/,
    );
    assert.equal(outcome.remediation?.fixable, true);
  } finally {
    await stale.close();
  }
});
