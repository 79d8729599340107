/**
 * A modular client's list (subscriptions, web apps, container apps) follows its later pages with the
 * call's own signal and answers from the wire: the client would ask for them without the call's
 * options, so the fleet audit's read transport never saw them and Ctrl-C did not reach them. Against
 * the twin, whose lists page at 100 items with an absolute `nextLink` as ARM's do.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ArmReadTransport } from '../../source/azure/arm.ts';
import { type AzureSession, createAzureSession } from '../../source/azure/session.ts';
import { listSubscriptions } from '../../source/azure/subscriptions.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { IDS } from '../azure-twin/framework/world.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';

const EXTRA = 150;
let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  // A tenant with more subscriptions than one page holds, each one Dana can see.
  for (let i = 0; i < EXTRA; i++) {
    const subscriptionId = `3c2b1a00-5d4e-4f60-8a7b-${String(i).padStart(12, '0')}`;
    twin.world.subscriptions.push({ subscriptionId, displayName: `Team ${i}`, state: 'Enabled' });
    twin.world.roleAssignments.push({
      principalId: IDS.dana,
      roleName: 'Reader',
      scope: `/subscriptions/${subscriptionId}`,
    });
  }
});
after(async () => {
  await twin?.close();
});

function session(): AzureSession {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  return createAzureSession(base, { tls: { ca: twin.caPem } });
}

test("every page of a modular client's list goes through the session's read transport, its items as Azure sent them", async () => {
  const azure = session();
  try {
    const seen: string[] = [];
    const reads: ArmReadTransport = {
      async read(request, send) {
        const url = new URL(request.url);
        seen.push(
          `${request.method} ${url.pathname}${url.searchParams.has('$skiptoken') ? ' (next page)' : ''}`,
        );
        return send();
      },
    };
    const listed = await listSubscriptions({ ...azure, reads });
    assert.ok(listed.ok, JSON.stringify(listed));
    assert.equal(listed.items.length, EXTRA + 1);
    assert.deepEqual(seen, ['GET /subscriptions', 'GET /subscriptions (next page)']);
    // The later page's items are there whole, as the first page's are.
    const last = listed.items.at(-1) as { id?: string; displayName?: string };
    assert.match(last.id ?? '', /^\/subscriptions\//);
    assert.equal(typeof last.displayName, 'string');
  } finally {
    azure.dispose();
  }
});

test("a list's later page stops with the call's signal", async () => {
  const azure = session();
  try {
    const controller = new AbortController();
    const reads: ArmReadTransport = {
      async read(request, send, signal) {
        // Ctrl-C arrives while the first page is on its way: the next page must not be asked for.
        if (!new URL(request.url).searchParams.has('$skiptoken')) {
          const answer = await send(signal);
          controller.abort(new Error('cancelled'));
          return answer;
        }
        assert.ok(signal?.aborted, 'the later page was asked for without the call’s signal');
        return send(signal);
      },
    };
    await assert.rejects(listSubscriptions({ ...azure, reads }, controller.signal));
  } finally {
    azure.dispose();
  }
});
