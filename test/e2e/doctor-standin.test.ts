/**
 * The built CLI runs the first three doctor checks the way a user runs it: the stand-in az on PATH,
 * a local HTTPS "ARM" trusted through NODE_EXTRA_CA_CERTS, nothing beyond 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { builtCli, runCli } from '../helpers/build.ts';
import { type LocalHttps, startLocalHttps } from '../helpers/local-https.ts';
import { makeStandinAz } from '../helpers/standin-az.ts';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
let arm: LocalHttps;
let caFile: string;
let port: number;

before(async () => {
  builtCli();
  arm = await startLocalHttps((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (
      req.url?.startsWith(`/subscriptions/${SUBSCRIPTION}?`) &&
      req.headers.authorization?.startsWith('Bearer ')
    ) {
      res.end(
        JSON.stringify({
          subscriptionId: SUBSCRIPTION,
          displayName: 'Contoso Dev',
          state: 'Enabled',
          tenantId: TENANT,
        }),
      );
      return;
    }
    res.writeHead(404).end(JSON.stringify({ error: { code: 'SubscriptionNotFound', message: 'not found' } }));
  }, 'sc-doctor-e2e-arm-');
  ({ caFile, port } = arm);
});

after(() => arm.close());

function cloudJson(): string {
  return readFileSync(new URL('../fixtures/az/cloud-twin.json', import.meta.url), 'utf8').replaceAll(
    'PORT',
    String(port),
  );
}

test('doctor --json, signed in: three passes, exit 0, at most four az processes, no token in the output', async () => {
  const az = await makeStandinAz('signed-in');
  try {
    const run = await runCli(
      ['doctor', '--json'],
      az.env({ AZ_STANDIN_CLOUD_JSON: cloudJson(), NODE_EXTRA_CA_CERTS: caFile }),
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const doc = JSON.parse(run.stdout);
    const checks = Object.fromEntries(doc.doctor.checks.map((c: { id: string }) => [c.id, c]));
    assert.equal(checks['azure-cli'].status, 'pass');
    assert.equal(checks.signin.message, `dana@contoso.com (user) · tenant ${TENANT}`);
    assert.equal(checks.subscription.status, 'pass');
    assert.equal(checks.subscription.message, 'Contoso Dev · Enabled');
    const calls = await az.calls();
    assert.ok(calls.length <= 4, calls.join('\n'));
    for (const text of [run.stdout, run.stderr]) {
      assert.ok(!text.includes('eyJ'), 'no JWT in the output');
      assert.ok(!text.includes('c3RhbmRpbi1zaWduYXR1cmUtbm90LXZhbGlk'), 'no token signature in the output');
    }
  } finally {
    await az.cleanup();
  }
});

test('doctor --plain, AADSTS530003: the reason and the fix on stdout, exit 1', async () => {
  const az = await makeStandinAz('aadsts530003');
  try {
    const run = await runCli(
      ['doctor', '--plain'],
      az.env({ AZ_STANDIN_CLOUD_JSON: cloudJson(), NO_COLOR: '1' }),
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /FAIL\s+Signed in\s+AADSTS530003 · device must be managed/);
    assert.match(run.stdout, /--use-device-code` will not help/);
    assert.match(run.stdout, /correlation 9a8b7c6d-1111-2222-3333-456789abcdef/);
    assert.match(run.stdout, /SKIP\s+Subscription/);
  } finally {
    await az.cleanup();
  }
});
