/**
 * The SQL of the database role: created with `pgaadauth_create_principal_with_oid` in database
 * `postgres` (where Azure keeps the function), granted in the app's database one object at a time, so
 * each statement is run by a role that can give it (docs/setup-postgres.md, "Who owns the database")
 * and undo takes back exactly what was given. Every name and value is quoted with pg's own
 * `escapeIdentifier` / `escapeLiteral`, so a name can never end a statement.
 */
import pg from 'pg';
import type { GrantItem } from './grants.ts';

const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

/** `select * from pgaadauth_create_principal_with_oid('<role>', '<oid>', 'service', false, false)`. */
export function createPrincipalSql(role: string, objectId: string): string {
  return `select * from pgaadauth_create_principal_with_oid(${literal(role)}, ${literal(objectId)}, 'service', false, false)`;
}

/** Privilege names come from `PROMISES` or a catalogue; only letters reach SQL text. */
function privilegeList(item: GrantItem): string {
  const names = item.privileges.filter((p) => /^[A-Z]+$/.test(p));
  if (names.length !== item.privileges.length)
    throw new Error(`not a privilege: ${item.privileges.join(', ')}`);
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

/**
 * One statement that takes back from `role` every privilege in the current database that the role
 * running it gave (or, as owner, can take back): on the database, schema `public`, its tables and
 * sequences, and the default privileges in `public`. For a person undoing by hand a role this run
 * made: it revokes what the catalogue shows, tables made after the run included, so the DROP ROLE
 * after it does not fail on a privilege nobody listed.
 */
export function revokeGivenSql(role: string): string {
  const body = [
    'DECLARE target name := ',
    literal(role),
    '; statement text; BEGIN FOR statement IN ',
    "SELECT format('REVOKE %s ON DATABASE %I FROM %I', a.privilege_type, d.datname, target) FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() AND a.grantee = target::regrole AND pg_has_role(a.grantor, 'USAGE') ",
    "UNION ALL SELECT format('REVOKE %s ON SCHEMA %I FROM %I', a.privilege_type, n.nspname, target) FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee = target::regrole AND pg_has_role(a.grantor, 'USAGE') ",
    "UNION ALL SELECT format('REVOKE %s ON %s %I.%I FROM %I', a.privilege_type, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname, target) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a WHERE n.nspname = 'public' AND a.grantee = target::regrole AND pg_has_role(a.grantor, 'USAGE') ",
    "UNION ALL SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public REVOKE %s ON TABLES FROM %I', pg_get_userbyid(d.defaclrole), a.privilege_type, target) FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclobjtype = 'r' AND d.defaclnamespace = 'public'::regnamespace AND a.grantee = target::regrole AND pg_has_role(d.defaclrole, 'USAGE') ",
    'LOOP EXECUTE statement; END LOOP; END',
  ].join('');
  let tag = '$sc_doctor$';
  for (let n = 1; body.includes(tag.slice(0, -1)); n++) tag = `$sc_doctor_${n}$`;
  return `DO ${tag} ${body} ${tag}`;
}
