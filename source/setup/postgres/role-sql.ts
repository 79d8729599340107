/**
 * The SQL of the database role: created with `pgaadauth_create_principal_with_oid` in database
 * `postgres` (where Azure keeps the function), granted in the app's database one object at a time, so
 * each statement is run by a role that can give it (docs/setup-postgres.md, "Who owns the database")
 * and undo takes back exactly what was given. Every name and value is quoted with pg's own
 * `escapeIdentifier` / `escapeLiteral`, so a name can never end a statement.
 */
import pg from 'pg';
import type { GrantItem } from '../../doctor/postgres-grants.ts';

const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

/** `select * from pgaadauth_create_principal_with_oid('<role>', '<oid>', 'service', false, false)`. */
export function createPrincipalSql(role: string, objectId: string): string {
  return `select * from pgaadauth_create_principal_with_oid(${literal(role)}, ${literal(objectId)}, 'service', false, false)`;
}

/** Privilege names come from `PROMISES` or a catalogue; only letters reach SQL text. */
function privilegeList(item: GrantItem): string {
  const names = item.privileges.filter((p) => /^[A-Z]+$/.test(p));
  if (names.length !== item.privileges.length) throw new Error(`not a privilege: ${item.privileges.join(', ')}`);
  return names.join(', ');
}

/** `DATABASE "orders"`, `SCHEMA "public"`, `TABLE "public"."customers"`, ... */
function objectOf(item: GrantItem): string {
  switch (item.on) {
    case 'database':
      return `DATABASE ${ident(item.name)}`;
    case 'schema':
      return `SCHEMA ${ident(item.name)}`;
    case 'table':
      return `TABLE ${ident('public')}.${ident(item.name)}`;
    case 'sequence':
      return `SEQUENCE ${ident('public')}.${ident(item.name)}`;
    case 'default':
      throw new Error('default privileges are not an object');
  }
}

/** The statement that gives `item` to `role`, run by `item.grantor`. */
export function grantSql(item: GrantItem, role: string): string {
  if (item.on === 'default')
    return `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(item.name)} IN SCHEMA ${ident('public')} GRANT ${privilegeList(item)} ON TABLES TO ${ident(role)}`;
  return `GRANT ${privilegeList(item)} ON ${objectOf(item)} TO ${ident(role)}`;
}

/** The statement that takes `item` back from `role`, run by the role that gave it. */
export function revokeSql(item: GrantItem, role: string): string {
  if (item.on === 'default')
    return `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(item.name)} IN SCHEMA ${ident('public')} REVOKE ${privilegeList(item)} ON TABLES FROM ${ident(role)}`;
  return `REVOKE ${privilegeList(item)} ON ${objectOf(item)} FROM ${ident(role)}`;
}

/** `DROP ROLE "<role>"` (in database `postgres`, once nothing is granted to it anywhere). */
export function dropRoleSql(role: string): string {
  return `DROP ROLE ${ident(role)}`;
}

export { ident, literal };
