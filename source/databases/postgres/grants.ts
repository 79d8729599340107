/**
 * What setup promises the app's PostgreSQL role in its database, who can give each promise, and what
 * the role holds now: read by the doctor's `database-user` check, the setup's plan and step, its
 * final check and its undo, so all of them speak of the same grants.
 *
 * On Azure a database made through ARM belongs to the server's password admin (or azuresu), and its
 * schema `public` to pg_database_owner, i.e. the same owner; the Entra admin is an azure_pg_admin
 * member, not a superuser, and can grant only on what it owns or holds WITH GRANT OPTION
 * (docs/setup-postgres.md, "Who owns the database"). Rights count only when the role holds them itself
 * or through a role it inherits from: what PUBLIC holds by default (CONNECT, USAGE on public) is no
 * promise kept, since anyone may revoke it from PUBLIC. Every value is a bound parameter.
 */

import { type PrivilegeRow, SQL_OF } from './grant-queries.ts';

/** The grants setup promises: `least` (the default) or `owner` (what the Azure CLI grants). */
export type GrantMode = 'least' | 'owner';

/** What a grant is on: the database, schema `public`, one table or sequence in it, or the default privileges of the tables a role makes there later. */
export type GrantOn = 'database' | 'schema' | 'table' | 'sequence' | 'default';

/** Some privileges on one object, and the role that can give them (or gave them). */
export type GrantItem = {
  on: GrantOn;
  /** The database's, table's or sequence's name; `public` for the schema; for `default`, the role whose future tables are meant. */
  name: string;
  /** Upper-case privilege names, e.g. `SELECT`. */
  privileges: string[];
  /** The role that gives them: the signed-in admin when it can, else the object's owner. */
  grantor: string;
};

/** The privileges promised on each kind of object. `owner` gives what `az ... connection create` gives. */
export const PROMISES: Record<GrantMode, Record<GrantOn, readonly string[]>> = {
  least: {
    database: ['CONNECT'],
    schema: ['USAGE', 'CREATE'],
    table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    sequence: ['USAGE', 'SELECT'],
    // The tables the database owner (its migrations) makes later are the app's too.
    default: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  },
  owner: {
    database: ['CREATE', 'CONNECT', 'TEMPORARY'],
    schema: ['USAGE', 'CREATE'],
    table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
    sequence: ['USAGE', 'SELECT', 'UPDATE'],
    default: [],
  },
};

/** The Azure superuser nobody but Azure can log in as: what it owns, nobody else can grant on. */
export const AZURE_SUPERUSER = 'azuresu';

/** Who owns what the promises are on. */
export interface Ownership {
  /** The signed-in role (`current_user`). */
  signedIn: string;
  database: { name: string; owner: string };
  /** `public`'s owner as PostgreSQL names it (`pg_database_owner` from PostgreSQL 15 on). */
  schemaOwner: string;
  /** Tables (and views) and sequences in `public`. */
  relations: { name: string; kind: 'table' | 'sequence'; owner: string }[];
}

export interface GrantState {
  ownership: Ownership;
  /** Whether the role exists at all. */
  roleExists: boolean;
  /** Every promise, by object, with who can give it (the signed-in admin when it can). */
  promised: GrantItem[];
  /** The promised privileges the role lacks, by object and giver (all of them while it does not exist). */
  missing: GrantItem[];
}

/** A connected client in the app's database (pg's `Client` fits). */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/**
 * Reads, as the signed-in role in the app's database, who owns what the promises of `mode` are on,
 * which of them that role can give, and which `role` (the app's, possibly not created yet) lacks.
 */
export async function readGrantState(client: Queryable, role: string, mode: GrantMode): Promise<GrantState> {
  const exists = (await client.query('select 1 from pg_roles where rolname = $1', [role])).rows.length > 0;
  const roleParam = exists ? role : null;
  const { rows: who } = await client.query('select current_user as signed_in');
  const signedIn = String(who[0]?.signed_in ?? '');
  const rows: PrivilegeRow[] = [];
  for (const on of Object.keys(SQL_OF) as GrantOn[]) {
    const privileges = PROMISES[mode][on];
    if (privileges.length === 0) continue;
    const result = await client.query(SQL_OF[on], [privileges, roleParam]);
    rows.push(...(result.rows as PrivilegeRow[]));
  }
  const databaseRow = rows.find((r) => r.kind === 'database');
  const schemaRow = rows.find((r) => r.kind === 'schema');
  const database = { name: databaseRow?.name ?? '', owner: databaseRow?.owner ?? '' };
  const ownership: Ownership = {
    signedIn,
    database,
    schemaOwner: schemaRow?.owner ?? '',
    relations: unique(
      rows
        .filter((r) => r.kind === 'table' || r.kind === 'sequence')
        .map((r) => ({ name: r.name, kind: r.kind as 'table' | 'sequence', owner: r.owner })),
    ),
  };
  // `public` belongs to pg_database_owner: whoever owns the database.
  const giverOf = (row: PrivilegeRow) =>
    row.can_grant ? signedIn : row.owner === 'pg_database_owner' ? database.owner : row.owner;
  return {
    ownership,
    roleExists: exists,
    promised: group(rows, giverOf),
    missing: group(
      rows.filter((r) => !r.held),
      giverOf,
    ),
  };
}

function unique<T extends { name: string; kind: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}:${item.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One item per object and giver, privileges in promise order. */
function group<R extends { kind: GrantOn; name: string; privilege: string }>(
  rows: readonly R[],
  giverOf: (row: R) => string,
): GrantItem[] {
  const items = new Map<string, GrantItem>();
  for (const row of rows) {
    const grantor = giverOf(row);
    const key = JSON.stringify([row.kind, row.name, grantor]);
    const item = items.get(key) ?? { on: row.kind, name: row.name, privileges: [], grantor };
    item.privileges.push(row.privilege);
    items.set(key, item);
  }
  return [...items.values()];
}

/** `CONNECT on database orders`, `SELECT, INSERT on 2 tables`: promises in words, for plans and checks. */
export function describeItems(items: readonly GrantItem[]): string[] {
  const words: string[] = [];
  const byKind = new Map<string, GrantItem[]>();
  for (const item of items) {
    const key = `${item.on}|${item.privileges.join(', ')}`;
    byKind.set(key, [...(byKind.get(key) ?? []), item]);
  }
  for (const [key, group] of byKind) {
    const [on, privileges] = key.split('|') as [GrantOn, string];
    const names = group.map((item) => item.name);
    const where =
      on === 'database'
        ? `database ${names.join(', ')}`
        : on === 'schema'
          ? 'schema public'
          : on === 'default'
            ? `tables ${names.join(', ')} makes later in public`
            : `${on === 'table' ? 'table' : 'sequence'}${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
    words.push(`${privileges} on ${where}`);
  }
  return words;
}

/** The promises of `mode` in words, before anything is read: `CONNECT on database orders`, ... */
export function describePromises(mode: GrantMode, database: string): string[] {
  const promises = PROMISES[mode];
  return [
    `${promises.database.join(', ')} on database ${database}`,
    `${promises.schema.join(', ')} on schema public`,
    `${promises.table.join(', ')} on every table in public`,
    `${promises.sequence.join(', ')} on every sequence in public`,
    ...(promises.default.length > 0
      ? [`${promises.default.join(', ')} on the tables the database's owner makes there later`]
      : []),
  ];
}

/** The givers other than the signed-in role, each with what only it can give. */
export function ownersOf(items: readonly GrantItem[], signedIn: string): Map<string, GrantItem[]> {
  const owners = new Map<string, GrantItem[]>();
  for (const item of items) {
    if (item.grantor === signedIn) continue;
    owners.set(item.grantor, [...(owners.get(item.grantor) ?? []), item]);
  }
  return owners;
}

/**
 * Every privilege the database's catalogue shows given to `role` on what the promises are about (the
 * database, schema `public`, its tables and sequences, default privileges in `public`), by object and
 * by the role that gave it: what undo has to take back, and who has to do it.
 */
export async function grantsHeldBy(client: Queryable, role: string): Promise<GrantItem[]> {
  const { rows } = await client.query(
    `with r as (select oid from pg_roles where rolname = $1),
          dbo as (select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database())
     select 'database' as kind, d.datname as name, a.privilege_type as privilege, pg_get_userbyid(a.grantor) as grantor
       from pg_database d cross join aclexplode(d.datacl) a
      where d.datname = current_database() and a.grantee = (select oid from r)
     union all
     select 'schema', n.nspname, a.privilege_type, pg_get_userbyid(a.grantor)
       from pg_namespace n cross join aclexplode(n.nspacl) a
      where n.nspname = 'public' and a.grantee = (select oid from r)
     union all
     select case when c.relkind = 'S' then 'sequence' else 'table' end, c.relname, a.privilege_type,
            pg_get_userbyid(a.grantor)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join aclexplode(c.relacl) a
      where n.nspname = 'public' and a.grantee = (select oid from r)
     union all
     select 'default', pg_get_userbyid(d.defaclrole), a.privilege_type, pg_get_userbyid(a.grantor)
       from pg_default_acl d cross join aclexplode(d.defaclacl) a
      where d.defaclobjtype = 'r' and d.defaclnamespace = (select oid from pg_namespace where nspname = 'public')
        and a.grantee = (select oid from r)
     order by 1, 2, 3`,
    [role],
  );
  const { rows: owner } = await client.query(
    'select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()',
  );
  const databaseOwner = String(owner[0]?.owner ?? '');
  // A grant by pg_database_owner (on `public`) is taken back by whoever owns the database.
  return group(rows as { kind: GrantOn; name: string; privilege: string; grantor: string }[], (row) =>
    row.grantor === 'pg_database_owner' ? databaseOwner : row.grantor,
  );
}
