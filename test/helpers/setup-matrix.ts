/**
 * Every setup flow of one database kind as a user runs it: the BUILT CLI (dist/, as `builtCli()`
 * builds it) against one twin with that database, for each identity (system, user-assigned, service
 * principal) × each app platform (web app, container app, Spring app). Each cell runs
 * `setup <kind> --yes --json`, checks what the database now holds for the app's identity, runs
 * `doctor --check-user` (and, on the web app, `snippet`) for the same connection, then `undo` and compares the twin's
 * ARM state and the database's users with what they were before the cell. Undo restoring the world
 * is what lets the cells share one twin; they run one after another (each compares the whole world),
 * while the three database kinds run in three test files side by side.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { grantsOf, mysqlUsersOf } from '../setup/mysql-helpers.ts';
import {
  appIdOf,
  JWT,
  rolesOf,
  SPRING_APP_ID,
  springWithoutIdentity,
  stateOf,
} from '../setup/postgres-helpers.ts';
import { catalogueOf, ordersUsers } from '../setup/sql-helpers.ts';
import { builtCli, type CliRun, tempDir } from './build.ts';
import { runBuiltCli, twinCliEnv } from './twin-cli.ts';

export type DatabaseKind = 'postgres' | 'mysql' | 'sql';
const AUTHS = ['system', 'user', 'sp'] as const;
const TARGETS = ['webapp', 'containerapp', 'spring'] as const;
type Auth = (typeof AUTHS)[number];
type Target = (typeof TARGETS)[number];

/** The service principal the app connects as with `--service-principal` (registered in the twin's tenant). */
const SP = {
  objectId: 'a1b2c3d4-0000-4000-8000-0000000e2e5b',
  appId: 'c0ffee00-0000-4000-8000-0000000e2e5b',
  name: 'orders-e2e-sp',
};
const SP_SECRET = 'twin-app-secret-Value~e2e';

const SERVER: Record<DatabaseKind, string> = { postgres: NAMES.postgres, mysql: NAMES.mysql, sql: NAMES.sql };
const SETTING_PREFIX: Record<DatabaseKind, string> = {
  postgres: 'AZURE_POSTGRESQL_',
  mysql: 'AZURE_MYSQL_',
  sql: 'AZURE_SQL_',
};
const APP_NAME: Record<Target, string> = {
  webapp: NAMES.webApp,
  containerapp: NAMES.containerApp,
  spring: `${NAMES.springService}/${NAMES.springApp}`,
};

/** A setting as the JSON document shows it: a value, or for a secret only what it refers to. */
interface Setting {
  name: string;
  value?: string;
  secretRef?: string;
}

/** Registers the 9 cells of `kind` (and their twin) with node:test. */
export function setupMatrix(kind: DatabaseKind): void {
  let twin: Twin;
  let env: Record<string, string>;
  let home: string;

  before(async () => {
    builtCli();
    twin = await startTwin({ scenario: 'healthy', databases: [kind] });
    twin.context.addPrincipal({
      objectId: SP.objectId,
      appId: SP.appId,
      tenantId: IDS.tenantId,
      kind: 'servicePrincipal',
      displayName: SP.name,
    });
    // Nothing lets this machine through the firewall: every cell opens it for the run and closes it.
    twin.store.delete(`${RESOURCE_IDS[kind]}/firewallRules/dana-laptop`);
    // The Spring app starts without a system identity, so its cells really turn one on (and undo off).
    springWithoutIdentity(twin);
    home = tempDir('sc-doctor-matrix-home-');
    // orders belongs to the password admin, as on Azure: PostgreSQL's grants need its password.
    env = twinCliEnv(twin, {
      home,
      appSecret: SP_SECRET,
      ...(kind === 'postgres' ? { databaseOwnerPassword: PG_PASSWORD_ADMIN.password } : {}),
    });
  });

  after(async () => {
    await twin?.close();
  });

  const uami = () =>
    twin.store.get(RESOURCE_IDS.identity)!.properties as { clientId: string; principalId: string };

  function authArgs(auth: Auth): string[] {
    if (auth === 'system') return ['--system-identity'];
    if (auth === 'user')
      return ['--user-identity', `client-id=${uami().clientId}`, `subs-id=${IDS.subscriptionId}`];
    return ['--service-principal', `client-id=${SP.appId}`];
  }

  function targetArgs(target: Target): string[] {
    return ['-g', NAMES.resourceGroup, '-n', APP_NAME[target], '--target', target];
  }

  /** The object id the database user must belong to once setup ran. */
  function principalOf(auth: Auth, target: Target): string {
    if (auth === 'user') return uami().principalId;
    if (auth === 'sp') return SP.objectId;
    const app = twin.store.get(target === 'spring' ? SPRING_APP_ID : appIdOf(target))!;
    const principalId = (app.identity as { principalId?: string } | undefined)?.principalId;
    assert.ok(principalId, `the ${target} has a system identity after setup`);
    return principalId;
  }

  /** The server's Azure name, as the settings name it (`snippet --server` takes it too). */
  function fqdnOf(kind: DatabaseKind): string {
    return (twin.store.get(RESOURCE_IDS[kind])!.properties as { fullyQualifiedDomainName: string })
      .fullyQualifiedDomainName;
  }

  /** What the database holds, to compare before and after a cell. */
  async function databaseWorld(): Promise<unknown> {
    if (kind === 'postgres') return rolesOf(twin);
    if (kind === 'mysql') return mysqlUsersOf(twin);
    return catalogueOf(twin);
  }

  /**
   * Runs `body` with a firewall rule for this machine (the doctor's own login needs one; setup opens
   * and closes its own), removed again before undo compares the world.
   */
  async function withFirewallOpen<T>(body: () => Promise<T>): Promise<T> {
    const server = twin.store.get(RESOURCE_IDS[kind])!;
    const rule = `${server.id}/firewallRules/e2e-check-user`;
    twin.store.put({
      id: rule,
      name: 'e2e-check-user',
      type: `${server.type}/firewallRules`,
      properties: { startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' },
    });
    try {
      return await body();
    } finally {
      twin.store.delete(rule);
    }
  }

  /** The database's user `user` exists for `objectId` and holds rights on the database. */
  async function assertDatabaseUser(user: string, objectId: string): Promise<void> {
    if (kind === 'postgres') {
      assert.ok(
        (await rolesOf(twin)).includes(`${user}:${objectId}`),
        `role ${user} is mapped to ${objectId}`,
      );
    } else if (kind === 'mysql') {
      const grants = await grantsOf(twin, user);
      assert.ok(
        grants.some((grant) => grant.includes(`ON \`${NAMES.database}\`.*`)),
        `${user} holds grants on ${NAMES.database}: ${grants.join('; ')}`,
      );
    } else {
      const found = ordersUsers(twin).find((u) => u.name === user);
      assert.equal(found?.objectId, objectId, `${user} is the contained user of ${objectId}`);
      assert.ok(found.roles.includes('db_datareader'), found.roles.join(', '));
    }
  }

  /** No token the twin issued and not the app's secret in anything the user saw or the journal holds. */
  function assertNothingSecret(...runs: CliRun[]): void {
    const journals = join(home, '.sc-doctor', 'runs');
    const texts = [
      ...runs.flatMap((run) => [run.stdout, run.stderr]),
      ...readdirSync(journals).map((name) => readFileSync(join(journals, name), 'utf8')),
    ];
    for (const text of texts) {
      assert.doesNotMatch(text, JWT, 'a token appeared in the output or the journal');
      assert.ok(!text.includes(SP_SECRET), "the app's secret appeared in the output or the journal");
    }
  }

  for (const auth of AUTHS) {
    for (const target of TARGETS) {
      const checks = target === 'webapp' ? ', doctor --check-user, snippet' : ', doctor --check-user';
      test(`built CLI: setup ${kind} with ${auth} identity on a ${target}${checks}, undo restores the world`, async () => {
        const stateBefore = stateOf(twin);
        const runs: CliRun[] = [];
        const databaseBefore = await databaseWorld();
        const server = ['--server', SERVER[kind], '--database', NAMES.database];

        const setup = await runBuiltCli(
          [
            'setup',
            kind,
            ...server,
            ...targetArgs(target),
            ...authArgs(auth),
            '--client-type',
            'nodejs',
            '--yes',
            '--json',
          ],
          env,
        );
        assert.equal(setup.code, 0, setup.stdout + setup.stderr);
        const document = JSON.parse(setup.stdout);
        assert.equal(document.setup.status, 'succeeded', JSON.stringify(document.setup.steps));
        const runId: string = document.setup.runId;
        // Dana is the server's Entra admin in this world (entra-config sees it): the plan says so.
        const admin = document.setup.plan.find((step: { id: string }) => step.id === 'entra-admin');
        assert.equal(admin?.alreadyDone, true, JSON.stringify(admin));
        let undo: CliRun | undefined;
        try {
          const settings: Setting[] = document.snippets[0].settings;
          const objectId = principalOf(auth, target);
          // Azure SQL settings name no user (the token says who connects): find it by its identity.
          const user =
            kind === 'sql'
              ? ordersUsers(twin).find((u) => u.objectId === objectId)?.name
              : settings.find((s) => s.name === `${SETTING_PREFIX[kind]}USER`)?.value;
          assert.ok(user, `a database user for ${objectId}: ${JSON.stringify(settings)}`);
          await assertDatabaseUser(user, objectId);

          // The doctor finds the app's database user through whatever the app connects as: its
          // managed identities, or the service principal its settings and its Service Connector
          // connection name (a Spring app's settings live in its active deployment).
          const check = await withFirewallOpen(() =>
            runBuiltCli(['doctor', '--check-user', ...server, ...targetArgs(target), '--json'], env),
          );
          const rows: { id: string; status: string }[] = JSON.parse(check.stdout).doctor.checks;
          for (const id of ['app-identity', 'app-settings', 'database-user'])
            assert.equal(rows.find((c) => c.id === id)?.status, 'pass', `${id}: ${check.stdout}`);
          runs.push(check);

          // `snippet` takes no app: its settings depend on the database and the identity only, so the
          // web app's cells check it for every identity and the other platforms' cells save the run.
          if (target === 'webapp') {
            const clientId = auth === 'user' ? uami().clientId : auth === 'sp' ? SP.appId : undefined;
            const snippet = await runBuiltCli(
              [
                'snippet',
                kind,
                '--client-type',
                'nodejs',
                '--auth',
                auth,
                '--server',
                fqdnOf(kind),
                '--database',
                NAMES.database,
                ...(kind === 'sql' ? [] : ['--db-user', user]),
                ...(clientId ? ['--client-id', clientId] : []),
                '--json',
              ],
              env,
            );
            assert.equal(snippet.code, 0, snippet.stdout + snippet.stderr);
            // The same settings; where `snippet` (which signs in to nothing) cannot know a value it
            // names a placeholder such as `<tenant-id>`.
            const offline: Setting[] = JSON.parse(snippet.stdout).snippets[0].settings;
            assert.deepEqual(
              offline.map((s) =>
                s.value !== undefined && /^<[a-z-]+>$/.test(s.value)
                  ? { ...s, value: settings.find((t) => t.name === s.name)?.value }
                  : s,
              ),
              settings,
            );
            runs.push(snippet);
          }
        } finally {
          // Undo also when an assertion failed, so one broken cell does not break the ones after it.
          undo = await runBuiltCli(['undo', runId, '--json'], env);
        }
        assert.equal(undo.code, 0, undo.stdout + undo.stderr);
        // The check (verify) changed nothing: undo has nothing to undo for it and no row.
        const undone: { id: string }[] = JSON.parse(undo.stdout).undo.outcomes;
        assert.ok(undone.length > 0 && !undone.some((o) => o.id === 'verify'), undo.stdout);
        assertNothingSecret(setup, undo, ...runs);
        assert.deepEqual(stateOf(twin), stateBefore);
        assert.deepEqual(await databaseWorld(), databaseBefore);
      });
    }
  }
}
