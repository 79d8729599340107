/**
 * `sc-doctor setup postgres` and `sc-doctor undo` as a user runs them: the built CLI against the local
 * Azure twin (scenario entra-off: Entra authentication off, no admin) and its real PostgreSQL, the
 * server's Azure name mapped to it with SC_DOCTOR_CONNECT_TO, a fresh HOME for the journal. The tests
 * run in order on one twin: the dry run, Ctrl-C and SIGKILL each leave the world as they found it;
 * without the owner's password the run hands the owner's grants off (exit 4) and undo clears it;
 * then the setup, given the password of pgadmin (the owner of orders), succeeds and a second run
 * writes nothing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, type CliRun, runProgram, tempDir } from '../helpers/build.ts';
import { recordWrites, twinCliEnv } from '../helpers/twin-cli.ts';
import { JWT, rolesOf, stateOf } from '../setup/postgres-helpers.ts';

const SETUP = [
  'setup',
  'postgres',
  '--server',
  'pg-orders',
  '--database',
  'orders',
  '-g',
  'rg-orders',
  '-n',
  'orders-api',
  '--target',
  'webapp',
  '--system-identity',
  '--client-type',
  'nodejs',
  '--yes',
  '--plain',
];
/** The role the Azure CLI would name for this connection (`aad_<connection>`). */
const ROLE_PREFIX = 'aad_';

let twin: Twin;
let home: string;
let env: Record<string, string>;
let writes: string[] = [];

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
  home = tempDir('sc-doctor-setup-home-');
  env = twinCliEnv(twin, { home });
  // Every write request the twin answers, whoever sent it.
  writes = recordWrites(twin);
});

after(async () => {
  await twin?.close();
});

function cli(args: string[]): Promise<CliRun> {
  return runProgram(process.execPath, [builtCli().cli, ...args], env, 120_000);
}

/** Everything the journal holds, as text. */
function journalText(): string {
  const dir = join(home, '.sc-doctor', 'runs');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  return names.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
}

/** No token the twin issued (each is a JWT; Dana's too, searched for by value) in what the user saw. */
function assertNoTokens(...texts: string[]): void {
  const known = ['arm', 'graph', 'ossrdbms'].map((audience) => twin.tokens.issue(IDS.dana, audience));
  for (const text of [...texts, journalText()]) {
    assert.doesNotMatch(text, JWT, 'a token appeared in the output or the journal');
    for (const token of known) assert.ok(!text.includes(token.split('.')[2]!), 'a token signature appeared');
  }
}

const writeInFlight = () => twin.state().operations.some((op) => op.status === 'InProgress');

async function untilWriteInFlight(): Promise<void> {
  for (let i = 0; i < 500 && !writeInFlight(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(writeInFlight(), 'a write reached Azure');
}

async function appRoles(): Promise<string[]> {
  return (await rolesOf(twin)).filter((role) => role.startsWith(ROLE_PREFIX));
}

/** Starts the CLI and resolves when `ready` matches its stdout or stderr. */
function startCli(
  args: string[],
  ready: RegExp,
): { child: ChildProcess; started: Promise<void>; run: Promise<CliRun> } {
  const child = spawn(process.execPath, [builtCli().cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  let resolveStarted: () => void;
  const started = new Promise<void>((resolve) => {
    resolveStarted = resolve;
  });
  const look = () => {
    if (ready.test(stdout) || ready.test(stderr)) resolveStarted();
  };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    look();
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    look();
  });
  const run = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr }));
  });
  return { child, started, run };
}

test('setup --dry-run --json: one document with the plan, status planned, and not one write request', async () => {
  writes.length = 0;
  const args = SETUP.filter((arg) => arg !== '--plain' && arg !== '--yes');
  const run = await cli([...args, '--dry-run', '--json']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const document = JSON.parse(run.stdout);
  assert.equal(document.setup.status, 'planned');
  assert.ok(document.setup.plan.some((step: { id: string }) => step.id === 'database-role'));
  assert.ok(document.setup.plan.some((step: { id: string }) => step.id === 'entra-auth'));
  // orders-api's system identity is on already: the plan says so instead of promising to turn it on.
  const identity = document.setup.plan.find((step: { id: string }) => step.id === 'app-identity');
  assert.equal(identity.alreadyDone, true);
  assert.deepEqual(identity.lines, ['the system-assigned identity of orders-api is already on']);
  assert.equal(
    document.setup.plan.find((step: { id: string }) => step.id === 'entra-auth').alreadyDone,
    false,
  );
  // No admin yet: adding Dana is a change, not marked as done.
  assert.equal(
    document.setup.plan.find((step: { id: string }) => step.id === 'entra-admin').alreadyDone,
    false,
  );
  assert.equal(document.setup.plan.find((step: { id: string }) => step.id === 'verify').readOnly, true);
  assert.deepEqual(document.snippets, []);
  assert.deepEqual(writes, []);
  assertNoTokens(run.stdout, run.stderr);
});

test('setup mysql --dry-run --json plans the MySQL steps (server identity, database user) and writes nothing', async () => {
  writes.length = 0;
  const args = SETUP.filter((arg) => arg !== '--plain' && arg !== '--yes').map((arg) =>
    arg === 'postgres' ? 'mysql' : arg === 'pg-orders' ? 'mysql-orders' : arg,
  );
  const run = await cli([...args, '--dry-run', '--json']);
  const document = JSON.parse(run.stdout);
  assert.equal(document.setup.status, 'planned', JSON.stringify(document.setup.reasons));
  const ids = document.setup.plan.map((step: { id: string }) => step.id);
  assert.ok(ids.includes('server-identity'), ids.join(', '));
  assert.ok(ids.includes('database-user'), ids.join(', '));
  assert.ok(!ids.includes('database-role'), 'no PostgreSQL step in a MySQL plan');
  assert.match(document.setup.title, /orders-api → mysql-orders\/orders/);
  assert.deepEqual(writes, []);
  assertNoTokens(run.stdout, run.stderr);
});

test('Ctrl-C in the middle of setup: rolled back, exit 130, the twin and PostgreSQL as before', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  twin.faults.lroDelayMs = 1500;
  try {
    const { child, started, run } = startCli(SETUP, /Applying \(run /);
    await started;
    // Ctrl-C while Azure works on a write (Entra authentication, a long operation).
    await untilWriteInFlight();
    child.kill('SIGINT');
    const result = await run;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stdout, /Cancelled: undoing \d+ change/);
    assert.doesNotMatch(result.stdout, /Connection code/);
    assertNoTokens(result.stdout, result.stderr);
  } finally {
    twin.faults.lroDelayMs = 0;
  }
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('SIGKILL in the middle: the next setup names the unfinished run and sc-doctor undo restores the world', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  twin.faults.lroDelayMs = 1500;
  let runId: string;
  try {
    const { child, started, run } = startCli(SETUP, /Applying \(run ([^)]+)\)/);
    await started;
    // Let the long operation (Entra authentication) reach Azure, then kill without warning.
    await untilWriteInFlight();
    child.kill('SIGKILL');
    const killed = await run;
    runId = /Applying \(run ([^)]+)\)/.exec(killed.stdout)![1]!;
    // Azure finishes what it was asked even though the asker died.
    for (let i = 0; i < 300 && writeInFlight(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    twin.faults.lroDelayMs = 0;
  }

  const next = await cli([...SETUP, '--dry-run']);
  assert.match(
    next.stderr,
    new RegExp(
      `Run ${runId} on \\S+pg-orders did not finish \\(running\\)\\. Undo it: sc-doctor undo ${runId}`,
    ),
  );

  const list = await cli(['undo', '--list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, new RegExp(`^${runId} .* pg-orders +running \\(unfinished: undo it\\)$`, 'm'));

  const undo = await cli(['undo']);
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  assert.match(undo.stdout, new RegExp(`Run ${runId} is undone: nothing it changed is left\\.`));
  assertNoTokens(next.stdout, next.stderr, undo.stdout, undo.stderr);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

/** The built CLI in `cwd` (where a hand-off script goes), with `extra` added to its environment. */
function cliIn(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli().cli, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...extra },
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('without the owner’s password: the grants only pgadmin can give go to its script, status handed-off, exit 4; undo leaves nothing', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const folder = tempDir('sc-doctor-setup-cwd-');
  const args = SETUP.filter((arg) => arg !== '--plain');
  const run = await cliIn(folder, [...args, '--json']);
  assert.equal(run.code, 4, run.stdout + run.stderr);
  const document = JSON.parse(run.stdout);
  assert.equal(document.exitCode, 4);
  assert.equal(document.setup.status, 'handed-off');
  const steps = Object.fromEntries(
    document.setup.steps.map((step: { id: string; outcome: string }) => [step.id, step.outcome]),
  );
  assert.equal(steps['database-role'], 'handed-off');
  assert.equal(steps.verify, 'handed-off');
  const [handed] = document.setup.handedOff as { step: string; script: string }[];
  assert.equal(handed?.step, 'database-role');
  assert.equal(join(folder, handed!.script.split('/').pop()!), handed!.script, 'the script is in the folder');
  assert.match(readFileSync(handed!.script, 'utf8'), /user=pgadmin sslmode=verify-full/);
  assert.match(document.setup.resume, / --resume /);
  const runId = document.setup.runId as string;

  const list = await cli(['undo', '--list']);
  assert.match(list.stdout, new RegExp(`^${runId} .* pg-orders +handed-off$`, 'm'));
  const listed = JSON.parse((await cli(['undo', '--list', '--json'])).stdout);
  assert.equal(listed.runs.find((r: { runId: string }) => r.runId === runId).status, 'handed-off');

  // The role holds nothing pgadmin has to take back: undo (no password) removes everything.
  const undo = await cli(['undo', runId]);
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  assertNoTokens(run.stdout, run.stderr, undo.stdout);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
});

test('setup postgres --system-identity --client-type nodejs --yes --plain: the role is made and mapped, the code shown', async () => {
  writes.length = 0;
  // The password of pgadmin, the owner of orders, in its environment variable: every grant is given.
  const run = await cliIn(tempDir('sc-doctor-setup-cwd-'), SETUP, {
    SC_DOCTOR_PG_OWNER_PASSWORD: PG_PASSWORD_ADMIN.password,
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(writes.length > 0, 'the setup wrote to Azure');
  assert.match(run.stdout, /^Plan · orders-api → pg-orders\/orders · system identity · client nodejs$/m);
  assert.match(run.stdout, /^✔ \d+ +Entra authentication/m);
  assert.match(run.stdout, /^✔ \d+ +.*role/im);
  assert.match(run.stdout, /^Connection code$/m);
  assert.match(run.stdout, /AZURE_POSTGRESQL_HOST=pg-orders\.postgres\./);
  assert.match(run.stdout, /File db\.js \(javascript\)/);
  assert.match(run.stdout, /Exit code 0\./);
  // Entra authentication, the admin, the role and the Service Connector link; the check is no change.
  assert.match(run.stdout, /^Done: 4 changes made \(run \S+\)\.$/m);

  // The app's system identity, now on the web app, is the object the role is mapped to.
  const site = twin.store.get(RESOURCE_IDS.webApp)!;
  const principalId = (site.identity as { principalId?: string } | undefined)?.principalId;
  assert.ok(principalId, 'the web app has a system identity');
  const roles = await appRoles();
  assert.equal(roles.length, 1, roles.join(', '));
  assert.match(roles[0]!, new RegExp(`^aad_[^:]+:${principalId}$`));
  const role = roles[0]!.split(':')[0]!;
  assert.match(run.stdout, new RegExp(`AZURE_POSTGRESQL_USER=${role}`));
  assert.ok(!(run.stdout + run.stderr + journalText()).includes(PG_PASSWORD_ADMIN.password));
  assertNoTokens(run.stdout, run.stderr);
});

test('a second identical setup after success: exit 0 and not one write request', async () => {
  writes.length = 0;
  const run = await cli(SETUP);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(writes, []);
  assert.match(run.stdout, /already/i);
  // The check after the changes is no change: a run that wrote nothing says nothing was changed.
  assert.match(run.stdout, /^Done: everything was already in place; nothing was changed\.$/m);
  assertNoTokens(run.stdout, run.stderr);
});
