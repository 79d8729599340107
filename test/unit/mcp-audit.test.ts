/**
 * The `audit` tool behind its seam (source/mcp/audit-seam.ts): listed by default, given the request as
 * `sc-doctor audit`'s flags (never a query) and validated by the CLI's own audit options before
 * anything runs, answering with the verdict counts and the worst pairs cut to `limit`, with progress
 * and cancellation. Here a stand-in audit is injected through `McpDeps` (the real one drives the twin
 * in test/e2e/mcp-audit-fleet.test.ts), and the SDK's own client talks to the server in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { cliGrammar } from '../../source/cli/command-grammar.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { AuditDocument, AuditRequest, AuditRunner } from '../../source/mcp/audit-seam.ts';
import { auditWords, loadAuditRunner } from '../../source/mcp/audit-seam.ts';
import { createMcpContext, type McpDeps } from '../../source/mcp/context.ts';
import { createMcpServer } from '../../source/mcp/server.ts';
import { tempDir } from '../helpers/build.ts';

let servicesMade = 0;
/** Services that reach no Azure: a stand-in needs none, and the real audit must not get this far. */
const noAzure: McpDeps = {
  createServices: async () => {
    servicesMade += 1;
    return { azure: { dispose() {} } } as never;
  },
  loadChecks: async () => [],
  grammar: cliGrammar,
};

async function connected(
  deps: McpDeps,
  env: Record<string, string> = {},
  options: { subscription?: string } = {},
) {
  const context = createMcpContext({
    settings: { allowWrite: false, applyWithoutConsent: false },
    options: { verbose: false, target: NO_TARGET, cloud: 'AzureCloud', ...options },
    serverWords: [],
    env,
    deps: { ...deps, home: tempDir('sc-doctor-mcp-audit-') },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(context).connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide as never);
  return { client, context };
}

function document(pairs: number, extra: Record<string, unknown> = {}): AuditDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'sc-doctor', version: '0.1.0' },
    command: 'audit',
    pairs: Array.from({ length: pairs }, (_, i) => ({
      app: `app-${i}`,
      server: 'pg-orders',
      verdict: 'pass',
    })),
    pairCount: pairs,
    verdicts: { fail: 0, unknown: 0, warn: 0, pass: pairs },
    problem: null,
    exitCode: 0,
    ...extra,
  };
}

test('the seam holds the real audit: the server lists audit, read-only, without any stand-in', async () => {
  assert.equal(typeof loadAuditRunner, 'function');
  const { client } = await connected(noAzure);
  const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'audit');
  assert.ok(tool, 'audit is listed');
  assert.equal(tool.annotations?.readOnlyHint, true);
  assert.equal(tool.annotations?.destructiveHint ?? false, false);
  await client.close();
});

test('the real audit validates a call as `sc-doctor audit` does, before anything is made', async () => {
  servicesMade = 0;
  // No scope, and neither the server's --subscription nor AZURE_SUBSCRIPTION_ID to fall back to.
  const { client } = await connected(noAzure);
  const refused = await client.callTool({ name: 'audit', arguments: {} });
  assert.equal(refused.isError, true);
  assert.match(
    JSON.stringify(refused.content),
    /audit needs a scope: --subscription ID \(repeatable\), --management-group NAME or --all/,
  );
  const two = await client.callTool({ name: 'audit', arguments: { all: true, managementGroup: 'platform' } });
  assert.equal(two.isError, true);
  assert.match(JSON.stringify(two.content), /Pick one scope/);
  const group = await client.callTool({ name: 'audit', arguments: { managementGroup: 'a b' } });
  assert.equal(group.isError, true);
  assert.match(JSON.stringify(group.content), /--management-group must be a management group's name/);
  assert.equal(servicesMade, 0, 'no services were made for a refused call');
  await client.close();
});

test("a call's words are `sc-doctor audit`'s: the server's --subscription is the scope only when none is given", () => {
  const server = { subscription: '3c2b1a00-5d4e-4f60-8a7b-0c0de0000001' };
  assert.deepEqual(auditWords({ subscriptions: [], all: false, tags: [], checkUser: false }, server), [
    'audit',
    '--subscription',
    server.subscription,
  ]);
  assert.deepEqual(
    auditWords(
      {
        subscriptions: [],
        all: true,
        database: 'mysql',
        resourceGroup: 'rg-1',
        tags: ['team=-orders', 'env=prod'],
        checkUser: true,
      },
      server,
    ),
    [
      'audit',
      '--all',
      '--database',
      'mysql',
      '--resource-group',
      'rg-1',
      '--tag',
      'team=-orders',
      '--tag',
      'env=prod',
      '--check-user',
    ],
  );
  // A value that starts with a dash is glued to its flag, so it is never read as a flag.
  assert.deepEqual(
    auditWords({ subscriptions: [], managementGroup: '-mg', all: false, tags: [], checkUser: false }, {}),
    ['audit', '--management-group=-mg'],
  );
});

test('audit with a stand-in: the request is the flags, the document comes back cut to the limit', async () => {
  const requests: AuditRequest[] = [];
  const standIn: AuditRunner = async (request, { options }) => {
    requests.push(request);
    assert.equal(options.cloud, 'AzureCloud', "the server's own options reach the audit");
    return document(5);
  };
  const { client } = await connected({ ...noAzure, loadAudit: async () => standIn });
  const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'audit');
  assert.ok(tool, 'audit is listed');
  assert.equal(tool.annotations?.readOnlyHint, true);
  assert.deepEqual(Object.keys((tool.inputSchema.properties ?? {}) as object).sort(), [
    'all',
    'checkUser',
    'database',
    'limit',
    'managementGroup',
    'resourceGroup',
    'subscriptions',
    'tags',
  ]);

  const result = await client.callTool({
    name: 'audit',
    arguments: {
      subscriptions: ['3c2b1a00-5d4e-4f60-8a7b-0c0de0000001'],
      database: 'postgres',
      tags: ['team=orders'],
      limit: 2,
    },
  });
  assert.ok(!result.isError, JSON.stringify(result.content));
  const value = result.structuredContent as {
    pairs: unknown[];
    pairCount: number;
    truncated: boolean;
    command: string;
  };
  assert.equal(value.pairs.length, 2);
  assert.equal(value.pairCount, 5);
  assert.equal(value.truncated, true);
  assert.equal(value.command, 'audit', 'the rest of the document is passed on');
  assert.deepEqual(requests, [
    {
      subscriptions: ['3c2b1a00-5d4e-4f60-8a7b-0c0de0000001'],
      all: false,
      tags: ['team=orders'],
      checkUser: false,
      database: 'postgres',
    },
  ]);

  // A tag that is no key=value or breaks Azure's tag-name rule, or a subscription that is no GUID,
  // never reaches the audit.
  for (const bad of [
    { tags: ['team'] },
    { tags: ['a/b=c'] },
    { subscriptions: ["x' or 1=1"] },
    { limit: 0 },
  ]) {
    const refused = await client.callTool({ name: 'audit', arguments: bad });
    assert.equal(refused.isError, true, JSON.stringify(bad));
  }
  assert.equal(requests.length, 1);
  await client.close();
});

test('a secret or token the audit would carry is scrubbed before the result leaves; a failure is a result, not a crash', async () => {
  const secret = 'Owner-Pw-Sample-9';
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';
  let fail = false;
  const standIn: AuditRunner = async () => {
    if (fail) throw new Error(`Resource Graph said no (token ${token})`);
    return document(1, { note: `seen ${secret} and ${token}` });
  };
  const { client } = await connected(
    { ...noAzure, loadAudit: async () => standIn },
    { SC_DOCTOR_PG_OWNER_PASSWORD: secret },
  );
  const result = await client.callTool({ name: 'audit', arguments: { all: true } });
  const text = JSON.stringify(result);
  assert.ok(!text.includes(secret));
  assert.ok(!text.includes(token));
  fail = true;
  const failed = await client.callTool({ name: 'audit', arguments: { all: true } });
  assert.equal(failed.isError, true);
  assert.match(JSON.stringify(failed.content), /could not finish this: Resource Graph said no/);
  assert.ok(!JSON.stringify(failed).includes(token));
  await client.close();
});

test('the answer carries the verdict counts; a limit reaches the audit (100 by default); an audit that could not run is a refusal', async () => {
  const limits: number[] = [];
  let problem: AuditDocument['problem'] = null;
  const standIn: AuditRunner = async (_request, { limit }) => {
    limits.push(limit);
    return document(3, {
      verdicts: { fail: 1, unknown: 0, warn: 0, pass: 2 },
      problem,
      ...(problem ? { pairs: [], pairCount: 0, exitCode: 1 } : { exitCode: 1 }),
    });
  };
  const { client } = await connected({ ...noAzure, loadAudit: async () => standIn });
  const result = await client.callTool({ name: 'audit', arguments: { all: true } });
  assert.ok(!result.isError, JSON.stringify(result.content));
  const value = result.structuredContent as { verdicts: Record<string, number>; exitCode: number };
  assert.deepEqual(value.verdicts, { fail: 1, unknown: 0, warn: 0, pass: 2 });
  assert.equal(value.exitCode, 1);
  assert.match(JSON.stringify(result.content), /3 pairs: 1 fail, 0 unknown, 0 warn, 2 pass/);
  await client.callTool({ name: 'audit', arguments: { all: true, limit: 7 } });
  assert.deepEqual(limits, [100, 7]);

  problem = { message: 'Not signed in to Azure: no account', details: ['Run az login.'] };
  const refused = await client.callTool({ name: 'audit', arguments: { all: true } });
  assert.equal(refused.isError, true);
  assert.match(
    JSON.stringify(refused.content),
    /The audit could not run: Not signed in to Azure: no account\\nRun az login\./,
  );
  await client.close();
});

test('progress: apps done of apps found, only ever growing, when the client asks; none when it does not', async () => {
  const given: boolean[] = [];
  const standIn: AuditRunner = async (_request, { onProgress }) => {
    given.push(onProgress !== undefined);
    const step = (appsDone: number, appsTotal: number | null) =>
      onProgress?.({
        appsTotal,
        appsDone,
        pairsFound: appsDone,
        pairsChecked: appsDone,
        failing: appsDone > 1 ? 1 : 0,
        unknown: 0,
        elapsedMs: 0,
        etaMs: null,
        requests: 0,
        throttled: 0,
      });
    step(0, null);
    step(1, 4);
    step(1, 4); // nothing new: not sent again
    step(4, 4);
    return document(4);
  };
  const { client } = await connected({ ...noAzure, loadAudit: async () => standIn });
  const seen: { progress: number; total?: number; message?: string }[] = [];
  const result = await client.callTool(
    { name: 'audit', arguments: { all: true } },
    { onprogress: (progress) => seen.push(progress) },
  );
  assert.ok(!result.isError);
  assert.deepEqual(
    seen.map((p) => [p.progress, p.total]),
    [
      [0, undefined],
      [1, 4],
      [4, 4],
    ],
  );
  assert.equal(seen[2]!.message, '4 of 4 apps, 4 pairs checked, 1 failing');
  await client.callTool({ name: 'audit', arguments: { all: true } });
  assert.deepEqual(given, [true, false], 'no progress token, no progress reporter');
  await client.close();
});

test('cancelling the call stops the audit: the signal it was given is aborted, and the server answers the next call', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  let stopped = false;
  const standIn: AuditRunner = (_request, { signal }) =>
    new Promise((resolve) => {
      started();
      signal.addEventListener('abort', () => {
        stopped = true;
        resolve(document(0));
      });
    });
  const { client, context } = await connected({ ...noAzure, loadAudit: async () => standIn });
  const cancel = new AbortController();
  const call = client.callTool({ name: 'audit', arguments: { all: true } }, { signal: cancel.signal });
  await running;
  assert.equal(context.work.size > 0, true, 'the call is tracked, so a shutdown would stop it');
  cancel.abort('the person clicked Stop');
  await assert.rejects(call);
  await context.work.settled();
  assert.equal(stopped, true);
  const runs = await client.callTool({ name: 'runs', arguments: {} });
  assert.ok(!runs.isError);
  await client.close();
});

test('a server shutting down (stdin closed, SIGTERM) stops a running audit as it interrupts any call', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const standIn: AuditRunner = (_request, { signal }) =>
    new Promise((resolve) => {
      started();
      signal.addEventListener('abort', () => resolve(document(0)));
    });
  const { client, context } = await connected({ ...noAzure, loadAudit: async () => standIn });
  const call = client.callTool({ name: 'audit', arguments: { all: true } });
  await running;
  context.work.interruptAll('cancel');
  await context.work.settled();
  const result = await call;
  assert.equal(result.isError, true);
  assert.match(JSON.stringify(result.content), /The audit was cancelled; nothing was changed\./);
  await client.close();
});
