/**
 * The twin's Microsoft Entra token endpoint for service principals with a client secret, driven by
 * the real `ClientSecretCredential` (MSAL underneath) pointed at it as at any authority host, and by
 * plain requests for Entra's refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { IDS, OSSRDBMS_AUDIENCE, startTwin, type Twin } from './index.ts';
import { verifyToken } from './tokens.ts';

const SP = {
  objectId: '7c0e4b1a-2d3f-4a5b-9c6d-5e0000000a01',
  appId: '1b2c3d4e-5f60-4718-a9b0-5e0000000a02',
};

let twin: Twin;
let secret: string;

before(async () => {
  twin = await startTwin({ scenario: 'healthy' });
  twin.context.addPrincipal({
    ...SP,
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-ci',
  });
  secret = twin.entra.addClientSecret(SP.appId);
});
after(() => twin.close());

function credential(clientSecret: string, tenantId: string = IDS.tenantId) {
  // The twin is an authority Microsoft's instance discovery does not know (like Azure Stack Hub).
  return new ClientSecretCredential(tenantId, SP.appId, clientSecret, {
    authorityHost: twin.entra.authorityHost,
    disableInstanceDiscovery: true,
  });
}

async function tokenRequest(form: Record<string, string>, tenant: string = IDS.tenantId) {
  const response = await fetch(`${twin.entra.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, text: await response.text() };
}

test('ClientSecretCredential gets a token for the service principal, for the scope it asked', async () => {
  const { token } = await credential(secret).getToken(`${OSSRDBMS_AUDIENCE}/.default`);
  const claims = verifyToken(twin.tokens.config, token, twin.clock.nowSeconds());
  assert.ok(claims, 'the token is not signed by the twin or has expired');
  assert.equal(claims.oid, SP.objectId);
  assert.equal(claims.tid, IDS.tenantId);
  assert.equal(claims.idtyp, 'app');
  assert.equal(claims.aud, OSSRDBMS_AUDIENCE);
  // The databases accept the service principal's token exactly as one issued by the twin directly.
  assert.equal(token, twin.tokens.issue(SP.objectId, 'ossrdbms'));
});

test("a wrong secret is refused with AADSTS7000215 in Entra's body, and the secret is not echoed", async () => {
  const wrong = `${secret.slice(0, -4)}abcd`;
  const { status, text } = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: SP.appId,
    client_secret: wrong,
    scope: `${OSSRDBMS_AUDIENCE}/.default`,
  });
  assert.equal(status, 401);
  const body = JSON.parse(text);
  assert.equal(body.error, 'invalid_client');
  assert.match(body.error_description, /^AADSTS7000215: Invalid client secret provided\./);
  assert.deepEqual(body.error_codes, [7000215]);
  for (const field of ['timestamp', 'trace_id', 'correlation_id', 'error_uri']) assert.ok(body[field], field);
  assert.ok(!text.includes(wrong) && !text.includes(secret));
  await assert.rejects(credential(wrong).getToken(`${OSSRDBMS_AUDIENCE}/.default`), /AADSTS7000215/);
});

test('an unknown app, an unknown tenant, a scope without /.default and another grant are refused as Entra refuses them', async () => {
  const base = {
    grant_type: 'client_credentials',
    client_id: SP.appId,
    client_secret: secret,
    scope: `${OSSRDBMS_AUDIENCE}/.default`,
  };
  const cases: [Record<string, string>, string, number, string][] = [
    [{ ...base, client_id: '00000000-0000-0000-0000-00000000dead' }, IDS.tenantId, 400, 'AADSTS700016'],
    [base, '00000000-0000-0000-0000-0000000000ff', 400, 'AADSTS90002'],
    [{ ...base, scope: OSSRDBMS_AUDIENCE }, IDS.tenantId, 400, 'AADSTS1002012'],
    [{ ...base, grant_type: 'password' }, IDS.tenantId, 400, 'AADSTS70003'],
  ];
  for (const [form, tenant, status, code] of cases) {
    const answer = await tokenRequest(form, tenant);
    assert.equal(answer.status, status, code);
    assert.ok(JSON.parse(answer.text).error_description.startsWith(`${code}:`), answer.text);
    assert.ok(!answer.text.includes(secret));
  }
});

test('a managed identity has no client secret: its client id is not an app the endpoint signs in', async () => {
  const identity = twin.world.principals.find((p) => p.kind === 'managedIdentity' && p.appId)!;
  const answer = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: identity.appId!,
    client_secret: secret,
    scope: `${OSSRDBMS_AUDIENCE}/.default`,
  });
  assert.equal(answer.status, 400);
  assert.match(answer.text, /AADSTS700016/);
});

test('with a short token lifetime, each token is new and expires when it says', async () => {
  twin.entra.setTokenLifetime(60);
  try {
    const { token, expiresOnTimestamp } = await credential(secret).getToken(
      'https://database.twin.test/.default',
    );
    const claims = verifyToken(twin.tokens.config, token, twin.clock.nowSeconds())!;
    assert.equal(claims.exp - claims.iat, 60);
    assert.ok(Math.abs(expiresOnTimestamp / 1000 - claims.exp) <= 2);
  } finally {
    twin.entra.setTokenLifetime(undefined);
  }
});
