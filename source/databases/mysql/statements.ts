/**
 * The SQL of the MySQL user: Azure's `CREATE AADUSER` for the app's client id, and grants on the
 * app's database only. User names and ids are string literals quoted by mysql2's `escape`; the
 * database is a backtick identifier with backticks doubled, so no name can end a statement.
 */
import { escape as escapeValue } from 'mysql2';

/** `'<text>'`, quoted as mysql2 quotes values. */
export const literal = (text: string): string => escapeValue(text);

/**
 * The database as a grant names it: backticks doubled, and `_` and `%` escaped because GRANT reads
 * them as wildcards (`orders_1` would also cover `ordersX1`).
 */
export function grantDatabase(database: string): string {
  return `\`${database.replace(/[\\_%]/g, '\\$&').replace(/`/g, '``')}\`.*`;
}

/** `'<user>'@'%'`: Azure creates Entra users for any host. */
export const account = (user: string): string => `${literal(user)}@'%'`;

/** What an app needs to read, write and migrate its own schema in its one database. */
export const LEAST_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'ALTER',
  'INDEX',
  'DROP',
  'REFERENCES',
  'CREATE TEMPORARY TABLES',
  'LOCK TABLES',
] as const;

/** Azure's statements: OID validation off (the id is a client id, not an object id), then the user. */
export function createUserSql(user: string, clientId: string): string[] {
  return [
    'SET aad_auth_validate_oids_in_tenant = OFF',
    `CREATE AADUSER ${literal(user)} IDENTIFIED BY ${literal(clientId)}`,
  ];
}

/** `least`: the privileges above on the database; `owner`: all privileges on it, as the Azure CLI grants. */
export function grantSql(user: string, database: string, grants: 'least' | 'owner'): string {
  const privileges = grants === 'owner' ? 'ALL PRIVILEGES' : LEAST_PRIVILEGES.join(', ');
  return `GRANT ${privileges} ON ${grantDatabase(database)} TO ${account(user)}`;
}

/** Drops the user and with it every grant it holds. */
export function dropUserSql(user: string): string {
  return `DROP USER ${account(user)}`;
}
