/** The twin's cloud endpoints and audiences (a custom cloud, as `az cloud register` allows). */

/** Audience of ARM tokens (the cloud's `activeDirectoryResourceId`). */
export const ARM_AUDIENCE = 'https://management.twin.test/';
/** Audience of PostgreSQL/MySQL Entra tokens (`ossrdbmsResourceId`). */
export const OSSRDBMS_AUDIENCE = 'https://ossrdbms-aad.twin.test';
/** Audience of Azure SQL tokens (`activeDirectorySqlResourceId`). */
export const SQL_AUDIENCE = 'https://database.twin.test/';
export const AUTHORITY = 'https://login.twin.test';
export const TENANT_DOMAIN = 'contoso.twin.test';

/** A resource or scope as SDKs send it, reduced to the audience: `/.default` dropped, no trailing slash. */
export function canonicalAudience(resourceOrScope: string): string {
  return resourceOrScope
    .trim()
    .replace(/\/\.default$/i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

export function sameAudience(a: string, b: string): boolean {
  return canonicalAudience(a) === canonicalAudience(b);
}

/**
 * The audience a token is issued for: the resource as asked, `/.default` dropped. ARM keeps its trailing
 * slash (Entra issues `https://management.core.windows.net/` that way); others keep what was sent.
 */
export function issuedAudience(resourceOrScope: string): string {
  const resource = resourceOrScope.trim().replace(/\/\.default$/i, '');
  if (sameAudience(resource, ARM_AUDIENCE)) return ARM_AUDIENCE;
  return resource;
}
