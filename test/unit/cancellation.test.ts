/**
 * Cancellation and the token cache: a check's signal reaches the az process and the HTTP request it
 * started, a timed-out attempt is never the next caller's answer, and a token about to expire is
 * asked for again. Everything stays on 127.0.0.1: az is a fake exec, ARM a local HTTPS server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { armGet } from '../../source/azure/arm.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { EventBus } from '../../source/core/events.ts';
import { runChecks } from '../../source/core/run-checks.ts';
import type { ExecOptions, ExecResult, Services } from '../../source/core/services.ts';
import type { DoctorCheck } from '../../source/doctor/check.ts';
import { NO_TARGET } from '../../source/doctor/target.ts';
import type { RunEvent } from '../../source/run/events.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';

let arm: LocalHttps;
/** Requests the ARM stand-in saw end before it answered (the client gave up). */
const abandoned: string[] = [];
/** Requests to /hang that reached the ARM stand-in. */
const hung: string[] = [];

before(async () => {
  arm = await startLocalHttps((req, res) => {
    if (req.url?.startsWith('/hang')) {
      hung.push(req.url);
      res.on('close', () => {
        if (!res.writableEnded) abandoned.push(req.url ?? '');
      });
      return; // never answers
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
after(() => arm.close());

const cloudJson = () =>
  readFileSync(new URL('../fixtures/az/cloud-loopback.json', import.meta.url), 'utf8').replaceAll(
    '127.0.0.1:9',
    `127.0.0.1:${arm.port}`,
  );

interface FakeAz {
  exec: Services['exec'];
  /** Token requests so far, and which of them were stopped through their signal. */
  tokenCalls: number;
  killed: number;
}

/**
 * az as a table: `cloud show` answers the loopback cloud; `get-access-token` hangs (until its signal
 * aborts) for the first `hangs` calls, then hands out `token-N` valid for an hour from `now()`.
 */
function fakeAz(now: () => number, hangs: number): FakeAz {
  const az: FakeAz = { tokenCalls: 0, killed: 0, exec: async () => ok('') };
  const ok = (stdout: string): ExecResult => ({
    exitCode: 0,
    stdout,
    stderr: '',
    timedOut: false,
    notFound: false,
  });
  az.exec = async (_file: string, args: string[], options?: ExecOptions): Promise<ExecResult> => {
    if (args[0] === 'cloud') return ok(cloudJson());
    az.tokenCalls += 1;
    if (az.tokenCalls <= hangs) {
      await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
      az.killed += 1;
      return { exitCode: null, stdout: '', stderr: '', timedOut: false, notFound: false };
    }
    return ok(
      JSON.stringify({
        accessToken: `token-${az.tokenCalls}`,
        expires_on: Math.floor(now() / 1000) + 3600,
        subscription: '11111111-2222-3333-4444-555555555555',
      }),
    );
  };
  return az;
}

function servicesWith(az: FakeAz, now: () => number): Services {
  const base = { env: { PATH: '/nowhere' }, now, exec: az.exec };
  return { ...base, azure: createAzureSession(base, { tls: { ca: arm.ca } }) };
}

const options = { verbose: false, target: NO_TARGET };

test('a check that times out stops its az process; a later check still gets a token', async () => {
  const az = fakeAz(Date.now, 1);
  const services = servicesWith(az, Date.now);
  const signinCheck = (id: string): DoctorCheck => ({
    id,
    title: id,
    timeoutMs: 150,
    async run({ services: s, signal }) {
      const state = await s.azure.signIn(signal);
      return state.ok ? { status: 'pass', message: 'signed in' } : { status: 'fail', message: 'no token' };
    },
  });

  const [first] = await runChecks([signinCheck('first')], {
    services,
    options,
    bus: new EventBus<RunEvent>(),
  });
  assert.equal(first?.status, 'timeout');
  await waitUntil(() => az.killed === 1, 'the hanging az process to be stopped through its signal');

  const [later] = await runChecks([signinCheck('later')], {
    services,
    options,
    bus: new EventBus<RunEvent>(),
  });
  assert.equal(later?.status, 'pass', 'the cancelled attempt was not handed to the later check');
  assert.equal(az.tokenCalls, 2);
  const token = await services.azure.credential.getToken('https://management.standin.test/.default');
  assert.equal(token?.token, 'token-2');
});

test('a check that times out stops its HTTP request', async () => {
  const az = fakeAz(Date.now, 0);
  const services = servicesWith(az, Date.now);
  // The cloud, the token and the connection first, so that the check's time goes to the hanging
  // request itself: under load they alone could outlast the timeout, and the request would never
  // be sent (nothing to stop then).
  assert.equal((await armGet(services.azure, '/fine', '2022-12-01')).status, 200);
  const hanging: DoctorCheck = {
    id: 'arm',
    title: 'ARM',
    timeoutMs: 1_000,
    async run({ services: s, signal }) {
      await armGet(s.azure, '/hang', '2022-12-01', signal);
      return { status: 'pass', message: 'answered' };
    },
  };
  const [outcome] = await runChecks([hanging], { services, options, bus: new EventBus<RunEvent>() });
  assert.equal(outcome?.status, 'timeout');
  assert.ok(hung.length > 0, 'the request reached the server before the check timed out');
  await waitUntil(() => abandoned.some((url) => url.startsWith('/hang')), 'the request to be closed');
  // The same session still answers the next request.
  const answer = await armGet(services.azure, '/fine', '2022-12-01');
  assert.equal(answer.status, 200);
});

test('a token about to expire is asked for again, from az, not from any cache', async () => {
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const now = () => clock;
  const az = fakeAz(now, 0);
  const services = servicesWith(az, now);
  const scope = 'https://management.standin.test/.default';
  assert.equal((await services.azure.credential.getToken(scope))?.token, 'token-1');
  clock += 30 * 60_000;
  assert.equal((await services.azure.credential.getToken(scope))?.token, 'token-1', 'still valid: cached');
  // One minute before expiry is inside the refresh margin.
  clock += 29 * 60_000;
  assert.equal((await services.azure.credential.getToken(scope))?.token, 'token-2');
  assert.equal(az.tokenCalls, 2);
});

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  // Generous: on a loaded machine the close can take a while to be seen; a hang still fails.
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
