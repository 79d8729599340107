/**
 * The database role when one is already there, and the hand-off: a role of the same name mapped to a
 * stale identity is replaced only with consent (and put back by undo); without consent the run stops
 * and changes nothing. A server reachable only from its network gets a psql script instead.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { ConsentRequest } from '../../source/engine/consent.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup } from '../../source/engine/run-setup.ts';
import { undoFromJournal } from '../../source/engine/undo-from-journal.ts';
import { postgresSetupSteps, postgresUndoers } from '../../source/setup/postgres/index.ts';
import { PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS, STALE_APP_OBJECT_ID } from '../azure-twin/scenarios.ts';
import {
  inputFor,
  JWT,
  OWNER_ENV,
  psqlEnv,
  rolesOf,
  runPostgresSetup,
  servicesFor,
  stateOf,
  tempJournal,
} from './postgres-helpers.ts';

const run = promisify(execFile);
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'pg-stale-role', databases: true });
});

after(async () => {
  await twin?.close();
});

const appObjectId = () =>
  (twin.store.get(RESOURCE_IDS.webApp)!.identity as { principalId: string }).principalId;
const mappingOf = async (role: string) =>
  (await rolesOf(twin)).find((r) => r.startsWith(`${role}:`))?.slice(role.length + 1);

test('a role mapped to a stale identity stops the run without consent, and nothing changes', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const { result } = await runPostgresSetup(twin, inputFor(twin, { dbUser: NAMES.webApp }));
  assert.equal(result.exitCode, 1);
  assert.equal(result.failure?.id, 'database-role');
  assert.match(result.failure!.message, /mapped to another identity .*--db-user/);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('the stale role holds grants only the owner can take back: without its password, nothing changes', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const { result } = await runPostgresSetup(
    twin,
    inputFor(twin, { dbUser: NAMES.webApp, staleRoleObjectId: STALE_APP_OBJECT_ID }),
  );
  assert.equal(result.exitCode, 1);
  assert.match(
    result.failure!.message,
    /the role orders-api, mapped to the old identity, holds grants from pgadmin \(.*\) that only pgadmin can take back before it is dropped: give pgadmin's password \(asked, or SC_DOCTOR_PG_OWNER_PASSWORD\)/,
  );
  assert.match(result.failure!.message, /CONNECT, CREATE, TEMPORARY on database orders/);
  assert.match(result.failure!.message, /CREATE, USAGE on schema public/);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('with consent the stale role is dropped and created again for the app; undo maps it back', async () => {
  assert.equal(await mappingOf(NAMES.webApp), STALE_APP_OBJECT_ID);
  const input = inputFor(twin, { dbUser: NAMES.webApp, staleRoleObjectId: STALE_APP_OBJECT_ID });
  // The stale role's grants came from pgadmin, the owner of orders: its password takes them back.
  const services = servicesFor(twin, OWNER_ENV);
  const journal = await tempJournal();
  const asked: ConsentRequest[] = [];
  try {
    const plan = await planSteps(postgresSetupSteps(input, services));
    const view = plan.views.find((v) => v.id === 'database-role')!;
    assert.match(view.consent ?? '', /drops the role orders-api/);
    const result = await runSetup(plan, {
      journal,
      target: input.server.id,
      confirm: async (request) => {
        asked.push(request);
        return true;
      },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.deepEqual(
      asked.map((a) => a.id),
      ['entra-auth', 'database-role'],
    );
    assert.equal(await mappingOf(NAMES.webApp), appObjectId());
    const undone = await undoFromJournal({
      journal,
      runId: result.runId,
      steps: postgresUndoers(services, input.connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone.outcomes));
    assert.equal(await mappingOf(NAMES.webApp), STALE_APP_OBJECT_ID);
  } finally {
    services.azure.dispose();
  }
});

test('reachable only from its network: the statements go to a 0600 psql script without a secret, which runs on the stock psql; undo removes what it made', async () => {
  const handOffDir = await mkdtemp(path.join(tmpdir(), 'sc-doctor-handoff-'));
  const rolesBefore = await rolesOf(twin);
  const { result, journal } = await runPostgresSetup(
    twin,
    inputFor(twin, { dbUser: `aad_handoff'; DROP ROLE x; --`, networkPath: 'private-network', handOffDir }),
  );
  // Handed off is not done: its own status and exit code, and the check waits for the script.
  assert.equal(result.status, 'handed-off', JSON.stringify(result.failure));
  assert.equal(result.exitCode, 4);
  const role = result.steps.find((s) => s.id === 'database-role')!;
  assert.equal(role.outcome, 'handed-off');
  assert.equal(result.steps.find((s) => s.id === 'verify')!.outcome, 'handed-off');
  const script = result.handedOff[0]!.scriptPath;
  assert.equal((await stat(script)).mode & 0o777, 0o600);
  const text = await readFile(script, 'utf8');
  assert.match(text, /az account get-access-token --resource-type oss-rdbms/);
  assert.ok(
    text.includes(
      `pgaadauth_create_principal_with_oid('aad_handoff''; DROP ROLE x; --', '${appObjectId()}', 'service', false, false)`,
    ),
    text,
  );
  assert.doesNotMatch(text, JWT);
  // The grants are the owner's to give: its part signs in as pgadmin (psql asks for its password).
  assert.match(text, /user=pgadmin sslmode=verify-full/);
  assert.match(
    text,
    /GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "aad_handoff'; DROP ROLE x; --";/,
  );
  assert.deepEqual(await rolesOf(twin), rolesBefore, 'nothing was done in the database from here');

  // Someone inside the network runs it on the stock psql: the Entra admin's part with its az token,
  // then pgadmin's (here its password is in PGPASSWORD; psql would ask for it).
  await run('sh', [script], { env: psqlEnv(twin, { PGPASSWORD: PG_PASSWORD_ADMIN.password }) });
  const hostile = `aad_handoff'; DROP ROLE x; --`;
  assert.equal(await mappingOf(hostile), appObjectId(), 'the role exists under exactly that name');
  const { rows } = await twin.context.databases.postgresQuery!(
    `select has_schema_privilege('${hostile.replace(/'/g, "''")}', 'public', 'CREATE') as c`,
    NAMES.database,
  );
  assert.deepEqual(rows, [{ c: true }], 'pgadmin gave the grants');

  // Undo of that run removes what its script made, pgadmin's grants (with its password) included.
  const services = servicesFor(twin, OWNER_ENV);
  try {
    const undone = await undoFromJournal({
      journal,
      runId: result.runId,
      steps: postgresUndoers(services, inputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone));
  } finally {
    services.azure.dispose();
  }
  assert.deepEqual(await rolesOf(twin), rolesBefore);
  // The script describes a role that is gone now: it goes too.
  await assert.rejects(stat(script), { code: 'ENOENT' }, 'the hand-off script is removed');
});

test('undo leaves a hand-off script the person changed since, and says so', async () => {
  const handOffDir = await mkdtemp(path.join(tmpdir(), 'sc-doctor-handoff-'));
  const { result, journal } = await runPostgresSetup(
    twin,
    inputFor(twin, { dbUser: 'aad_handoff_kept', networkPath: 'private-network', handOffDir }),
  );
  assert.equal(result.status, 'handed-off', JSON.stringify(result.failure));
  const script = result.handedOff[0]!.scriptPath;
  const edited = `${await readFile(script, 'utf8')}# run on Tuesday by the DBA\n`;
  await writeFile(script, edited);
  const services = servicesFor(twin, OWNER_ENV);
  try {
    const undone = await undoFromJournal({
      journal,
      runId: result.runId,
      steps: postgresUndoers(services, inputFor(twin).connectTo),
    });
    assert.equal(undone.status, 'undone', JSON.stringify(undone));
    const role = undone.outcomes.find((outcome) => outcome.id === 'database-role')!;
    assert.ok(role.reason?.includes(`${script} was changed since`), JSON.stringify(role));
  } finally {
    services.azure.dispose();
  }
  assert.equal(await readFile(script, 'utf8'), edited, 'the changed script stays as the person left it');
});
