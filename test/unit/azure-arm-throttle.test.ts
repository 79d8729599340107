/**
 * ARM throttling as Azure answers it (429 Too Many Requests with `Retry-After`), injected by the
 * twin's fault injection and met by the real ARM client: reads and writes are asked again after the
 * wait Azure names, never longer than 30 s between two tries, the wait is shown to the step or check
 * the request is for, and Ctrl-C ends a wait at once.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { armGet, armWrite } from '../../source/azure/arm.ts';
import { MAX_THROTTLE_WAIT_MS } from '../../source/azure/arm-throttle.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import { reportingWaitsTo } from '../../source/core/wait-reports.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
});
afterEach(() => twin.faults.clear());
after(async () => {
  await twin?.close();
});

function session() {
  const base = { exec: nodeExec, env: twin.env() as Record<string, string>, now: Date.now };
  return createAzureSession(base, { tls: { ca: twin.caPem } });
}

const THROTTLED = { status: 429, code: 'TooManyRequests', message: 'The request is being throttled.' };
const SERVER = new RegExp(`${RESOURCE_IDS.postgres.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');

test('a throttled read is asked again after the wait Azure names, and the wait is shown to whoever asked', async () => {
  const azure = session();
  try {
    const id = twin.faults.add({ method: 'GET', path: SERVER, ...THROTTLED, retryAfterSeconds: 1 });
    const said: string[] = [];
    const started = performance.now();
    const answer = await reportingWaitsTo(
      (detail) => said.push(detail),
      () => armGet(azure, RESOURCE_IDS.postgres, '2024-08-01'),
    );
    assert.equal(answer.status, 200);
    assert.equal(twin.faults.hits(id), 1);
    assert.ok(performance.now() - started >= 900, 'it waited what Azure asked');
    assert.deepEqual(said, ['Azure is throttling: asking again in 1 s']);
  } finally {
    azure.dispose();
  }
});

test('a throttled write is asked again too, within its own tries', async () => {
  const azure = session();
  try {
    const rule = `${RESOURCE_IDS.postgres}/firewallRules/throttled`;
    const id = twin.faults.add({ method: 'PUT', path: rule, ...THROTTLED, retryAfterSeconds: 1, times: 2 });
    const said: string[] = [];
    const answer = await reportingWaitsTo(
      (detail) => said.push(detail),
      () =>
        armWrite(azure, 'PUT', rule, '2024-08-01', {
          properties: { startIpAddress: '127.0.0.2', endIpAddress: '127.0.0.2' },
        }),
    );
    assert.ok([200, 201, 202].includes(answer.status), String(answer.status));
    assert.equal(twin.faults.hits(id), 2);
    assert.equal(said.length, 2);
  } finally {
    azure.dispose();
  }
});

test('a Retry-After of an hour waits 30 s at most, says so, and Ctrl-C ends the wait at once', async () => {
  assert.equal(MAX_THROTTLE_WAIT_MS, 30_000);
  const azure = session();
  try {
    twin.faults.add({ method: 'GET', path: SERVER, ...THROTTLED, retryAfterSeconds: 3600 });
    const cancel = new AbortController();
    const said: string[] = [];
    const started = performance.now();
    const read = reportingWaitsTo(
      (detail) => {
        said.push(detail);
        cancel.abort(new Error('cancelled'));
      },
      () => armGet(azure, RESOURCE_IDS.postgres, '2024-08-01', cancel.signal),
    );
    await assert.rejects(read);
    assert.deepEqual(said, ['Azure is throttling: asking again in 30 s']);
    assert.ok(performance.now() - started < 5_000, 'the wait ended with Ctrl-C');
  } finally {
    azure.dispose();
  }
});

test("throttled past the last try: the 429 is Azure's answer, named as such", async () => {
  const azure = session();
  try {
    twin.faults.add({ method: 'GET', path: SERVER, ...THROTTLED, retryAfterSeconds: 0, times: 20 });
    const said: string[] = [];
    const answer = await reportingWaitsTo(
      (detail) => said.push(detail),
      () => armGet(azure, RESOURCE_IDS.postgres, '2024-08-01'),
    );
    assert.equal(answer.status, 429);
    assert.equal(said.length, 4, 'asked again four times');
    assert.ok(said.every((line) => line === 'Azure is throttling: asking again'));
  } finally {
    azure.dispose();
  }
});

test("a check's wait is its row's detail: check:slow says why", async () => {
  const azure = session();
  try {
    twin.faults.add({ method: 'GET', path: SERVER, ...THROTTLED, retryAfterSeconds: 1 });
    const bus = new EventBus();
    const events: unknown[] = [];
    bus.on((event) => events.push(event));
    const [outcome] = await runChecks(
      [
        {
          id: 'reads-the-server',
          title: 'Reads the server',
          run: async (ctx) => {
            const answer = await armGet(ctx.services.azure, RESOURCE_IDS.postgres, '2024-08-01', ctx.signal);
            return { status: answer.status === 200 ? 'pass' : 'fail', message: String(answer.status) };
          },
        },
      ],
      {
        services: { exec: nodeExec, env: {}, now: Date.now, azure } as never,
        options: { verbose: false, target: {} },
        bus,
      },
    );
    assert.equal(outcome?.status, 'pass');
    assert.ok(
      events.some(
        (event) =>
          (event as { type: string; detail?: string }).type === 'check:slow' &&
          (event as { detail?: string }).detail === 'Azure is throttling: asking again in 1 s',
      ),
      JSON.stringify(events),
    );
  } finally {
    azure.dispose();
  }
});
