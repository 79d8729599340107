/**
 * Access tokens the twin issues: HS256 JWTs, deterministic per (principal, audience) for the life of
 * a twin (iat = the twin's start time), because a token is also the password of the principal's
 * database role and PostgreSQL must be able to compute it inside `pgaadauth_create_principal_with_oid`
 * (see test/servers/pgaadauth.sql, which reimplements `dbTokenPayload` + signing in plpgsql).
 *
 * Payload key order is part of the format (the SQL side builds the same bytes):
 *   {"aud","iss","iat","nbf","exp","oid","sub","tid","idtyp"} then, for ARM and Graph audiences only,
 *   "upn" and "name" (users) or "appid" and "name" (apps).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenConfig {
  secret: string;
  /** Seconds since the epoch; iat/nbf of every token; exp = t0 + lifetimeSeconds. */
  t0: number;
  lifetimeSeconds: number;
}

export interface TokenSubject {
  objectId: string;
  tenantId: string;
  /** `user` for users, `app` for service principals and managed identities. */
  idtyp: 'user' | 'app';
  upn?: string;
  name?: string;
  appId?: string;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  oid: string;
  sub: string;
  tid: string;
  idtyp: 'user' | 'app';
  upn?: string;
  name?: string;
  appid?: string;
}

const HEADER = base64url(Buffer.from('{"alg":"HS256","typ":"JWT"}'));

export function base64url(data: Buffer): string {
  return data.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Issues the token for `subject` and `audience`. `withProfile` adds upn/name/appid (ARM and Graph). */
export function issueToken(
  config: TokenConfig,
  subject: TokenSubject,
  audience: string,
  withProfile: boolean,
): string {
  const claims: TokenClaims = {
    aud: audience,
    iss: `https://sts.twin.test/${subject.tenantId}/`,
    iat: config.t0,
    nbf: config.t0,
    exp: config.t0 + config.lifetimeSeconds,
    oid: subject.objectId,
    sub: subject.objectId,
    tid: subject.tenantId,
    idtyp: subject.idtyp,
  };
  if (withProfile) {
    if (subject.idtyp === 'user') {
      if (subject.upn) claims.upn = subject.upn;
      if (subject.name) claims.name = subject.name;
    } else {
      if (subject.appId) claims.appid = subject.appId;
      if (subject.name) claims.name = subject.name;
    }
  }
  const payload = base64url(Buffer.from(JSON.stringify(claims)));
  return `${HEADER}.${payload}.${sign(config.secret, `${HEADER}.${payload}`)}`;
}

/** Verifies signature and lifetime; returns the claims or undefined. */
export function verifyToken(config: TokenConfig, token: string, nowSeconds: number): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(config.secret, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return undefined;
  }
  if (nowSeconds < claims.nbf || nowSeconds >= claims.exp) return undefined;
  return claims;
}

function sign(secret: string, data: string): string {
  return base64url(createHmac('sha256', secret).update(data).digest());
}
