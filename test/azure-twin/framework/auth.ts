/** Bearer-token checks for ARM and Graph routes, with ARM's 401 texts and WWW-Authenticate header. */
import { AzureError, type Principal, type World } from '../api.ts';
import { type TokenClaims, type TokenConfig, verifyToken } from '../tokens.ts';
import { AUTHORITY, sameAudience } from './audiences.ts';

export function wwwAuthenticate(world: World): string {
  return `Bearer authorization_uri="${AUTHORITY}/${world.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`;
}

/** Verifies the request's bearer token for `audience`; returns its claims or throws ARM's 401. */
export function authenticate(
  authorization: string | undefined,
  audience: string,
  config: TokenConfig,
  nowSeconds: number,
): TokenClaims {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) {
    throw new AzureError(
      401,
      'InvalidAuthenticationToken',
      "Authentication failed. The 'Authorization' header is missing.",
    );
  }
  const claims = verifyToken(config, match[1]!, nowSeconds);
  if (!claims) {
    const expired = decodeExp(match[1]!);
    // One code for missing, malformed and expired tokens (the twin's contract); the text tells them apart.
    throw new AzureError(
      401,
      'InvalidAuthenticationToken',
      expired !== undefined && expired <= nowSeconds
        ? `The access token expiry UTC time '${new Date(expired * 1000).toISOString()}' is earlier than current UTC time '${new Date(nowSeconds * 1000).toISOString()}'.`
        : 'The access token is invalid.',
    );
  }
  if (!sameAudience(claims.aud, audience)) {
    throw new AzureError(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences '${audience}'.`,
    );
  }
  return claims;
}

function decodeExp(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/** The caller of a verified token: the known principal, or one made from the claims. */
export function callerOf(claims: TokenClaims, lookup: (id: string) => Principal | undefined): Principal {
  const known = lookup(claims.oid);
  if (known) return known;
  return {
    objectId: claims.oid,
    tenantId: claims.tid,
    kind: claims.idtyp === 'user' ? 'user' : 'servicePrincipal',
    displayName: claims.name ?? claims.oid,
    ...(claims.upn ? { userPrincipalName: claims.upn } : {}),
    ...(claims.appid ? { appId: claims.appid } : {}),
  };
}
