/** Principals and token settings the database tests share (a stand-in for what the twin would pass). */
import type { Principal } from '../../azure-twin/api.ts';
import { issueToken, type TokenConfig } from '../../azure-twin/tokens.ts';

export const AUDIENCE = 'https://ossrdbms-aad.database.windows.net';
export const TENANT = '72f988bf-0000-4000-8000-00000000000a';

/** A `$&` and a quote in the secret: both must survive templating into SQL. */
export const tokenConfig: TokenConfig = {
  secret: "s3cr$&t'with-quote",
  t0: Math.floor(Date.now() / 1000) - 60,
  lifetimeSeconds: 3600,
};

export const adminUser: Principal = {
  objectId: '11111111-1111-4111-8111-111111111111',
  tenantId: TENANT,
  kind: 'user',
  displayName: 'Dana Admin',
  userPrincipalName: 'dana@contoso.twin.test',
};

export const ordersIdentity: Principal = {
  objectId: '22222222-2222-4222-8222-222222222222',
  appId: '33333333-3333-4333-8333-333333333333',
  tenantId: TENANT,
  kind: 'managedIdentity',
  displayName: 'orders-app',
};

export const strangerIdentity: Principal = {
  objectId: '55555555-5555-4555-8555-555555555555',
  appId: '66666666-6666-4666-8666-666666666666',
  tenantId: TENANT,
  kind: 'servicePrincipal',
  displayName: 'someone-else',
};

export function directory(principals: Principal[]): (id: string) => Principal | undefined {
  return (id) => principals.find((p) => p.objectId === id || p.appId === id);
}

/** The token the twin would issue to `principal` for the ossrdbms audience. */
export function dbToken(
  principal: Principal,
  config: TokenConfig = tokenConfig,
  audience = AUDIENCE,
): string {
  return issueToken(
    config,
    {
      objectId: principal.objectId,
      tenantId: principal.tenantId,
      idtyp: principal.kind === 'user' ? 'user' : 'app',
    },
    audience,
    false,
  );
}
