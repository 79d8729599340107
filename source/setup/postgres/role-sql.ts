/**
 * The SQL of the database role: created with `pgaadauth_create_principal_with_oid` in database
 * `postgres` (where Azure keeps the function), granted in the app's database. Every name and value is
 * quoted with pg's own `escapeIdentifier` / `escapeLiteral`, so a name can never end a statement.
 */
import pg from 'pg';

const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

/** `select * from pgaadauth_create_principal_with_oid('<role>', '<oid>', 'service', false, false)`. */
export function createPrincipalSql(role: string, objectId: string): string {
  return `select * from pgaadauth_create_principal_with_oid(${literal(role)}, ${literal(objectId)}, 'service', false, false)`;
}

/**
 * The grants in the app's database. `least`: connect, use and create in schema public, read and write
 * every table (and those created later by the granting admin) and use the sequences. `owner`: what the
 * Azure CLI grants (all privileges on the database, tables and sequences, create on public).
 */
export function grantSql(role: string, database: string, grants: 'least' | 'owner'): string[] {
  const r = ident(role);
  const d = ident(database);
  if (grants === 'owner')
    return [
      `GRANT ALL PRIVILEGES ON DATABASE ${d} TO ${r}`,
      `GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO ${r}`,
      `GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
      `GRANT CREATE ON SCHEMA public TO ${r}`,
    ];
  return [
    `GRANT CONNECT ON DATABASE ${d} TO ${r}`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
  ];
}

/** Takes back every grant `grantSql` made, so the role can be dropped (in the app's database). */
export function revokeSql(role: string, database: string): string[] {
  const r = ident(role);
  return [
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON SCHEMA public FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON DATABASE ${ident(database)} FROM ${r}`,
  ];
}

/** `DROP ROLE "<role>"` (in database `postgres`, after `revokeSql` in the app's database). */
export function dropRoleSql(role: string): string {
  return `DROP ROLE ${ident(role)}`;
}

export { ident, literal };
