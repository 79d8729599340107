/**
 * The `audit` tool of `sc-doctor mcp` (the built CLI on stdio, driven by the MCP SDK's own client)
 * against the twin's `fleet` scenario: the verdict counts are the scenario's ground truth
 * (test/azure-twin/fleet.ts), the pairs it returns are exactly the first `limit` of the ground truth in
 * the tool's order (fail, unknown, warn, pass; by app, server and database within each), filters narrow
 * them as the CLI's flags do, progress is reported as apps finish, cancelling stops the audit, and
 * nothing is ever written to Azure.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FLEET_SUBSCRIPTIONS, fleetPlan } from '../azure-twin/fleet.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { tempDir } from '../helpers/build.ts';
import { type Connected, connectMcp, type Era } from '../helpers/mcp-client.ts';
import { recordWrites, twinCliEnv } from '../helpers/twin-cli.ts';
import { JWT } from '../setup/postgres-helpers.ts';

const plan = fleetPlan();
const RANK: Record<string, number> = { fail: 0, unknown: 1, warn: 2, pass: 3 };
type PlanPair = (typeof plan.pairs)[number];

let twin: Twin;
let env: Record<string, string>;
let writes: string[];
let requests = 0;
/** Requests a whole audit of the fleet sent (the first test measures it). */
let fullAuditRequests = 0;
const open: Connected[] = [];

before(async () => {
  twin = await startTwin({ scenario: 'fleet' });
  env = twinCliEnv(twin);
  writes = recordWrites(twin);
  const take = twin.faults.take.bind(twin.faults);
  twin.faults.take = (method, path) => {
    requests += 1;
    return take(method, path);
  };
});
after(async () => {
  for (const connected of open) await connected.transport.close().catch(() => {});
  await twin?.close();
});

async function connect(era: Era): Promise<Connected> {
  const connected = await connectMcp({ era, env, cwd: tempDir('sc-doctor-mcp-cwd-') });
  open.push(connected);
  return connected;
}

interface ToolPair {
  app: { id: string };
  database: { serverId: string; name: string | null };
  verdict: string;
  causes: string[];
  checks: { id: string; remediation: unknown }[];
}

const keyOf = (app: string, server: string, database: string | null) =>
  `${app.toLowerCase()}|${server.toLowerCase()}|${(database ?? '').toLowerCase()}`;

/** The ground truth's pairs in the tool's order, as `key verdict:causes` lines. */
function expectedLines(pairs: readonly PlanPair[], limit: number): string[] {
  return [...pairs]
    .sort(
      (a, b) =>
        RANK[a.verdict]! - RANK[b.verdict]! ||
        compare(a.app.toLowerCase(), b.app.toLowerCase()) ||
        compare(a.server.toLowerCase(), b.server.toLowerCase()) ||
        compare(a.database ?? '', b.database ?? ''),
    )
    .slice(0, limit)
    .map((pair) => `${keyOf(pair.app, pair.server, pair.database)} ${pair.verdict}:${pair.causes.join('+')}`);
}

function foundLines(pairs: readonly ToolPair[]): string[] {
  return pairs.map(
    (pair) =>
      `${keyOf(pair.app.id, pair.database.serverId, pair.database.name)} ${pair.verdict}:${pair.causes.join('+')}`,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function verdictCounts(pairs: readonly PlanPair[]): Record<string, number> {
  const counts: Record<string, number> = { fail: 0, unknown: 0, warn: 0, pass: 0 };
  for (const pair of pairs) counts[pair.verdict]! += 1;
  return counts;
}

/** Closes stdin: the server exits by itself, wrote only protocol messages and no token. */
async function closeAndCheck(connected: Connected): Promise<void> {
  await connected.client.close();
  assert.equal(await connected.transport.exited(), 0, connected.transport.stderr);
  assert.deepEqual(connected.transport.protocolProblems(), [], 'stdout carries only JSON-RPC messages');
  const text = connected.transport.everything();
  assert.doesNotMatch(text, JWT, 'a token appeared');
  assert.doesNotMatch(text, /Fleet-[a-z0-9-]+-Pw1/, "a password the apps' settings hold appeared");
}

test('audit --all over MCP: the verdict counts are the ground truth, the pairs its first 1,000 failing first, with progress as apps finish', async () => {
  const connected = await connect('modern');
  const tools = (await connected.client.listTools()).tools;
  const audit = tools.find((tool) => tool.name === 'audit');
  assert.ok(audit, tools.map((tool) => tool.name).join(', '));
  assert.equal(audit.annotations?.readOnlyHint, true);

  const seen: { progress: number; total?: number; message?: string }[] = [];
  const before = requests;
  const result = await connected.client.callTool(
    { name: 'audit', arguments: { all: true, limit: 1000 } },
    { timeout: 170_000, onprogress: (progress) => seen.push(progress) },
  );
  fullAuditRequests = requests - before;
  assert.ok(!result.isError, JSON.stringify(result.content).slice(0, 2000));
  const value = result.structuredContent as {
    schemaVersion: number;
    verdicts: Record<string, number>;
    pairCount: number;
    pairs: ToolPair[];
    truncated: boolean;
    appCount: number;
    apps: { app: { id: string }; status: string }[];
    summary: { pairs: number; apps: { audited: number } };
    exitCode: number;
  };
  assert.equal(value.schemaVersion, 1);
  assert.deepEqual(value.verdicts, verdictCounts(plan.pairs));
  assert.equal(value.pairCount, plan.pairs.length);
  assert.equal(value.summary.pairs, plan.pairs.length);
  assert.equal(value.exitCode, 1);
  assert.equal(value.truncated, plan.pairs.length > 1000);
  assert.deepEqual(foundLines(value.pairs), expectedLines(plan.pairs, 1000));
  // Every failing pair carries its checks and what fixes them.
  for (const pair of value.pairs.filter((p) => p.verdict === 'fail'))
    for (const cause of pair.causes)
      assert.ok(pair.checks.find((check) => check.id === cause)?.remediation, `${pair.app.id} ${cause}`);
  // The apps that make no pair (not determinable, a server elsewhere), not determinable first.
  assert.equal(value.appCount, plan.appEntries.length);
  assert.deepEqual(
    new Map(value.apps.map((entry) => [entry.app.id.toLowerCase(), entry.status])),
    new Map(plan.appEntries.map((entry) => [entry.app.toLowerCase(), entry.status])),
  );
  const summaryText = JSON.stringify(result.content).slice(0, 400);
  const counts = verdictCounts(plan.pairs);
  assert.match(
    summaryText,
    new RegExp(
      `${plan.pairs.length} pairs: ${counts.fail} fail, ${counts.unknown} unknown, ${counts.warn} warn, ${counts.pass} pass`,
    ),
  );

  // Progress: apps done, only ever growing, of the apps found; the last says all of them.
  assert.ok(seen.length >= 3, `${seen.length} progress notifications`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.progress > seen[i - 1]!.progress);
  const last = seen.at(-1)!;
  assert.equal(last.progress, value.summary.apps.audited);
  assert.equal(last.total, value.summary.apps.audited);
  assert.match(last.message ?? '', /^\d+ of \d+ apps, \d+ pairs checked, \d+ failing/);

  assert.deepEqual(writes, []);
  await closeAndCheck(connected);
});

test('filters over MCP (legacy era): two subscriptions, one database kind and a resource group narrow the pairs to exactly the ground truth', async () => {
  const connected = await connect('legacy');
  const [first, second] = [FLEET_SUBSCRIPTIONS[0].subscriptionId, FLEET_SUBSCRIPTIONS[1].subscriptionId];
  const result = await connected.client.callTool(
    {
      name: 'audit',
      arguments: {
        subscriptions: [first, second],
        database: 'mysql',
        resourceGroup: 'rg-fleet-1',
        limit: 1000,
      },
    },
    { timeout: 170_000 },
  );
  assert.ok(!result.isError, JSON.stringify(result.content).slice(0, 2000));
  const value = result.structuredContent as {
    verdicts: Record<string, number>;
    pairCount: number;
    pairs: ToolPair[];
  };
  const wanted = plan.pairs.filter(
    (pair) =>
      /\/resourceGroups\/rg-fleet-1\//i.test(pair.app) &&
      [first, second].some((id) => pair.app.toLowerCase().includes(id)) &&
      /DBforMySQL/i.test(pair.server),
  );
  assert.ok(wanted.length > 10, `${wanted.length} pairs`);
  assert.deepEqual(value.verdicts, verdictCounts(wanted));
  assert.equal(value.pairCount, wanted.length);
  assert.deepEqual(foundLines(value.pairs), expectedLines(wanted, 1000));

  // A cut to a few pairs keeps the ones to act on first.
  const cut = await connected.client.callTool({
    name: 'audit',
    arguments: { subscriptions: [first, second], database: 'mysql', resourceGroup: 'rg-fleet-1', limit: 3 },
  });
  const cutValue = cut.structuredContent as { pairs: ToolPair[]; truncated: boolean; pairCount: number };
  assert.equal(cutValue.truncated, true);
  assert.equal(cutValue.pairCount, wanted.length);
  assert.deepEqual(foundLines(cutValue.pairs), expectedLines(wanted, 3));

  // A scope the CLI refuses is refused in its words, and nothing runs.
  const refused = await connected.client.callTool({
    name: 'audit',
    arguments: { all: true, subscriptions: [first] },
  });
  assert.equal(refused.isError, true);
  assert.match(JSON.stringify(refused.content), /Pick one scope/);
  assert.deepEqual(writes, []);
  await closeAndCheck(connected);
});

test('cancelling the audit stops it: the call ends, Azure is asked nothing more, and the server goes on answering', async () => {
  assert.ok(fullAuditRequests > 1000, `a whole audit sent ${fullAuditRequests} requests`);
  const connected = await connect('modern');
  const cancel = new AbortController();
  const before = requests;
  let total = 0;
  const call = connected.client.callTool(
    { name: 'audit', arguments: { all: true } },
    {
      signal: cancel.signal,
      timeout: 170_000,
      onprogress: (progress) => {
        total = progress.total ?? total;
        // A tenth of the way: the person clicks Stop.
        if (total > 0 && progress.progress >= total / 10) cancel.abort('the person clicked Stop');
      },
    },
  );
  await assert.rejects(call);
  // The requests already in flight finish; then the server is quiet.
  let last = -1;
  for (let i = 0; i < 100 && requests !== last; i++) {
    last = requests;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.equal(requests, last, 'the server stopped asking Azure');
  const sent = requests - before;
  assert.ok(
    sent < fullAuditRequests / 2,
    `${sent} requests after a cancel, ${fullAuditRequests} for a whole audit`,
  );
  const runs = await connected.client.callTool({ name: 'runs', arguments: {} });
  assert.ok(!runs.isError);
  assert.deepEqual(writes, []);
  await closeAndCheck(connected);
});
