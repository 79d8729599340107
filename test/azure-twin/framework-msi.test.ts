/**
 * The App Service managed-identity endpoint, used by @azure/identity's ManagedIdentityCredential in a
 * child process configured only through IDENTITY_ENDPOINT / IDENTITY_HEADER (so it never falls back to
 * the instance metadata address), plus the endpoint's own refusals.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTwin, type Twin } from './index.ts';
import { RESOURCE_IDS } from './scenarios.ts';

let twin: Twin;
const root = fileURLToPath(new URL('../..', import.meta.url));

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
});
after(() => twin.close());

/** Runs ManagedIdentityCredential in a child; it prints only the claims it got, never the token. */
const CHILD = `
import { ManagedIdentityCredential } from '@azure/identity';
if (!process.env.IDENTITY_ENDPOINT || !process.env.IDENTITY_HEADER) { console.error('IDENTITY_* missing'); process.exit(3); }
if (!process.env.IDENTITY_ENDPOINT.startsWith('http://127.0.0.1:')) { console.error('not loopback'); process.exit(4); }
const options = JSON.parse(process.env.MI_OPTIONS);
const credential = Object.keys(options).length ? new ManagedIdentityCredential(options) : new ManagedIdentityCredential();
try {
  const { token, expiresOnTimestamp } = await credential.getToken(process.env.MI_SCOPE);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  console.log(JSON.stringify({ aud: claims.aud, oid: claims.oid, idtyp: claims.idtyp, expiresOnTimestamp }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message.split('\\n')[0] }));
}
`;

function child(
  app: string,
  options: Record<string, string>,
  scope = 'https://ossrdbms-aad.twin.test/.default',
): Promise<any> {
  const msi = twin.msiFor(app);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD],
      {
        cwd: root,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...msi,
          MI_OPTIONS: JSON.stringify(options),
          MI_SCOPE: scope,
        },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

const principalOf = (alternativeId: string) =>
  twin.world.principals.find((p) => p.alternativeId?.toLowerCase() === alternativeId.toLowerCase())!;

test("no options: the site's system-assigned identity", async () => {
  const got = await child(RESOURCE_IDS.webApp, {});
  assert.deepEqual(
    { aud: got.aud, oid: got.oid, idtyp: got.idtyp },
    { aud: 'https://ossrdbms-aad.twin.test', oid: principalOf(RESOURCE_IDS.webApp).objectId, idtyp: 'app' },
  );
  // MSAL turns the endpoint's expires_on into expires_in against its own clock and back again
  // (msal-node getServerTokenResponse), so the SDK's figure can land a second early on a busy machine.
  const expected = (twin.tokens.config.t0 + twin.tokens.config.lifetimeSeconds) * 1000;
  assert.ok(
    Math.abs(got.expiresOnTimestamp - expected) <= 1000,
    `expiresOnTimestamp ${got.expiresOnTimestamp} is not the token's exp (${expected})`,
  );
});

test('clientId and resourceId select the user-assigned identity attached to the site', async () => {
  const uami = principalOf(RESOURCE_IDS.identity);
  assert.equal((await child(RESOURCE_IDS.webApp, { clientId: uami.appId! })).oid, uami.objectId);
  assert.equal((await child(RESOURCE_IDS.webApp, { resourceId: RESOURCE_IDS.identity })).oid, uami.objectId);
});

test('an identity the app does not have is refused', async () => {
  // The container app has only its system identity; the UAMI is not attached to it.
  const got = await child(RESOURCE_IDS.containerApp, { resourceId: RESOURCE_IDS.identity });
  assert.ok(got.error, JSON.stringify(got));
});

test('the endpoint refuses a missing or wrong X-IDENTITY-HEADER and unknown api-versions', async () => {
  const base = `${twin.msiEndpoint}?resource=https://ossrdbms-aad.twin.test&api-version=2019-08-01`;
  const missing = await fetch(base);
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as any).message, /X-IDENTITY-HEADER/);
  const wrong = await fetch(base, { headers: { 'X-IDENTITY-HEADER': 'nope' } });
  assert.equal(wrong.status, 401);
  const version = await fetch(base.replace('2019-08-01', '2017-09-01'), {
    headers: { 'X-IDENTITY-HEADER': twin.msiHeader },
  });
  assert.equal(version.status, 400);
  const ok = await fetch(base, { headers: { 'X-IDENTITY-HEADER': twin.msiHeader } });
  const body: any = await ok.json();
  assert.deepEqual(Object.keys(body).sort(), [
    'access_token',
    'client_id',
    'expires_on',
    'resource',
    'token_type',
  ]);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.resource, 'https://ossrdbms-aad.twin.test');
  assert.match(body.expires_on, /^\d+$/);
});
