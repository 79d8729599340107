/**
 * PostgreSQL setup on a database whose owner is not the signed-in admin, as on a typical Azure server:
 * `orders` and the app's tables belong to the password admin pgadmin (scenario `pg-owner-tables`),
 * against the twin's real PostgreSQL 17. Through the setup flow and its front-ends:
 * - without the owner's password the run gives what the Entra admin can (nothing here), writes the
 *   rest to a script for pgadmin and ends handed off: its own status, exit 4, verify not done;
 * - that script runs on Debian's stock psql 15, TLS verified through the system bundle path, and
 *   `--resume` then finds every promise kept and ends done;
 * - undo of that run without the owner's password leaves the role with the commands that remove it,
 *   and those commands, run as printed, do; with the password (environment), undo leaves nothing;
 * - with the owner's password setup gives every promise as pgadmin and ends done; a wrong password
 *   changes nothing; a GRANT the server only warns about is a failure.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { runListLines } from '../../source/cli/run-undo.ts';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import { EventBus } from '../../source/core/events.ts';
import { refusingPrompter } from '../../source/core/prompter.ts';
import type { CheckResult } from '../../source/core/types.ts';
import { readGrantState } from '../../source/databases/postgres/grants.ts';
import { runStatements } from '../../source/databases/postgres/login.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { Interrupts } from '../../source/engine/interrupts.ts';
import { Journal } from '../../source/engine/journal.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { jsonSetup } from '../../source/output/setup-json.ts';
import { outcomeLines } from '../../source/output/setup-plain.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { createSession } from '../../source/run/session.ts';
import { setupFlow } from '../../source/setup/flow.ts';
import type { SetupOutcome, SetupRequest } from '../../source/setup/flow-types.ts';
import { setupOutcomeExitCode } from '../../source/setup/outcome-exit.ts';
import { postgresUndoers } from '../../source/setup/postgres/index.ts';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { typedTarget } from '../helpers/target.ts';
import {
  appFacts,
  DANA,
  JWT,
  OWNER_ENV,
  psqlEnv as psqlEnvOf,
  rolesOf,
  serverFacts,
  servicesFor,
} from './postgres-helpers.ts';

const run = promisify(execFile);
const COMMAND_LINE = 'sc-doctor setup postgres --server pg-orders -g rg-orders -n orders-api --yes --plain';

let twin: Twin;
let home: string;

before(async () => {
  twin = await startTwin({ scenario: 'pg-owner-tables', databases: ['postgres'] });
  home = await mkdtemp(path.join(tmpdir(), 'sc-doctor-pg-owner-'));
});

after(async () => {
  await twin?.close();
});

function check(id: string, result: CheckResult): DoctorCheck {
  return { id, title: id, run: async () => result };
}

function doctorChecks(): DoctorCheck[] {
  return [
    check('signin', {
      status: 'pass',
      message: DANA,
      data: { objectId: IDS.dana, user: DANA, userType: 'user', tenantId: IDS.tenantId },
    }),
    check('server', { status: 'pass', message: 'pg-orders', data: { server: serverFacts(twin) } }),
    check('app-identity', { status: 'pass', message: 'orders-api', data: { app: appFacts(twin, 'webapp') } }),
    check('network-path', {
      status: 'pass',
      message: 'reachable',
      data: { network: { verdict: 'reachable' } },
    }),
  ];
}

const connectTo = () => {
  const server = serverFacts(twin);
  const { postgres } = twin.databaseEndpoints;
  const mapping = parseConnectTo(`${server.fqdn}:5432=${postgres!.host}:${postgres!.port}`);
  if (!mapping.ok) throw new Error('bad mapping');
  return { entries: mapping.entries, source: '--connect-to' as const };
};

/** `sc-doctor setup postgres ... --yes --plain` through the session, with `env` added to the environment. */
async function setup(
  env: Record<string, string> = {},
  request: Partial<SetupRequest> = {},
): Promise<{ outcome: SetupOutcome; events: RunEvent[] }> {
  const services = servicesFor(twin, env);
  const bus = new EventBus<RunEvent>();
  const events: RunEvent[] = [];
  bus.on((event) => events.push(event));
  const interrupts = new Interrupts();
  const session = createSession({
    bus,
    services,
    prompter: refusingPrompter('plain'),
    checks: doctorChecks(),
    options: { verbose: false, target: typedTarget({ server: 'pg-orders' }), connectTo: connectTo() },
    signal: interrupts.signal,
    setupFlow: setupFlow({
      request: {
        database: 'postgres',
        auth: { kind: 'system' },
        clientType: 'nodejs',
        yes: true,
        dryRun: false,
        linker: true,
        grants: 'least',
        commandLine: COMMAND_LINE,
        ...request,
      },
      journal: new Journal({ home }),
      interrupts,
      cwd: home,
    }),
  });
  try {
    return { outcome: await session.setup!(), events };
  } finally {
    services.azure?.dispose();
  }
}

async function undo(runId: string, env: Record<string, string> = {}) {
  const services = servicesFor(twin, env);
  try {
    return await undoFromJournal({
      journal: new Journal({ home }),
      runId,
      steps: postgresUndoers(services, connectTo()),
    });
  } finally {
    services.azure.dispose();
  }
}

const appObjectId = () =>
  (twin.store.get(RESOURCE_IDS.webApp)!.identity as { principalId: string }).principalId;
const appRoles = async () => (await rolesOf(twin)).filter((role) => role.startsWith('aad_'));

async function superuser(sql: string, database = NAMES.database) {
  return (await twin.context.databases.postgresQuery!(sql, database)).rows as Record<string, unknown>[];
}

/** Every ACL entry and default privilege naming `role` in orders: empty when it holds nothing. */
async function grantsOf(role: string): Promise<string[]> {
  const rows = await superuser(
    `with r as (select oid from pg_roles where rolname = '${role}')
     select 'database:' || a.privilege_type || '/' || pg_get_userbyid(a.grantor) as g from pg_database d, aclexplode(d.datacl) a where d.datname = 'orders' and a.grantee = (select oid from r)
     union all select 'schema:' || a.privilege_type from pg_namespace n, aclexplode(n.nspacl) a where n.nspname = 'public' and a.grantee = (select oid from r)
     union all select c.relname || ':' || a.privilege_type from pg_class c, aclexplode(c.relacl) a where a.grantee = (select oid from r)
     union all select 'default:' || a.privilege_type from pg_default_acl d, aclexplode(d.defaclacl) a where a.grantee = (select oid from r)
     order by 1`,
  );
  return rows.map((row) => String(row.g));
}

/** What the app's role can really do as itself, logging in with the app's token. */
async function asApp(role: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user: role,
    password: twin.tokens.issue(appObjectId(), 'ossrdbms'),
    database: NAMES.database,
    ssl: { ca: twin.caPem, servername: serverFacts(twin).fqdn },
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const psqlEnv = (extra: Record<string, string> = {}) => psqlEnvOf(twin, extra);

const ROLE = 'aad_postgresflexible_orders';
let handedOffRun = '';
let scriptPath = '';

describe('without the owner’s password', () => {
  test('the role is made, what only pgadmin can give goes to its script, and the run ends handed off (exit 4), not done', async () => {
    const { outcome } = await setup();
    assert.equal(outcome.kind, 'ran', JSON.stringify(outcome));
    if (outcome.kind !== 'ran') return;
    const { result } = outcome;
    assert.equal(result.status, 'handed-off', JSON.stringify(result.failure));
    assert.equal(result.exitCode, 4);
    assert.equal(setupOutcomeExitCode(outcome, false), 4);
    const outcomes = Object.fromEntries(result.steps.map((s) => [s.id, s.outcome]));
    assert.equal(outcomes['database-role'], 'handed-off');
    assert.equal(outcomes.verify, 'handed-off', 'the check is not marked done');
    handedOffRun = result.runId;

    // The plan said who owns what and which grants need pgadmin.
    const plan = outcome.plan.find((view) => view.id === 'database-role')!.lines.join('\n');
    assert.match(
      plan,
      /orders belongs to pgadmin; dana@contoso\.twin\.test signs in, an Entra admin but not the owner/,
    );
    assert.match(
      plan,
      /pgadmin, the owner of orders must give: CONNECT on database orders; USAGE, CREATE on schema public; SELECT, INSERT, UPDATE, DELETE on tables customers, order_lines/,
    );
    assert.match(plan, /else in a script for pgadmin: the run then ends handed off, not done/);

    // The role exists (only an Entra admin can map it) and holds nothing: Dana could give nothing.
    assert.deepEqual(
      (await appRoles()).map((r) => r.split(':')[0]),
      [ROLE],
    );
    assert.deepEqual(await grantsOf(ROLE), []);

    const handed = result.handedOff;
    assert.equal(handed.length, 1);
    scriptPath = handed[0]!.scriptPath;
    assert.equal(path.dirname(scriptPath), home);
    assert.equal((await stat(scriptPath)).mode & 0o777, 0o600);
    const script = await readFile(scriptPath, 'utf8');
    assert.match(script, /user=pgadmin sslmode=verify-full/);
    assert.match(
      script,
      /GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "public"\."customers" TO "aad_postgresflexible_orders";/,
    );
    assert.match(
      script,
      /ALTER DEFAULT PRIVILEGES FOR ROLE "pgadmin" IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "aad_postgresflexible_orders";/,
    );
    assert.ok(!script.includes(PG_PASSWORD_ADMIN.password));
    assert.doesNotMatch(script, JWT);

    // Every front-end says not done: the plain lines, the JSON document, the journal and undo --list.
    const lines = outcomeLines(outcome, 4);
    const text = lines.join('\n');
    assert.doesNotMatch(text, /^Done/m);
    // The linker and database-role's hand-off are the changes (verify waits, and changed nothing).
    assert.match(
      text,
      /^Not finished: 2 changes made \(run .*\); 1 handed off to a script, so the run is not done\.$/m,
    );
    assert.match(
      text,
      /Handed off: Database role .*pgadmin, the owner of orders must give: .*: run .* as pgadmin \(psql asks for the password\), then --resume checks it; or --resume with pgadmin's password \(asked, or SC_DOCTOR_PG_OWNER_PASSWORD\) gives them itself\./,
    );
    const tail = lines.slice(lines.indexOf('Left to do:'));
    assert.ok(tail.includes(`  ${COMMAND_LINE} --resume ${result.runId}`), tail.join('\n'));
    assert.ok(tail.includes(`  sh ${scriptPath}`), tail.join('\n'));
    assert.equal(lines.at(-1), 'Exit code 4.');
    const json = jsonSetup(outcome);
    assert.equal(json.status, 'handed-off');
    assert.deepEqual(json.handedOff, [{ step: 'database-role', script: scriptPath }]);
    const journal = new Journal({ home });
    assert.equal((await journal.loadRun(result.runId)).status, 'handed-off');
    const listed = runListLines(await journal.listRuns()).join('\n');
    assert.match(listed, new RegExp(`${result.runId} .* handed-off`));
    assert.doesNotMatch(JSON.stringify([json, await journal.loadRun(result.runId)]), JWT);
  });

  test('the owner’s script runs on the stock psql, TLS verified through the system bundle; a bundle without the server’s CA is refused', async () => {
    assert.ok(scriptPath, 'the hand-off test ran first');
    const { stdout: version } = await run('psql', ['--version']);
    assert.match(version, /psql \(PostgreSQL\) \d+/);
    // Verification is on: a machine that does not trust the server's CA is refused, nothing is granted.
    const systemOnly = path.join(home, 'system-only.pem');
    await run('sh', [
      '-c',
      `cp /etc/ssl/certs/ca-certificates.crt ${systemOnly} 2>/dev/null || : > ${systemOnly}`,
    ]);
    await assert.rejects(
      run('sh', [scriptPath], {
        env: psqlEnv({ PGPASSWORD: PG_PASSWORD_ADMIN.password, SSL_CERT_FILE: systemOnly }),
      }),
      (error: { stderr?: string }) => /certificate verify failed|SSL error/i.test(error.stderr ?? ''),
    );
    assert.deepEqual(await grantsOf(ROLE), []);

    await run('sh', [scriptPath], { env: psqlEnv({ PGPASSWORD: PG_PASSWORD_ADMIN.password }) });
    assert.deepEqual(await asApp(ROLE, 'select name from customers'), [{ name: 'Contoso' }]);
    await asApp(ROLE, "insert into order_lines (customer_id, item) values (1, 'tea')");
    // pgadmin's next migration: the table is the app's at once (default privileges).
    await superuser('set role pgadmin; create table invoices (id int); reset role');
    assert.deepEqual(await asApp(ROLE, 'select count(*)::int as n from invoices'), [{ n: 0 }]);
  });

  test('--resume then finds every promise kept: done, exit 0, in a run linked to the first', async () => {
    const { outcome } = await setup({}, { resume: handedOffRun });
    assert.equal(outcome.kind, 'ran');
    if (outcome.kind !== 'ran') return;
    assert.equal(outcome.result.status, 'succeeded', JSON.stringify(outcome.result.failure));
    assert.equal(outcome.result.exitCode, 0);
    const outcomes = Object.fromEntries(outcome.result.steps.map((s) => [s.id, s.outcome]));
    assert.equal(outcomes['database-role'], 'already-done');
    assert.equal(outcomes.verify, 'applied');
    assert.match(outcomeLines(outcome, 0).join('\n'), /^Done: /m);
    const journal = new Journal({ home });
    assert.equal((await journal.loadRun(outcome.result.runId)).resumes, handedOffRun);
    assert.equal((await journal.loadRun(handedOffRun)).status, 'handed-off', 'the first run stays as it was');
  });

  test('undo without the owner’s password leaves the role, with commands that remove it when run as printed', async () => {
    const first = await undo(handedOffRun);
    assert.equal(first.status, 'rollback-incomplete');
    assert.equal(first.exitCode, 3);
    const left = first.left.find((l) => l.id === 'database-role')!;
    assert.match(
      left.reason,
      /pgadmin granted aad_postgresflexible_orders privileges that only it can take back: set SC_DOCTOR_PG_OWNER_PASSWORD/,
    );
    assert.equal(left.commands.length, 3, left.commands.join('\n'));
    assert.match(left.commands[0]!, /user=pgadmin /);
    assert.match(left.commands[1]!, /user=dana@contoso\.twin\.test /);
    assert.match(left.commands[2]!, /-c 'DROP ROLE "aad_postgresflexible_orders"' '.*dbname=postgres /);
    // As a person would: the owner's command (psql asks pgadmin's password; here it is in PGPASSWORD),
    // then the Entra admin's (its token from az). The table pgadmin made after the run is covered too.
    await run('sh', ['-c', left.commands[0]!], {
      env: psqlEnv({ PGPASSWORD: PG_PASSWORD_ADMIN.password, PGSSLROOTCERT: twin.caBundlePath }),
    });
    for (const command of left.commands.slice(1))
      await run('sh', ['-c', command], { env: psqlEnv({ PGSSLROOTCERT: twin.caBundlePath }) });
    assert.deepEqual(await appRoles(), []);
    const again = await undo(handedOffRun);
    assert.equal(again.status, 'undone', JSON.stringify(again));
    assert.equal(again.exitCode, 0);
    await superuser('drop table invoices');
  });
});

describe('with the owner’s password', () => {
  test('a wrong password stops the run before any change', async () => {
    const rolesBefore = await rolesOf(twin);
    const { outcome } = await setup({ SC_DOCTOR_PG_OWNER_PASSWORD: 'not-the-password' });
    assert.equal(outcome.kind, 'ran');
    if (outcome.kind !== 'ran') return;
    assert.equal(outcome.result.status, 'rolled-back');
    assert.equal(outcome.result.exitCode, 1);
    assert.match(
      outcome.result.failure!.message,
      /refused the password of pgadmin \(from SC_DOCTOR_PG_OWNER_PASSWORD\).*Nothing was changed/,
    );
    assert.doesNotMatch(JSON.stringify(outcome), /not-the-password/);
    assert.deepEqual(await rolesOf(twin), rolesBefore);
  });

  test('every promise is given as pgadmin, the run is done, and undo with the password leaves nothing', async () => {
    const rolesBefore = await rolesOf(twin);
    const { outcome, events } = await setup(OWNER_ENV);
    assert.equal(outcome.kind, 'ran');
    if (outcome.kind !== 'ran') return;
    const { result } = outcome;
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.equal(result.exitCode, 0);
    assert.equal(result.steps.find((s) => s.id === 'verify')?.outcome, 'applied');
    assert.deepEqual(await grantsOf(ROLE), [
      'customers:DELETE',
      'customers:INSERT',
      'customers:SELECT',
      'customers:UPDATE',
      'customers_id_seq:SELECT',
      'customers_id_seq:USAGE',
      'database:CONNECT/pgadmin',
      'default:DELETE',
      'default:INSERT',
      'default:SELECT',
      'default:UPDATE',
      'order_lines:DELETE',
      'order_lines:INSERT',
      'order_lines:SELECT',
      'order_lines:UPDATE',
      'order_lines_id_seq:SELECT',
      'order_lines_id_seq:USAGE',
      'schema:CREATE',
      'schema:USAGE',
    ]);
    assert.deepEqual(await asApp(ROLE, 'select name from customers'), [{ name: 'Contoso' }]);
    const everything = JSON.stringify([outcome, events, await new Journal({ home }).loadRun(result.runId)]);
    assert.ok(!everything.includes(PG_PASSWORD_ADMIN.password), 'the password is nowhere');

    const undone = await undo(result.runId, OWNER_ENV);
    assert.equal(undone.status, 'undone', JSON.stringify(undone));
    assert.deepEqual(await rolesOf(twin), rolesBefore);
    assert.deepEqual(await superuser('select count(*)::int as n from pg_default_acl'), [{ n: 0 }]);
  });
});

async function asDanaIn<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user: DANA,
    password: twin.tokens.issue(IDS.dana, 'ossrdbms'),
    database: NAMES.database,
    ssl: { ca: twin.caPem, servername: serverFacts(twin).fqdn },
  });
  await client.connect();
  try {
    await client.query('create role aad_warned');
    return await body(client);
  } finally {
    await client.query('drop role aad_warned').catch(() => {});
    await client.end();
  }
}

test('a GRANT the server only warns about ("no privileges were granted") is a failure', async () => {
  await asDanaIn(async (client) => {
    await assert.rejects(
      runStatements(client, ['GRANT CONNECT ON DATABASE orders TO aad_warned']),
      /no privileges were granted for "orders" \(in: GRANT CONNECT ON DATABASE orders TO aad_warned\)/,
    );
  });
});

test('PUBLIC’s CONNECT and USAGE are no promise kept: only the role’s own grants count', async () => {
  await asDanaIn(async (client) => {
    const state = await readGrantState(client, 'aad_warned', 'least');
    const [row] = (
      await client.query(
        "select has_database_privilege('aad_warned', 'orders', 'CONNECT') as c, has_schema_privilege('aad_warned', 'public', 'USAGE') as u",
      )
    ).rows;
    assert.deepEqual(row, { c: true, u: true }, 'PUBLIC lets it connect and use public');
    const missing = (on: string, privilege: string) =>
      state.missing.some((item) => item.on === on && item.privileges.includes(privilege));
    assert.ok(missing('database', 'CONNECT'), 'but CONNECT is not its own grant');
    assert.ok(missing('schema', 'USAGE'), 'nor USAGE on public');
    assert.ok(state.missing.every((item) => item.grantor === 'pgadmin'));
  });
});
