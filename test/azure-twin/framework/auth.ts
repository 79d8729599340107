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
  // ARM's own codes, as clients see them (e.g. hashicorp/terraform-provider-azurerm#3612,
  // Azure/azure-sdk-for-python#4124): a missing header and a header that is not `Bearer <token>` fail
  // before the token is read; a token that does not verify is invalid; a verified one past `exp` is expired.
  if (!authorization) {
    throw new AzureError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) {
    throw new AzureError(
      401,
      'AuthenticationFailedInvalidHeader',
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    );
  }
  const claims = verifyToken(config, match[1]!, nowSeconds);
  if (!claims) {
    const expired = decodeExp(match[1]!);
    if (expired !== undefined && expired <= nowSeconds && verifyToken(config, match[1]!, expired - 1)) {
      throw new AzureError(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${utc(expired)}' is earlier than current UTC time '${utc(nowSeconds)}'.`,
      );
    }
    throw new AzureError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
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

/** ARM prints times like `11/26/2026 14:22:10`. */
function utc(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
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
