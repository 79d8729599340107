/**
 * Identities and sign-in as a user meets them, through the built CLI against the local Azure twin and
 * its real PostgreSQL and MariaDB (issue 13): a B2B guest admin and a group admin get set up (the
 * databases are logged in to with the admin entry's name), the app's service-principal secret is
 * never the operator's, an unknown identity stops the run before any write, and Azure SQL run by a
 * service principal whose server identity cannot read Graph is refused with the exact grant.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DatabaseEngine, IDS, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { DEPLOYER, GUEST, MYSQL_ADMIN_GROUP } from '../azure-twin/scenarios-identity.ts';
import { armRest } from '../azure-twin/testing/arm-rest.ts';
import { builtCli, type CliRun, runProgram, tempDir } from '../helpers/build.ts';
import { OWNER_ENV } from '../setup/postgres-helpers.ts';

const STACK_LINE = /\n\s+at .+:\d+:\d+/;
const twins: Twin[] = [];
after(async () => {
  await Promise.all(twins.map((twin) => twin.close()));
});

interface World {
  twin: Twin;
  env: Record<string, string>;
  home: string;
  /** Every write the twin answered. */
  writes: string[];
}

async function world(scenario: string, databases: DatabaseEngine[]): Promise<World> {
  builtCli();
  const twin = await startTwin({ scenario, databases });
  twins.push(twin);
  const home = tempDir('sc-doctor-identities-home-');
  const map: string[] = [];
  const fqdnOf = (id: string) =>
    (twin.store.get(id)!.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres, mysql, sql } = twin.databaseEndpoints;
  if (postgres) map.push(`${fqdnOf(RESOURCE_IDS.postgres)}:5432=${postgres.host}:${postgres.port}`);
  if (mysql) map.push(`${fqdnOf(RESOURCE_IDS.mysql)}:3306=${mysql.host}:${mysql.port}`);
  if (sql) map.push(`${fqdnOf(RESOURCE_IDS.sql)}:1433=${sql.host}:${sql.port}`);
  const env: Record<string, string> = {
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    SC_DOCTOR_CONNECT_TO: map.join(','),
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
  };
  const twinEnv = twin.env();
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) env[key] = twinEnv[key] as string;
  }
  const writes: string[] = [];
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    if (!['GET', 'HEAD'].includes(method) && !path.endsWith('/list') && !path.startsWith('/_twin'))
      writes.push(`${method} ${path}`);
    return take(method, path);
  };
  return { twin, env, home, writes };
}

function setup(
  w: World,
  kind: 'postgres' | 'mysql' | 'sql',
  auth: string[],
  extra: Record<string, string> = {},
): Promise<CliRun> {
  const server = { postgres: NAMES.postgres, mysql: NAMES.mysql, sql: NAMES.sql }[kind];
  return runProgram(
    process.execPath,
    [
      builtCli().cli,
      'setup',
      kind,
      '--server',
      server,
      '--database',
      NAMES.database,
      '-g',
      NAMES.resourceGroup,
      '-n',
      NAMES.webApp,
      '--target',
      'webapp',
      ...auth,
      '--client-type',
      'nodejs',
      '--yes',
      '--plain',
    ],
    { ...w.env, ...extra },
    180_000,
  );
}

async function pgRoles(twin: Twin): Promise<string[]> {
  const { rows } = await twin.context.databases.postgresQuery!('SELECT rolname FROM pg_roles ORDER BY 1');
  return (rows as { rolname: string }[]).map((r) => r.rolname);
}

async function mysqlUsers(twin: Twin): Promise<string[]> {
  const { rows } = await twin.context.databases.mysqlQuery!(
    "SELECT User AS user FROM mysql.user WHERE Host = '%'",
  );
  return (rows as { user: string }[]).map((r) => r.user);
}

function runsIn(home: string): string[] {
  try {
    return readdirSync(join(home, '.sc-doctor', 'runs'));
  } catch {
    return [];
  }
}

test("a B2B guest admin: setup logs in to PostgreSQL and MySQL with the admin entry's #EXT# name and succeeds", async () => {
  const w = await world('guest-admin', ['postgres', 'mysql']);
  const pg = await setup(w, 'postgres', ['--system-identity'], OWNER_ENV);
  assert.equal(pg.code, 0, pg.stdout + pg.stderr);
  assert.ok((await pgRoles(w.twin)).includes('aad_postgresflexible_orders'), 'the role was made');
  // The guest's own admin entry stayed the only one: none was added under its sign-in name.
  const admins = w.twin.store.children(
    RESOURCE_IDS.postgres,
    'Microsoft.DBforPostgreSQL/flexibleServers/administrators',
  );
  assert.deepEqual(
    admins.map((a) => a.properties?.principalName),
    [GUEST.userPrincipalName],
  );
  assert.doesNotMatch(pg.stdout + pg.stderr, /kim@fabrikam\.example.*(refused|failed)/i);

  const my = await setup(w, 'mysql', ['--system-identity']);
  assert.equal(my.code, 0, my.stdout + my.stderr);
  assert.ok((await mysqlUsers(w.twin)).includes('aad_mysqlflexible_orders'));
  const admin = w.twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)!;
  assert.equal(admin.properties?.login, GUEST.userPrincipalName, 'the admin was not replaced');
  assert.doesNotMatch(pg.stdout + my.stdout + my.stderr, STACK_LINE);
});

test('a group admin: a member sets up PostgreSQL and MySQL as the group, adding and replacing no admin', async () => {
  const w = await world('mysql-group-admin', ['postgres', 'mysql']);
  // PostgreSQL's only admin becomes the same group (through ARM, so the database gets its role).
  const rest = armRest(w.twin.baseUrl, w.twin.tokens.credential(IDS.dana));
  await rest.lro(
    'PUT',
    `${RESOURCE_IDS.postgres}/administrators/${MYSQL_ADMIN_GROUP.objectId}?api-version=2025-08-01`,
    { properties: { principalName: MYSQL_ADMIN_GROUP.displayName, principalType: 'Group' } },
    'azure-async-operation',
  );
  await rest.lro(
    'DELETE',
    `${RESOURCE_IDS.postgres}/administrators/${IDS.dana}?api-version=2025-08-01`,
    undefined,
    'location',
  );
  w.writes.length = 0;

  const pg = await setup(w, 'postgres', ['--system-identity'], OWNER_ENV);
  assert.equal(pg.code, 0, pg.stdout + pg.stderr);
  assert.ok((await pgRoles(w.twin)).includes('aad_postgresflexible_orders'));
  assert.deepEqual(
    w.writes.filter((write) => /\/administrators\//i.test(write)),
    [],
    'no admin was added for Dana herself',
  );

  const my = await setup(w, 'mysql', ['--system-identity']);
  assert.equal(my.code, 0, my.stdout + my.stderr);
  assert.ok((await mysqlUsers(w.twin)).includes('aad_mysqlflexible_orders'));
  const admin = w.twin.store.get(`${RESOURCE_IDS.mysql}/administrators/ActiveDirectory`)!;
  assert.equal(admin.properties?.sid, MYSQL_ADMIN_GROUP.objectId, 'the group stays the admin');
  assert.deepEqual(
    w.writes.filter((write) => /\/administrators\//i.test(write)),
    [],
  );
});

test('the app secret: never AZURE_CLIENT_SECRET; without SC_DOCTOR_APP_CLIENT_SECRET or with the same secret, exit 2 before any write', async () => {
  const w = await world('healthy', ['postgres']);
  const app = w.twin.context.addPrincipal({
    objectId: '7e57a000-0000-4000-8000-0000000000b1',
    appId: '7e57a000-0000-4000-8000-0000000000b2',
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-api-sp',
  });
  const auth = ['--service-principal', `client-id=${app.appId}`];
  const missing = await setup(w, 'postgres', auth, { AZURE_CLIENT_SECRET: 'operator~secret~1' });
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /SC_DOCTOR_APP_CLIENT_SECRET in the environment/);
  const same = await setup(w, 'postgres', auth, {
    AZURE_CLIENT_SECRET: 'operator~secret~1',
    SC_DOCTOR_APP_CLIENT_SECRET: 'operator~secret~1',
  });
  assert.equal(same.code, 2, same.stdout + same.stderr);
  assert.match(same.stderr, /is the same as the secret you sign in with \(AZURE_CLIENT_SECRET\)/);
  for (const run of [missing, same]) {
    assert.doesNotMatch(run.stdout + run.stderr, /operator~secret~1/);
    assert.doesNotMatch(run.stdout + run.stderr, /^Plan ·/m, 'no plan');
    assert.doesNotMatch(run.stderr, STACK_LINE);
  }
  assert.deepEqual(w.writes, []);
  assert.deepEqual(runsIn(w.home), []);
});

test('an identity the plan names that does not exist stops the run at plan time: exit 2 naming it, nothing written', async () => {
  const w = await world('healthy', ['postgres', 'mysql']);
  const unknown = '0bad0000-0000-4000-8000-0000000000c1';
  const user = await setup(w, 'postgres', ['--user-identity', `client-id=${unknown}`]);
  assert.equal(user.code, 2, user.stdout + user.stderr);
  assert.match(
    user.stderr,
    new RegExp(
      `--user-identity client-id=${unknown}: no user-assigned identity has this client id in subscription ${IDS.subscriptionId}\\.`,
    ),
  );
  assert.match(user.stderr, /az identity list --subscription/);

  const sp = await setup(w, 'postgres', ['--service-principal', `client-id=${unknown}`], {
    SC_DOCTOR_APP_CLIENT_SECRET: 'app~secret~1',
  });
  assert.equal(sp.code, 2, sp.stdout + sp.stderr);
  assert.match(
    sp.stderr,
    new RegExp(
      `--service-principal client-id=${unknown}: no service principal of this application id is in the tenant\\.`,
    ),
  );

  const serverIdentity = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-missing`;
  const my = await setup(w, 'mysql', ['--system-identity', `mysql-identity-id=${serverIdentity}`]);
  assert.equal(my.code, 2, my.stdout + my.stderr);
  assert.match(my.stderr, /mysql-identity-id=.*id-missing: no such user-assigned identity\./);

  for (const run of [user, sp, my]) {
    assert.match(run.stderr, /^sc-doctor: Setup stopped before changing anything:/m);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  }
  assert.deepEqual(w.writes, [], 'nothing was written');
  assert.deepEqual(runsIn(w.home), [], 'no run was journalled');
});

test('Azure SQL run by a service principal whose server identity cannot read Graph: refused with the grant commands, nothing written', async () => {
  const w = await world('sp-operator', ['sql']);
  const identity = w.twin.world.principals.find(
    (p) => p.kind === 'managedIdentity' && p.alternativeId?.toLowerCase() === RESOURCE_IDS.sql.toLowerCase(),
  )!;
  w.twin.world.appRoleAssignments = w.twin.world.appRoleAssignments.filter(
    (a) => a.principalId !== identity.objectId,
  );
  const run = await setup(w, 'sql', ['--system-identity']);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /Setup cannot start; nothing was changed:/);
  assert.match(run.stdout, new RegExp(`the service principal ${DEPLOYER.appId} cannot create Entra users`));
  const grants =
    run.stdout.match(
      /^ {4}az rest --method POST --uri \S+\/v1\.0\/servicePrincipals\/\S+\/appRoleAssignments --body '\{.*\}'$/gm,
    ) ?? [];
  assert.equal(grants.length, 3, run.stdout);
  assert.deepEqual(w.writes, []);
});
