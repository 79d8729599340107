/**
 * Reads who a token belongs to from its claims, locally: no signature check (the token came from az
 * over its own trusted channel; we only need the identity, never to trust it for access decisions).
 */

/** The identity facts the doctor shows; never includes the token itself. */
export interface TokenIdentity {
  /** upn / unique_name / preferred_username for users; app id for applications. */
  user: string | undefined;
  userType: 'user' | 'servicePrincipal' | 'managedIdentity' | 'unknown';
  objectId: string | undefined;
  tenantId: string | undefined;
  /** Application (client) id for apps. */
  appId: string | undefined;
  /** `exp` in milliseconds since the epoch. */
  expiresOnMs: number | undefined;
  audience: string | undefined;
}

/** The payload of a JWT as an object, or `undefined` when it is not a JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length < 2 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function identityFromToken(token: string): TokenIdentity | undefined {
  const claims = decodeJwtPayload(token);
  return claims ? identityFromClaims(claims) : undefined;
}

export function identityFromClaims(claims: Record<string, unknown>): TokenIdentity {
  const text = (key: string) =>
    typeof claims[key] === 'string' && claims[key] !== '' ? (claims[key] as string) : undefined;
  const appId = text('appid') ?? text('azp');
  const name = text('upn') ?? text('unique_name') ?? text('preferred_username') ?? text('email');
  const idtyp = text('idtyp');
  // Managed identities carry `xms_mirid` (their ARM id); other apps are service principals.
  const isApp = idtyp === 'app' || (idtyp === undefined && name === undefined && appId !== undefined);
  const userType: TokenIdentity['userType'] = isApp
    ? text('xms_mirid')
      ? 'managedIdentity'
      : 'servicePrincipal'
    : name !== undefined || idtyp === 'user'
      ? 'user'
      : 'unknown';
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const aud = Array.isArray(claims.aud) ? String(claims.aud[0]) : text('aud');
  return {
    user: isApp ? (appId ?? text('oid')) : (name ?? text('oid')),
    userType,
    objectId: text('oid'),
    tenantId: text('tid'),
    appId,
    expiresOnMs: exp,
    audience: aud,
  };
}
