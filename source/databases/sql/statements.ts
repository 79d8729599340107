/**
 * The T-SQL of the database user. Identifiers are bracketed with `]` doubled and the only literal
 * (an object id) is checked to be a GUID and quoted with `'` doubled, so no name can end a statement.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fixed roles of the least-privilege default: read, write and change the schema of this database. */
export const DEFAULT_ROLES = ['db_datareader', 'db_datawriter', 'db_ddladmin'] as const;

/** `[name]` with every `]` doubled (T-SQL's QUOTENAME rule). */
export function bracket(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

/**
 * `CREATE USER [name] FROM EXTERNAL PROVIDER`, resolving `name` in Entra; with `objectId`, the form for
 * names that are not unique (or not the principal's display name) that picks the principal by id.
 */
export function createUserSql(name: string, objectId?: string): string {
  if (objectId === undefined) return `CREATE USER ${bracket(name)} FROM EXTERNAL PROVIDER`;
  if (!GUID.test(objectId)) throw new Error(`object id ${objectId} is not a GUID`);
  return `CREATE USER ${bracket(name)} FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${objectId.replace(/'/g, "''")}'`;
}

export function dropUserSql(name: string): string {
  return `DROP USER ${bracket(name)}`;
}

/** One statement per role or permission: what each grants is undone one by one. */
export function grantStatements(name: string, database: string, grants: readonly string[]): string[] {
  return grants.map((grant) =>
    grant === 'CONTROL'
      ? `GRANT CONTROL ON DATABASE::${bracket(database)} TO ${bracket(name)}`
      : `ALTER ROLE ${bracket(grant)} ADD MEMBER ${bracket(name)}`,
  );
}

export function revokeStatements(name: string, database: string, grants: readonly string[]): string[] {
  return grants.map((grant) =>
    grant === 'CONTROL'
      ? `REVOKE CONTROL ON DATABASE::${bracket(database)} FROM ${bracket(name)}`
      : `ALTER ROLE ${bracket(grant)} DROP MEMBER ${bracket(name)}`,
  );
}

/** What `--grants` gives: the three roles by default, the Azure CLI's CONTROL on the database with `owner`. */
export function grantsFor(grants: 'least' | 'owner'): string[] {
  return grants === 'owner' ? ['CONTROL'] : [...DEFAULT_ROLES];
}
