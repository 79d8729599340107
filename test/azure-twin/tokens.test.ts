/**
 * The twin's tokens: format (payload key order, profile claims only for ARM and Graph), determinism
 * (a database role's password is its token), verification and expiry as the server enforces it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDS, startTwin, type Twin } from './index.ts';
import { issueToken, verifyToken } from './tokens.ts';

let twin: Twin;

before(async () => {
  twin = await startTwin({ scenario: 'empty' });
});
after(() => twin.close());

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

test('ARM tokens carry the profile claims in the fixed key order', () => {
  const claims = payload(twin.tokens.issue(IDS.dana, 'arm'));
  assert.deepEqual(Object.keys(claims), [
    'aud',
    'iss',
    'iat',
    'nbf',
    'exp',
    'oid',
    'sub',
    'tid',
    'idtyp',
    'upn',
    'name',
  ]);
  assert.equal(claims.aud, 'https://management.twin.test/');
  assert.equal(claims.iss, `https://sts.twin.test/${IDS.tenantId}/`);
  assert.equal(claims.upn, 'dana@contoso.twin.test');
  assert.equal(claims.idtyp, 'user');
});

test('database tokens have no profile claims and the ossrdbms audience', () => {
  const claims = payload(twin.tokens.issue(IDS.dana, 'ossrdbms'));
  assert.deepEqual(Object.keys(claims), ['aud', 'iss', 'iat', 'nbf', 'exp', 'oid', 'sub', 'tid', 'idtyp']);
  assert.equal(claims.aud, 'https://ossrdbms-aad.twin.test');
  const scoped = payload(twin.tokens.issue(IDS.dana, 'https://ossrdbms-aad.twin.test/.default'));
  assert.equal(scoped.aud, 'https://ossrdbms-aad.twin.test', '/.default is stripped');
});

test('tokens are deterministic per principal and audience for the life of a twin', () => {
  assert.equal(
    twin.tokens.issue(IDS.dana, 'ossrdbms'),
    twin.tokens.issue('dana@contoso.twin.test', 'ossrdbms'),
  );
  assert.notEqual(twin.tokens.issue(IDS.dana, 'ossrdbms'), twin.tokens.issue(IDS.dana, 'arm'));
});

test('apps get appid instead of upn', () => {
  const app = twin.context.addPrincipal({
    objectId: '4a4a4a4a-0000-4000-8000-000000000001',
    appId: '4a4a4a4a-0000-4000-8000-0000000000a1',
    tenantId: IDS.tenantId,
    kind: 'managedIdentity',
    displayName: 'id-tokens',
  });
  const claims = payload(twin.tokens.issue(app.objectId, 'arm'));
  assert.equal(claims.idtyp, 'app');
  assert.equal(claims.appid, app.appId);
  assert.equal(claims.upn, undefined);
});

test('verifyToken checks the signature and the lifetime', () => {
  const config = { secret: 's3', t0: 1_000_000, lifetimeSeconds: 100 };
  const token = issueToken(config, { objectId: 'o', tenantId: 't', idtyp: 'user' }, 'aud', false);
  assert.equal(verifyToken(config, token, 1_000_050)?.oid, 'o');
  assert.equal(verifyToken(config, token, 1_000_100), undefined, 'expired at exp');
  assert.equal(verifyToken(config, token, 999_999), undefined, 'not yet valid');
  assert.equal(verifyToken({ ...config, secret: 'other' }, token, 1_000_050), undefined, 'wrong key');
});

test('the twin refuses its own token once the clock passes exp', async () => {
  const token = twin.tokens.issue(IDS.dana, 'arm');
  const url = `${twin.baseUrl}/subscriptions/${IDS.subscriptionId}?api-version=2022-12-01`;
  assert.equal((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  twin.clock.advance(twin.tokens.config.lifetimeSeconds + 60);
  const expired = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(expired.status, 401);
  const body: any = await expired.json();
  assert.equal(body.error.code, 'ExpiredAuthenticationToken');
  assert.match(body.error.message, /expiry UTC time .* is earlier than current UTC time/);
});
