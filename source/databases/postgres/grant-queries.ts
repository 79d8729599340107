/**
 * The catalogue queries behind `readGrantState` (grants.ts): for each kind of object a promise is on,
 * who owns it, whether the signed-in role can give each privilege, and whether the app's role holds
 * it itself (`$1`: the privileges, `$2`: the app's role or null). Every value is a bound parameter.
 */
import type { GrantOn } from './grants.ts';

/** One privilege on one object, as the queries answer. */
export interface PrivilegeRow {
  name: string;
  kind: GrantOn;
  owner: string;
  privilege: string;
  can_grant: boolean;
  held: boolean;
}

/**
 * `held`: the role has the right (`has_*_privilege`) and an ACL entry for it names the role or a role
 * it inherits from; PUBLIC's entries (grantee 0) never count. Objects without an ACL have their
 * owner's default one (`acldefault`).
 */
function heldSql(hasFunction: string, object: string, acl: string): string {
  return `($2::text is not null and ${hasFunction}($2::text, ${object}, p.privilege) and exists (
            select from aclexplode(${acl}) a
             where a.grantee <> 0 and a.privilege_type = p.privilege and pg_has_role($2::text, a.grantee, 'USAGE')))`;
}

const DATABASE_SQL = `
  select d.datname as name, 'database' as kind, pg_get_userbyid(d.datdba) as owner, p.privilege,
         has_database_privilege(d.oid, p.privilege || ' WITH GRANT OPTION') as can_grant,
         ${heldSql('has_database_privilege', 'd.oid', "coalesce(d.datacl, acldefault('d', d.datdba))")} as held
    from pg_database d cross join unnest($1::text[]) with ordinality as p(privilege, ord)
   where d.datname = current_database()
   order by p.ord`;

const SCHEMA_SQL = `
  select n.nspname as name, 'schema' as kind, pg_get_userbyid(n.nspowner) as owner, p.privilege,
         has_schema_privilege(n.oid, p.privilege || ' WITH GRANT OPTION') as can_grant,
         ${heldSql('has_schema_privilege', 'n.oid', "coalesce(n.nspacl, acldefault('n', n.nspowner))")} as held
    from pg_namespace n cross join unnest($1::text[]) with ordinality as p(privilege, ord)
   where n.nspname = 'public'
   order by p.ord`;

/** Tables, partitioned tables, views, materialized views and foreign tables: what `ALL TABLES` covers. */
const TABLES_SQL = `
  select c.relname as name, 'table' as kind, pg_get_userbyid(c.relowner) as owner, p.privilege,
         has_table_privilege(c.oid, p.privilege || ' WITH GRANT OPTION') as can_grant,
         ${heldSql('has_table_privilege', 'c.oid', "coalesce(c.relacl, acldefault('r', c.relowner))")} as held
    from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join unnest($1::text[]) with ordinality as p(privilege, ord)
   where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
   order by c.relname, p.ord`;

const SEQUENCES_SQL = `
  select c.relname as name, 'sequence' as kind, pg_get_userbyid(c.relowner) as owner, p.privilege,
         has_sequence_privilege(c.oid, p.privilege || ' WITH GRANT OPTION') as can_grant,
         ${heldSql('has_sequence_privilege', 'c.oid', "coalesce(c.relacl, acldefault('s', c.relowner))")} as held
    from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join unnest($1::text[]) with ordinality as p(privilege, ord)
   where n.nspname = 'public' and c.relkind = 'S'
   order by c.relname, p.ord`;

/**
 * Default privileges for the tables the database owner makes later in `public`: only that owner (or a
 * role that may SET ROLE to it) can change them; held when pg_default_acl names the role for them.
 */
const DEFAULT_SQL = `
  select o.rolname as name, 'default' as kind, o.rolname as owner, p.privilege,
         (o.oid = (select oid from pg_roles where rolname = current_user)
          or case when current_setting('server_version_num')::int >= 160000
                  then pg_has_role(o.oid, 'SET') else pg_has_role(o.oid, 'MEMBER') end) as can_grant,
         ($2::text is not null and exists (
            select from pg_default_acl d cross join aclexplode(d.defaclacl) a
             where d.defaclrole = o.oid and d.defaclobjtype = 'r'
               and d.defaclnamespace in (0, (select oid from pg_namespace where nspname = 'public'))
               and a.privilege_type = p.privilege
               and a.grantee = (select oid from pg_roles where rolname = $2::text))) as held
    from pg_database db join pg_roles o on o.oid = db.datdba cross join unnest($1::text[]) with ordinality as p(privilege, ord)
   where db.datname = current_database()
   order by p.ord`;

export const SQL_OF: Record<GrantOn, string> = {
  database: DATABASE_SQL,
  schema: SCHEMA_SQL,
  table: TABLES_SQL,
  sequence: SEQUENCES_SQL,
  default: DEFAULT_SQL,
};
