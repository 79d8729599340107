/**
 * `sc-doctor mcp` as an agent's host runs it: the built CLI on stdio, driven by the MCP SDK's own
 * client in both protocol eras, against the local Azure twin (scenario entra-off: PostgreSQL with
 * Entra authentication off and no admin) and its real PostgreSQL. The tests run in order on one twin,
 * and every refusal leaves Azure and PostgreSQL as they were. After every connection: stdout held
 * only JSON-RPC messages, the server exited by itself when stdin closed, and no password, secret or
 * token the twin issued appeared in anything the server wrote.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { commandLine } from '../../source/core/command-line.ts';
import { IDS, PG_PASSWORD_ADMIN, startTwin, type Twin } from '../azure-twin/index.ts';
import { writeSourceSettings } from '../azure-twin/providers/source-apps.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { builtCli, runProgram, tempDir } from '../helpers/build.ts';
import {
  accepts,
  type Connected,
  connectMcp,
  declines,
  type Era,
  type Person,
} from '../helpers/mcp-client.ts';
import { recordWrites, twinCliEnv } from '../helpers/twin-cli.ts';
import { JWT, rolesOf, stateOf } from '../setup/postgres-helpers.ts';

const TARGET = {
  resourceGroup: 'rg-orders',
  app: 'orders-api',
  target: 'webapp',
  server: 'pg-orders',
  database: 'orders',
};
const PLAN = { kind: 'postgres', ...TARGET, auth: 'system-identity', clientType: 'nodejs' };
/** `sc-doctor setup` as a person types the same plan. */
const SETUP_WORDS = [
  'setup',
  'postgres',
  '--resource-group',
  'rg-orders',
  '--app',
  'orders-api',
  '--target',
  'webapp',
  '--server',
  'pg-orders',
  '--database',
  'orders',
  '--system-identity',
  '--client-type',
  'nodejs',
];
const APP_SECRET = 'Twin-App-Secret-7f3c1d';
const READ_TOOLS = ['doctor', 'plan', 'runs', 'snippet', 'audit'];
const ALL_TOOLS = ['doctor', 'plan', 'apply', 'undo', 'runs', 'snippet', 'audit'];

let twin: Twin;
let home: string;
let env: Record<string, string>;
let writes: string[] = [];
const open: Connected[] = [];

before(async () => {
  builtCli();
  twin = await startTwin({ scenario: 'entra-off', databases: ['postgres'] });
  home = tempDir('sc-doctor-mcp-home-');
  // The owner's password and an app secret come only from the server's environment (docs/mcp.md);
  // neither may appear in anything the server writes.
  env = twinCliEnv(twin, { home, databaseOwnerPassword: PG_PASSWORD_ADMIN.password, appSecret: APP_SECRET });
  writes = recordWrites(twin);
});

after(async () => {
  for (const connected of open) await connected.transport.close().catch(() => {});
  await twin?.close();
});

async function connect(era: Era, options: { write?: boolean; person?: Person } = {}) {
  const connected = await connectMcp({
    era,
    env,
    args: options.write ? ['--allow-write'] : [],
    person: options.person,
    cwd: tempDir('sc-doctor-mcp-cwd-'),
  });
  open.push(connected);
  return connected;
}

/** Everything the journal holds, as text. */
function journalText(): string {
  const dir = join(home, '.sc-doctor', 'runs');
  try {
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * Closes stdin and checks what the server did: it exited by itself (code 0), its stdout held only
 * protocol messages, and no secret or token is in anything it wrote or journalled.
 */
async function closeAndCheck(connected: Connected): Promise<void> {
  await connected.client.close();
  const code = await connected.transport.exited();
  assert.equal(code, 0, connected.transport.stderr);
  assert.deepEqual(connected.transport.protocolProblems(), [], 'stdout carries only JSON-RPC messages');
  const text = connected.transport.everything() + journalText();
  assert.ok(!text.includes(PG_PASSWORD_ADMIN.password), "the owner's password appeared");
  assert.ok(!text.includes(APP_SECRET), "the app's secret appeared");
  assert.doesNotMatch(text, JWT, 'a token appeared');
  for (const audience of ['arm', 'graph', 'ossrdbms']) {
    const token = twin.tokens.issue(IDS.dana, audience);
    assert.ok(!text.includes(token.split('.')[2]!), 'a token signature appeared');
  }
}

function textOf(result: { content?: unknown }): string {
  return ((result.content ?? []) as { type: string; text?: string }[])
    .map((block) => block.text ?? '')
    .join('\n');
}

async function plan(
  connected: Connected,
): Promise<{ handle: string; steps: any[]; consentItems: any[]; title: string }> {
  const result = await connected.client.callTool({ name: 'plan', arguments: PLAN });
  assert.ok(!result.isError, textOf(result));
  return result.structuredContent as never;
}

test('tools/list in both eras: read-only by default, apply and undo only with --allow-write, each with its schemas and annotations', async () => {
  for (const era of ['legacy', 'modern'] as const) {
    const readOnly = await connect(era);
    assert.equal(readOnly.client.getProtocolEra(), era);
    const listed = (await readOnly.client.listTools()).tools;
    assert.deepEqual(
      listed.map((tool) => tool.name),
      READ_TOOLS,
    );
    for (const tool of listed) {
      assert.ok(tool.title, `${tool.name} has a title`);
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
      assert.equal(tool.annotations?.readOnlyHint, true, `${tool.name} is read-only`);
    }
    await closeAndCheck(readOnly);

    const writable = await connect(era, { write: true });
    const tools = (await writable.client.listTools()).tools;
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ALL_TOOLS,
    );
    for (const name of ['apply', 'undo']) {
      const tool = tools.find((t) => t.name === name)!;
      assert.equal(tool.annotations?.readOnlyHint, false);
      assert.equal(tool.annotations?.destructiveHint, true);
    }
    assert.deepEqual(tools.find((t) => t.name === 'apply')!.inputSchema.required, ['handle']);
    // Names and ids only: no argument of any tool takes a query.
    for (const tool of tools)
      for (const property of Object.keys((tool.inputSchema.properties ?? {}) as object))
        assert.doesNotMatch(
          property,
          /query|^sql$|kql|statement|password|secret|token/i,
          `${tool.name}.${property}`,
        );
    await closeAndCheck(writable);
  }
});

test('doctor: the structured result is `sc-doctor doctor --json`’s document', async () => {
  const connected = await connect('modern');
  const result = await connected.client.callTool({ name: 'doctor', arguments: TARGET });
  assert.ok(!result.isError, textOf(result));
  const args = Object.entries(TARGET).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    value,
  ]);
  const cli = await runProgram(process.execPath, [builtCli().cli, 'doctor', ...args, '--json'], env, 120_000);
  const timeless = (document: any) => ({
    ...document,
    doctor: {
      ...document.doctor,
      checks: document.doctor.checks.map((check: any) => ({ ...check, durationMs: 0 })),
    },
  });
  assert.deepEqual(timeless(result.structuredContent), timeless(JSON.parse(cli.stdout)));
  assert.equal((result.structuredContent as any).command, 'doctor');
  await closeAndCheck(connected);
});

test('doctor: app settings cross the protocol by name only, while the CLI shows their values', async () => {
  // Settings from an older connection, none of them secret: the CLI's doctor quotes them.
  const stale = [
    { name: 'AZURE_POSTGRESQL_HOST', value: 'pg-legacy-7q.postgres.database.azure.com' },
    { name: 'AZURE_POSTGRESQL_DATABASE', value: 'orders_archive_7q' },
    { name: 'AZURE_POSTGRESQL_USER', value: 'legacy-reader-7q' },
  ];
  const values = stale.map((setting) => setting.value);
  writeSourceSettings(twin.store, RESOURCE_IDS.webApp, { store: 'appSettings' }, stale);
  try {
    const args = Object.entries(TARGET).flatMap(([key, value]) => [
      `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      value,
    ]);
    const cli = await runProgram(
      process.execPath,
      [builtCli().cli, 'doctor', ...args, '--json'],
      env,
      120_000,
    );
    assert.ok(cli.stdout, cli.stderr);
    const cliCheck = JSON.parse(cli.stdout).doctor.checks.find((check: any) => check.id === 'app-settings');
    assert.ok(
      values.every((value) => JSON.stringify(cliCheck).includes(value)),
      `the CLI shows the values: ${JSON.stringify(cliCheck)}`,
    );

    const connected = await connect('legacy');
    const result = await connected.client.callTool({ name: 'doctor', arguments: TARGET });
    assert.ok(!result.isError, textOf(result));
    const check = (result.structuredContent as any).doctor.checks.find((c: any) => c.id === 'app-settings');
    assert.equal(check.status, 'fail', JSON.stringify(check));
    assert.match(check.message, /AZURE_POSTGRESQL_HOST does not name pg-orders's host/);
    assert.match(check.message, /AZURE_POSTGRESQL_DATABASE does not name the database orders/);
    assert.ok(
      check.details.some((line: string) => line.includes('AZURE_POSTGRESQL_USER')),
      JSON.stringify(check.details),
    );
    // The plan changes these settings: its consent names them, and only them.
    const planned = await plan(connected);
    const consent = JSON.stringify(planned.consentItems);
    assert.match(consent, /AZURE_POSTGRESQL_HOST/);
    // Nothing the server wrote on stdout (results, progress, errors) carries a setting's value.
    const wire = connected.transport.lines.join('\n');
    for (const value of values) assert.ok(!wire.includes(value), `${value} crossed the protocol`);
    await closeAndCheck(connected);
  } finally {
    writeSourceSettings(
      twin.store,
      RESOURCE_IDS.webApp,
      { store: 'appSettings' },
      [],
      stale.map((setting) => setting.name),
    );
  }
});

test('a read-only server plans but has no apply: a call to it is an error and nothing is written', async () => {
  writes.length = 0;
  const connected = await connect('legacy');
  const planned = await plan(connected);
  assert.ok(planned.steps.some((step) => step.id === 'entra-auth'));
  const refused = await connected.client
    .callTool({ name: 'apply', arguments: { handle: planned.handle } })
    .then(
      (result) => textOf(result),
      (error: Error) => error.message,
    );
  assert.match(refused, /apply/);
  assert.deepEqual(writes, []);
  await closeAndCheck(connected);
});

test('a client that cannot elicit: apply is refused with the terminal command for the same plan; nothing written', async () => {
  writes.length = 0;
  for (const era of ['legacy', 'modern'] as const) {
    const connected = await connect(era, { write: true });
    const planned = await plan(connected);
    const result = await connected.client.callTool({ name: 'apply', arguments: { handle: planned.handle } });
    assert.equal(result.isError, true);
    const text = textOf(result);
    assert.match(text, /cannot ask the person for consent/);
    assert.ok(text.includes(commandLine(['sc-doctor', ...SETUP_WORDS])), text);
    const undo = await connected.client.callTool({ name: 'undo', arguments: {} });
    assert.equal(undo.isError, true);
    await closeAndCheck(connected);
  }
  assert.deepEqual(writes, []);
});

test('consent declined: the person saw every step and ⚠ item, said no, and nothing was written', async () => {
  writes.length = 0;
  const stateBefore = stateOf(twin);
  for (const era of ['legacy', 'modern'] as const) {
    const connected = await connect(era, { write: true, person: declines });
    const planned = await plan(connected);
    const result = await connected.client.callTool({ name: 'apply', arguments: { handle: planned.handle } });
    assert.equal(result.isError, true, textOf(result));
    assert.match(textOf(result), /declined/);
    assert.equal(connected.asked.length, 1);
    const [question] = connected.asked;
    assert.ok(question!.includes(planned.title), question);
    for (const step of planned.steps)
      assert.ok(question!.includes(step.title), `${step.title} in ${question}`);
    for (const item of planned.consentItems)
      assert.ok(question!.includes(`⚠ ${item.title}: ${item.reason}`), question);
    await closeAndCheck(connected);
  }
  assert.deepEqual(writes, []);
  assert.deepEqual(stateOf(twin), stateBefore);
});

test('a plan whose world changed before apply is refused before the person is asked, and nothing is written', async () => {
  const connected = await connect('modern', { write: true, person: accepts });
  const planned = await plan(connected);
  const server = structuredClone(twin.store.get(RESOURCE_IDS.postgres)!);
  // Someone turns Entra authentication on in the portal between the plan and the apply.
  const changed = structuredClone(server);
  (changed.properties as any).authConfig = {
    ...(changed.properties as any).authConfig,
    activeDirectoryAuth: 'Enabled',
  };
  twin.store.put(changed);
  writes.length = 0;
  try {
    const result = await connected.client.callTool({ name: 'apply', arguments: { handle: planned.handle } });
    assert.equal(result.isError, true, textOf(result));
    assert.match(textOf(result), /world changed since the plan/);
    assert.deepEqual(connected.asked, [], 'nobody was asked to consent to a stale plan');
    assert.deepEqual(writes, []);
  } finally {
    twin.store.put(server);
  }
  await closeAndCheck(connected);
});

test('a handle that was edited, or made by another server process, is refused', async () => {
  const first = await connect('legacy', { write: true, person: accepts });
  const planned = await plan(first);
  const [body, mac] = planned.handle.split('.');
  const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
  claims.args.server = 'pg-elsewhere';
  const edited = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
  const tampered = await first.client.callTool({ name: 'apply', arguments: { handle: edited } });
  assert.equal(tampered.isError, true);
  assert.match(textOf(tampered), /refused/);
  await closeAndCheck(first);
  const second = await connect('legacy', { write: true, person: accepts });
  const foreign = await second.client.callTool({ name: 'apply', arguments: { handle: planned.handle } });
  assert.equal(foreign.isError, true);
  assert.match(textOf(foreign), /not made by this server/);
  assert.deepEqual(second.asked, []);
  await closeAndCheck(second);
});

test('cancelling apply mid-run rolls back as Ctrl-C does: journalled as cancelled, the twin and PostgreSQL as before', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const connected = await connect('modern', { write: true, person: accepts });
  const planned = await plan(connected);
  twin.faults.lroDelayMs = 1500;
  let runId: string | undefined;
  try {
    const cancel = new AbortController();
    const call = connected.client.callTool(
      { name: 'apply', arguments: { handle: planned.handle } },
      {
        signal: cancel.signal,
        timeout: 170_000,
        onprogress: (progress) => {
          runId ??= /\(run ([^)]+)\)/.exec(progress.message ?? '')?.[1];
        },
      },
    );
    // Cancel while Azure works on a write (Entra authentication, a long operation).
    for (let i = 0; i < 1500 && !twin.state().operations.some((op) => op.status === 'InProgress'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(runId, 'progress named the run');
    cancel.abort('the person clicked Stop');
    await assert.rejects(call);
    // The rollback goes on in the server; the journal says when it is done.
    let status = '';
    for (let i = 0; i < 600 && !['cancelled', 'rolled-back', 'rollback-incomplete'].includes(status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const runs = await connected.client.callTool({ name: 'runs', arguments: {} });
      status = (runs.structuredContent as any).runs.find((run: any) => run.runId === runId)?.status ?? '';
    }
    assert.equal(status, 'cancelled');
  } finally {
    twin.faults.lroDelayMs = 0;
  }
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
  await closeAndCheck(connected);
});

test('the client goes away mid-apply (stdin closes): the server undoes what it applied, journals it, then exits', async () => {
  const stateBefore = stateOf(twin);
  const rolesBefore = await rolesOf(twin);
  const connected = await connect('legacy', { write: true, person: accepts });
  const planned = await plan(connected);
  twin.faults.lroDelayMs = 1500;
  try {
    const call = connected.client
      .callTool({ name: 'apply', arguments: { handle: planned.handle } }, { timeout: 170_000 })
      .catch(() => undefined);
    for (let i = 0; i < 1500 && !twin.state().operations.some((op) => op.status === 'InProgress'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(
      twin.state().operations.some((op) => op.status === 'InProgress'),
      'a write reached Azure',
    );
    connected.transport.child!.stdin!.end();
    assert.equal(await connected.transport.exited(), 0, connected.transport.stderr);
    await call;
  } finally {
    twin.faults.lroDelayMs = 0;
  }
  // By the time the process has exited, the rollback is done and journalled.
  const list = await runProgram(process.execPath, [builtCli().cli, 'undo', '--list', '--json'], env, 60_000);
  const last = JSON.parse(list.stdout).runs.at(-1);
  assert.equal(last.status, 'cancelled', list.stdout);
  assert.equal(last.changesInPlace, 0);
  assert.deepEqual(stateOf(twin), stateBefore);
  assert.deepEqual(await rolesOf(twin), rolesBefore);
  assert.deepEqual(connected.transport.protocolProblems(), []);
});

for (const era of ['modern', 'legacy'] as const) {
  test(`an agent session (${era} era): diagnose, plan, consent, apply, read the code, undo; the world is back as it was`, async () => {
    const stateBefore = stateOf(twin);
    const rolesBefore = await rolesOf(twin);
    const connected = await connect(era, { write: true, person: accepts });
    const { client } = connected;

    const doctor = await client.callTool({ name: 'doctor', arguments: TARGET });
    assert.ok(!doctor.isError, textOf(doctor));
    const checks = (doctor.structuredContent as any).doctor.checks as { id: string; status: string }[];
    assert.ok(
      checks.some((check) => check.id === 'entra-config' && check.status !== 'pass'),
      'the doctor sees Entra off',
    );

    const planned = await plan(connected);
    assert.match(planned.title, /orders-api → pg-orders\/orders/);

    writes.length = 0;
    const applied = await client.callTool(
      { name: 'apply', arguments: { handle: planned.handle } },
      // An onprogress handler makes the client ask for progress; what arrives is read off the wire below.
      { timeout: 170_000, onprogress: () => {} },
    );
    assert.ok(!applied.isError, textOf(applied));
    const run = applied.structuredContent as any;
    assert.equal(run.status, 'succeeded', textOf(applied));
    assert.equal(run.exitCode, 0);
    assert.equal(connected.asked.length, 1, 'asked once');
    assert.ok(writes.length > 0, 'apply wrote to Azure');
    // What the server wrote, in order: a progress message for every step it applied, every one of
    // them before the result (the client's own onprogress may miss the last one: see callOnWire).
    const wire = connected.transport.callOnWire(connected.transport.lastCallOf('apply'));
    assert.ok(wire.response >= 0, 'the result is on the wire');
    const sent = wire.progress.map((update) => update.message);
    for (const step of run.steps.filter((s: any) => s.outcome === 'applied'))
      assert.ok(
        sent.some((line) => line.startsWith(`${step.title}: done`)),
        `progress for ${step.title}: ${sent.join(' | ')}`,
      );
    assert.deepEqual(
      wire.progress.filter((update) => update.line > wire.response).map((update) => update.message),
      [],
      'progress written after the result',
    );
    assert.equal((await rolesOf(twin)).filter((role) => role.startsWith('aad_')).length, 1);

    // The handle is spent.
    const again = await client.callTool({ name: 'apply', arguments: { handle: planned.handle } });
    assert.equal(again.isError, true);
    assert.match(textOf(again), /applied already/);

    const runs = await client.callTool({ name: 'runs', arguments: {} });
    assert.equal(
      (runs.structuredContent as any).runs.find((r: any) => r.runId === run.runId)?.status,
      'succeeded',
    );

    const code = await client.callTool({ name: 'snippet', arguments: { runId: run.runId } });
    assert.ok(!code.isError, textOf(code));
    const snippet = code.structuredContent as any;
    assert.equal(snippet.clientType, 'nodejs');
    const settings = Object.fromEntries(
      snippet.settings.map((s: any) => [s.name, s.value ?? `<${s.secretRef}>`]),
    );
    assert.match(settings.AZURE_POSTGRESQL_HOST, /^pg-orders\.postgres\./);
    assert.match(settings.AZURE_POSTGRESQL_USER, /^aad_/);
    assert.ok(snippet.files.some((file: any) => file.path === 'db.js'));

    const undone = await client.callTool(
      { name: 'undo', arguments: { runId: run.runId } },
      { timeout: 170_000 },
    );
    assert.ok(!undone.isError, textOf(undone));
    assert.equal((undone.structuredContent as any).status, 'undone');
    assert.equal(connected.asked.length, 2, 'undo asked too');
    assert.match(connected.asked[1]!, new RegExp(`undo run ${run.runId}`));
    assert.deepEqual(stateOf(twin), stateBefore);
    assert.deepEqual(await rolesOf(twin), rolesBefore);
    await closeAndCheck(connected);
  });
}
