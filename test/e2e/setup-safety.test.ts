/**
 * Setup and undo as they ship (the built CLI) when raced, fed a bad file or given an unsafe home,
 * against the twin (scenario entra-off) and its real PostgreSQL:
 * - two machines (two HOMEs, so no shared lock) set up the same server at once: the second run's
 *   Entra-auth write is refused (409, the server is busy with the first's), and its rollback must not
 *   "undo" it and turn Entra authentication off under the first;
 * - damaged journals are listed by `undo --list`, refused by `undo` (exit 2) and never stop a setup;
 * - a hand-edited journal cannot make `undo` delete a firewall rule the run never created;
 * - `~/.sc-doctor` owned by someone else is refused with the fix; a live lock names its file.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Journal } from '../../source/engine/journal.ts';
import { processStartOf } from '../../source/engine/process-identity.ts';
import { lockFileFor } from '../../source/engine/run-lock.ts';
import { PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, type CliRun, tempDir } from '../helpers/build.ts';
import { stateOf } from '../setup/postgres-helpers.ts';

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
const SERVER = RESOURCE_IDS.postgres;

let twin: Twin;
let baseEnv: Record<string, string>;

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
  const server = twin.store.get(SERVER)!;
  const fqdn = (server.properties as { fullyQualifiedDomainName: string }).fullyQualifiedDomainName;
  const { postgres } = twin.databaseEndpoints;
  baseEnv = {
    SC_DOCTOR_CONNECT_TO: `${fqdn}:5432=${postgres!.host}:${postgres!.port}`,
    SC_DOCTOR_PUBLIC_IP: '127.0.0.1',
    // pgadmin owns the database: with its password every grant is given here, nothing handed off.
    SC_DOCTOR_PG_OWNER_PASSWORD: PG_PASSWORD_ADMIN.password,
  };
  const twinEnv = twin.env();
  for (const key of ['PATH', 'AZ_TWIN_URL', 'AZ_TWIN_KEY', 'AZ_TWIN_CA', 'NODE_EXTRA_CA_CERTS']) {
    if (twinEnv[key]) baseEnv[key] = twinEnv[key] as string;
  }
});

after(async () => {
  await twin?.close();
});

/** A machine of its own: a HOME (and so a journal and locks) nobody else shares. */
function machine(): { home: string; env: Record<string, string> } {
  const home = tempDir('sc-doctor-machine-');
  return { home, env: { ...baseEnv, HOME: home, AZURE_CONFIG_DIR: join(home, '.azure') } };
}

function cli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  return startCli(env, args).run;
}

/** The built CLI in the machine's home (where anything it writes to its folder lands). */
function startCli(
  env: Record<string, string>,
  args: string[],
): { child: ChildProcess; run: Promise<CliRun> } {
  const child = spawn(process.execPath, [builtCli().cli, ...args], {
    cwd: env.HOME,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    timeout: 180_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const run = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, run };
}

const serverWriteInFlight = () =>
  twin
    .state()
    .operations.some(
      (op) => op.status === 'InProgress' && op.resourceId.toLowerCase() === SERVER.toLowerCase(),
    );
const anyInFlight = () => twin.state().operations.some((op) => op.status === 'InProgress');

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

const entraAuth = () =>
  (twin.store.get(SERVER)!.properties as { authConfig?: { activeDirectoryAuth?: string } }).authConfig
    ?.activeDirectoryAuth;

/** The twin back to scenario entra-off for the next test: every change the race made undone. */
async function undoEverything(...homes: { env: Record<string, string> }[]): Promise<void> {
  for (const { env } of homes) {
    const list = await cli(env, ['undo', '--list', '--json']);
    for (const run of JSON.parse(list.stdout).runs as { runId: string; status: string }[]) {
      if (run.status === 'succeeded') await cli(env, ['undo', run.runId, '--plain']);
    }
  }
}

test('two machines set up one server at once: the refused run undoes nothing of the other run', async () => {
  const a = machine();
  const b = machine();
  assert.equal(entraAuth(), 'Disabled');
  // Long enough for B's whole doctor and plan to run while A's Entra-auth write is in flight.
  twin.faults.lroDelayMs = 10_000;
  let first: CliRun;
  let second: CliRun;
  try {
    const runA = startCli(a.env, SETUP);
    await until(serverWriteInFlight, "A's Entra-auth write to reach Azure", 120_000);
    second = await cli(b.env, SETUP);
    // B is over: A's later writes need not be slow.
    twin.faults.lroDelayMs = 0;
    first = await runA.run;
  } finally {
    twin.faults.lroDelayMs = 0;
  }
  // B's write was refused: the server was busy with A's.
  assert.equal(second.code, 1, second.stdout + second.stderr);
  assert.match(second.stdout, /Failed at Entra authentication on pg-orders: .*409 ServerIsBusy/);
  assert.doesNotMatch(second.stdout, /↺ \d+ +Entra authentication on pg-orders +undone/, second.stdout);
  // A was not disturbed: it finished, and Entra authentication is on as it left it.
  assert.equal(first.code, 0, first.stdout + first.stderr);
  await until(() => !anyInFlight(), 'every operation to end');
  assert.equal(entraAuth(), 'Enabled', 'B turned Entra authentication off under A');
  // B's journal has nothing left to undo for the refused write.
  const list = JSON.parse((await cli(b.env, ['undo', '--list', '--json'])).stdout);
  assert.deepEqual(
    list.runs.map((r: { status: string; changesInPlace: number }) => [r.status, r.changesInPlace]),
    [['rolled-back', 0]],
  );
  await undoEverything(a);
  assert.equal(entraAuth(), 'Disabled');
});

/** Writes a journal as a run of this version would have, for the given steps. */
async function craftRun(
  home: string,
  runId: string,
  steps: { id: string; title: string; resource?: string; preview?: string[]; record: object | null }[],
): Promise<string> {
  const journal = new Journal({ home });
  const writer = await journal.create({
    runId,
    target: SERVER,
    database: 'postgres',
    steps: steps.map((s) => ({
      id: s.id,
      title: s.title,
      resource: s.resource ?? SERVER,
      after: [],
      lines: s.preview ?? [],
      consent: null,
    })),
    notDone: [],
  });
  let order = 0;
  for (const step of steps) {
    await writer.updateStep(step.id, (s) => {
      s.state = 'applied';
      s.record = step.record as never;
      s.appliedOrder = ++order;
    });
  }
  await writer.update((doc) => {
    doc.status = 'succeeded';
  });
  return journal.fileOf(runId);
}

test('damaged journals are listed with their path and what to do, refused by undo (exit 2), and never stop a setup', async () => {
  const { home, env } = machine();
  const good = '20260102-000001';
  const goodFile = await craftRun(home, good, [
    { id: 'verify', title: 'Check the database user of orders-api', record: {} },
  ]);
  const text = readFileSync(goodFile, 'utf8');
  const damaged = {
    '20260103-000001': text.replaceAll(good, '20260103-000001').slice(0, 300),
    '20260103-000002': JSON.stringify({
      ...JSON.parse(text.replaceAll(good, '20260103-000002')),
      steps: null,
    }),
    '20260103-000003': text.replaceAll(good, '20260103-000003').replace('"version": 1', '"version": 7'),
  };
  const runs = join(home, '.sc-doctor', 'runs');
  for (const [runId, content] of Object.entries(damaged))
    await writeFile(join(runs, `${runId}.json`), content);

  const list = await cli(env, ['undo', '--list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${good} .* pg-orders +succeeded$`, 'm'));
  assert.match(list.stdout, /^Unreadable journals \(3\): never undone, and they do not stop other runs\.$/m);
  for (const runId of Object.keys(damaged))
    assert.ok(list.stdout.includes(`${runId}  ${join(runs, runId)}.json`));
  assert.match(list.stdout, /is not complete JSON \(cut short, or edited by hand\)\./);
  assert.match(list.stdout, /journal\.steps must be a list/);
  assert.match(
    list.stdout,
    /was written by a newer sc-doctor \(journal version 7; this one reads version 1\)/,
  );
  assert.match(list.stdout, /Fix: .*mv \S+20260103-000001\.json \S+20260103-000001\.json\.unreadable/);
  assert.doesNotMatch(list.stderr + list.stdout, /internal error/);

  const json = JSON.parse((await cli(env, ['undo', '--list', '--json'])).stdout);
  assert.deepEqual(
    json.unreadable.map((u: { runId: string; path: string }) => [u.runId, u.path]),
    Object.keys(damaged).map((runId) => [runId, join(runs, `${runId}.json`)]),
  );

  const one = await cli(env, ['undo', '20260103-000002']);
  assert.equal(one.code, 2, one.stdout + one.stderr);
  assert.match(one.stderr, /the journal of run 20260103-000002 \(\S+\) is not shaped as sc-doctor writes it/);
  assert.match(one.stderr, /nothing was undone/);
  assert.match(one.stderr, /^Fix: /m);

  const latest = await cli(env, ['undo']);
  assert.equal(latest.code, 2, latest.stdout + latest.stderr);
  assert.match(
    latest.stderr,
    /the newest journal \(run 20260103-000003, \S+\) was written by a newer sc-doctor/,
  );
  assert.match(latest.stderr, new RegExp(`To undo the latest readable run instead: sc-doctor undo ${good}`));

  const setup = await cli(env, [...SETUP.filter((arg) => arg !== '--yes'), '--dry-run']);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  assert.match(setup.stdout, /Dry run: nothing was changed/);
  assert.doesNotMatch(setup.stderr + setup.stdout, /internal error/);
});

test('a hand-edited journal cannot make undo delete a firewall rule the run never created', async () => {
  const { home, env } = machine();
  const rules = () =>
    twin
      .state()
      .resources.filter((r) => /\/firewallRules\//i.test(String(r.id)) && String(r.id).startsWith(SERVER))
      .map((r) => String(r.name))
      .sort();
  assert.ok(rules().includes('dana-laptop'));
  const runId = '20260104-000001';
  const firewall = {
    id: 'firewall-temp',
    title: 'Temporary firewall rule on pg-orders',
    record: { server: SERVER, serverName: 'pg-orders', rule: 'dana-laptop', ip: '127.0.0.1' },
  };
  const file = await craftRun(home, runId, [firewall]);
  const edited = await cli(env, ['undo', runId, '--plain']);
  assert.equal(edited.code, 2, edited.stdout + edited.stderr);
  assert.match(edited.stderr, /holds a record for step firewall-temp that sc-doctor did not write/);
  assert.match(edited.stderr, new RegExp(`record\\.rule must be sc-doctor-${runId}`));
  assert.ok(rules().includes('dana-laptop'), 'the rule the run never created is still there');

  // The rule the run did create (named for it, for its address) is removed by the same undo.
  const own = `sc-doctor-${runId}`;
  twin.store.put({
    id: `${SERVER}/firewallRules/${own}`,
    name: own,
    type: 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules',
    properties: { startIpAddress: '127.0.0.1', endIpAddress: '127.0.0.1' },
  });
  const document = JSON.parse(readFileSync(file, 'utf8'));
  document.steps[0].record.rule = own;
  await writeFile(file, JSON.stringify(document));
  const undo = await cli(env, ['undo', runId, '--plain']);
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  assert.deepEqual(
    rules().filter((name) => name.startsWith('sc-doctor-') || name === 'dana-laptop'),
    ['dana-laptop'],
  );
});

test('~/.sc-doctor owned by someone else stops setup and undo with the fix; a live lock names its file', async () => {
  const { home, env } = machine();
  const root = join(home, '.sc-doctor');
  await mkdir(root, { mode: 0o700 });
  await chown(root, 4321, 4321);
  for (const args of [
    ['undo', '--list'],
    [...SETUP.filter((arg) => arg !== '--yes'), '--dry-run'],
  ]) {
    const run = await cli(env, args);
    assert.equal(run.code, 2, `${args[0]}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${root} is owned by another user \\(uid 4321; you are uid \\d+\\)`));
    assert.match(run.stderr, new RegExp(`Fix: make it yours \\(sudo chown -R \\d+ ${root}\\)`));
    assert.doesNotMatch(run.stderr, /internal error/);
  }

  // A run of this machine holds the server (this test's process plays it): undo of another run waits.
  const other = machine();
  const runId = '20260105-000001';
  await craftRun(other.home, runId, [{ id: 'verify', title: 'Check', record: {} }]);
  const lock = lockFileFor(join(other.home, '.sc-doctor', 'locks'), SERVER);
  await writeFile(
    lock,
    JSON.stringify({
      pid: process.pid,
      started: processStartOf(process.pid),
      runId: '20260105-000002',
      target: SERVER,
      since: new Date().toISOString(),
    }),
  );
  const refused = await cli(other.env, ['undo', runId, '--plain']);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /another sc-doctor run \(20260105-000002, process \d+/);
  assert.ok(refused.stderr.includes(`The lock is ${lock}`), refused.stderr);

  // The same pid, but the lock says it started at another time: the pid was reused, the lock is stale.
  await writeFile(lock, JSON.stringify({ ...JSON.parse(readFileSync(lock, 'utf8')), started: '1' }));
  const taken = await cli(other.env, ['undo', runId, '--plain']);
  assert.equal(taken.code, 0, taken.stdout + taken.stderr);
});

test('undo right after a run was killed mid-write waits for the write to land, then undoes it', async () => {
  const { env } = machine();
  const stateBefore = stateOf(twin);
  const adminWriteInFlight = () =>
    twin
      .state()
      .operations.some((op) => op.status === 'InProgress' && /\/administrators\//i.test(op.resourceId));
  twin.faults.lroDelayMs = 3000;
  try {
    const { child, run } = startCli(env, SETUP);
    await until(adminWriteInFlight, 'the Entra-admin write to reach Azure', 120_000);
    await delay(1000);
    child.kill('SIGKILL');
    await run;
    assert.ok(adminWriteInFlight(), 'the write is still in flight when undo starts');
    // At once, while Azure still adds the admin: undo must not call it gone before it landed.
    const undo = await cli(env, ['undo', '--plain']);
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.match(undo.stdout, /Entra admin +undone/, undo.stdout);
    assert.match(undo.stdout, /is undone: nothing it changed is left/);
  } finally {
    twin.faults.lroDelayMs = 0;
  }
  await until(() => !anyInFlight(), 'every operation to end');
  assert.deepEqual(stateOf(twin), stateBefore);
});
