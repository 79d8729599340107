/**
 * The database-level security catalogue of every Azure SQL database behind the twin: contained users
 * created from Entra, fixed-role memberships and database permissions. It is plain JSON so the twin's
 * state endpoint shows it and tests can compare it before and after. Built-in principals (dbo, guest,
 * the fixed roles) are not stored: they exist in every database and are added when views are read.
 */
import type { Principal } from '../api.ts';

/** A contained database user mapped to an Entra principal (`CREATE USER ... FROM EXTERNAL PROVIDER`). */
export interface SqlDatabaseUser {
  name: string;
  principalId: number;
  /** `E` EXTERNAL_USER (users, service principals, managed identities); `X` EXTERNAL_GROUP. */
  type: 'E' | 'X';
  /** Entra object id of the principal. */
  objectId: string;
  /**
   * The SID as Azure stores it, hex `0x...`: the object id for users and groups, the application
   * (client) id for service principals and managed identities, each as uniqueidentifier bytes.
   */
  sid: string;
  /** Object id of the login that ran CREATE USER. */
  createdBy: string;
}

/** A database-scoped permission row (`GRANT CONTROL ON DATABASE::[db] TO [user]`). */
export interface SqlPermission {
  permission: string;
  state: 'GRANT' | 'DENY';
  grantee: string;
}

export interface SqlDatabaseCatalog {
  users: SqlDatabaseUser[];
  /** Fixed database role name → member user names. */
  roles: Record<string, string[]>;
  permissions: SqlPermission[];
}

/** Everything, keyed by logical server name (lower case) and then database name as ARM spells it. */
export interface SqlCatalogState {
  servers: Record<string, { databases: Record<string, SqlDatabaseCatalog> }>;
}

/** Fixed database roles of Azure SQL Database with their principal ids. */
export const FIXED_ROLES: Record<string, number> = {
  db_owner: 16384,
  db_accessadmin: 16385,
  db_securityadmin: 16386,
  db_ddladmin: 16387,
  db_backupoperator: 16389,
  db_datareader: 16390,
  db_datawriter: 16391,
  db_denydatareader: 16392,
  db_denydatawriter: 16393,
};

/** Users that exist in every database (principal ids 1-4) plus the `public` role (0). */
export const BUILT_IN_PRINCIPALS = ['public', 'dbo', 'guest', 'INFORMATION_SCHEMA', 'sys'];

/** The first principal id the engine gives to a user created in a fresh database. */
const FIRST_USER_ID = 5;

export function emptyCatalog(): SqlCatalogState {
  return { servers: {} };
}

/** The catalogue of one database, created empty on first use. */
export function databaseCatalog(
  state: SqlCatalogState,
  server: string,
  database: string,
): SqlDatabaseCatalog {
  const key = server.toLowerCase();
  state.servers[key] ??= { databases: {} };
  const databases = state.servers[key].databases;
  const existing = Object.keys(databases).find((name) => sameName(name, database));
  if (existing) return databases[existing]!;
  const created: SqlDatabaseCatalog = { users: [], roles: {}, permissions: [] };
  databases[database] = created;
  return created;
}

/** Identifier comparison under the default collation SQL_Latin1_General_CP1_CI_AS (case-insensitive). */
export function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0 && a.length === b.length;
}

export function nextPrincipalId(catalog: SqlDatabaseCatalog): number {
  return Math.max(FIRST_USER_ID - 1, ...catalog.users.map((u) => u.principalId)) + 1;
}

/** A GUID as SQL Server's uniqueidentifier bytes in `0x...` form (the first three groups little-endian). */
export function sidOf(guid: string): string {
  const hex = guid.replace(/-/g, '').toLowerCase();
  const swap = (s: string) => s.match(/../g)!.reverse().join('');
  return `0x${(swap(hex.slice(0, 8)) + swap(hex.slice(8, 12)) + swap(hex.slice(12, 16)) + hex.slice(16)).toUpperCase()}`;
}

/** The SID Azure gives the database user of `principal`: object id for users, client id for applications. */
export function sidFor(principal: Principal): string {
  return sidOf(principal.kind === 'user' ? principal.objectId : (principal.appId ?? principal.objectId));
}

/**
 * Adds the contained user `name` for `principal` (with the CONNECT grant the engine gives every new
 * user), as `CREATE USER [name] FROM EXTERNAL PROVIDER` does. Tests and scenarios use it to seed a user
 * that exists from before; the caller has checked that neither name nor SID is taken.
 */
export function addUser(
  catalog: SqlDatabaseCatalog,
  name: string,
  principal: Principal,
  createdBy: string,
): SqlDatabaseUser {
  const user: SqlDatabaseUser = {
    name,
    principalId: nextPrincipalId(catalog),
    type: 'E',
    objectId: principal.objectId,
    sid: sidFor(principal),
    createdBy,
  };
  catalog.users.push(user);
  catalog.permissions.push({ permission: 'CONNECT', state: 'GRANT', grantee: name });
  return user;
}
