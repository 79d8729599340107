/**
 * The `audit` tool behind its seam (source/mcp/audit-seam.ts): listed only when an audit is wired,
 * given the request as `sc-doctor audit`'s flags (never a query), and returning the audit's document
 * cut to `limit` pairs. The real audit is issue 16's; here a stand-in is injected through `McpDeps`,
 * and the SDK's own client talks to the server in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { AuditDocument, AuditRequest, AuditRunner } from '../../source/mcp/audit-seam.ts';
import { loadAuditRunner } from '../../source/mcp/audit-seam.ts';
import { createMcpContext, type McpDeps } from '../../source/mcp/context.ts';
import { createMcpServer } from '../../source/mcp/server.ts';
import { tempDir } from '../helpers/build.ts';

const noAzure: McpDeps = {
  createServices: async () => {
    throw new Error('the audit stand-in needs no Azure services');
  },
  loadChecks: async () => [],
};

async function connected(deps: McpDeps, env: Record<string, string> = {}) {
  const context = createMcpContext({
    settings: { allowWrite: false, applyWithoutConsent: false },
    options: { verbose: false, target: {}, cloud: 'AzureCloud' },
    serverWords: [],
    env,
    deps: { ...deps, home: tempDir('sc-doctor-mcp-audit-') },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(context).connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide as never);
  return client;
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
    exitCode: 0,
    ...extra,
  };
}

test('until the audit is wired, the seam holds no runner and the server lists no audit tool', async () => {
  assert.equal(loadAuditRunner, undefined);
  const client = await connected(noAzure);
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(!names.includes('audit'), names.join(', '));
  await client.close();
});

test('audit with a stand-in: the request is the flags, the document comes back cut to the limit', async () => {
  const requests: AuditRequest[] = [];
  const standIn: AuditRunner = async (request, { options }) => {
    requests.push(request);
    assert.equal(options.cloud, 'AzureCloud', "the server's own options reach the audit");
    return document(5);
  };
  const client = await connected({ ...noAzure, loadAudit: async () => standIn });
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
  const client = await connected(
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
