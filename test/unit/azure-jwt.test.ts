import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwtPayload, identityFromToken } from '../../source/azure/jwt.ts';

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

test('a user token gives upn, object id, tenant and expiry', () => {
  const identity = identityFromToken(
    jwt({
      upn: 'dana@contoso.com',
      oid: 'o-1',
      tid: 't-1',
      idtyp: 'user',
      exp: 2_000_000_000,
      aud: 'https://management.core.windows.net/',
    }),
  );
  assert.deepEqual(identity, {
    user: 'dana@contoso.com',
    userType: 'user',
    objectId: 'o-1',
    tenantId: 't-1',
    appId: undefined,
    expiresOnMs: 2_000_000_000_000,
    audience: 'https://management.core.windows.net/',
  });
});

test('guest and personal accounts fall back to unique_name, then preferred_username', () => {
  assert.equal(
    identityFromToken(jwt({ unique_name: 'live.com#dana@outlook.com', oid: 'o' }))?.user,
    'live.com#dana@outlook.com',
  );
  assert.equal(
    identityFromToken(jwt({ preferred_username: 'dana@fabrikam.com', oid: 'o' }))?.user,
    'dana@fabrikam.com',
  );
});

test('apps are told apart from users: service principal by appid, managed identity by xms_mirid', () => {
  const sp = identityFromToken(jwt({ appid: 'app-1', oid: 'o-2', tid: 't', idtyp: 'app' }))!;
  assert.equal(sp.userType, 'servicePrincipal');
  assert.equal(sp.user, 'app-1');
  assert.equal(sp.appId, 'app-1');
  const legacy = identityFromToken(jwt({ appid: 'app-2', oid: 'o-3' }))!;
  assert.equal(legacy.userType, 'servicePrincipal');
  const mi = identityFromToken(
    jwt({
      appid: 'app-3',
      oid: 'o-4',
      idtyp: 'app',
      xms_mirid: '/subscriptions/s/.../userAssignedIdentities/id',
    }),
  )!;
  assert.equal(mi.userType, 'managedIdentity');
});

test('what is not a JWT decodes to nothing', () => {
  assert.equal(decodeJwtPayload('not-a-token'), undefined);
  assert.equal(decodeJwtPayload('a.!!!.c'), undefined);
  assert.equal(decodeJwtPayload(`x.${Buffer.from('[1]').toString('base64url')}.y`), undefined);
});
