/**
 * What the Azure SQL setup flow is given: the same shape as the PostgreSQL flow's input (the doctor's
 * facts, the auth, the linker choice), read the way SQL needs it. `dbUser`, when given, names the
 * database user (created `WITH OBJECT_ID`, so it need not be the identity's display name);
 * `staleRoleObjectId` is the GUID in the `sid` of a user of that name mapped to another identity,
 * which setup may drop and create again only with consent.
 */
import { noLinkerProblems, type PostgresSetupInput } from '../postgres/input.ts';
import { SQL_LINKER_UNSUPPORTED } from './client-types.ts';

export type SqlSetupInput = PostgresSetupInput;

/** The linker name: `--connection`, else `sql_<database>` like the Azure CLI's default. */
export function sqlConnectionNameOf(input: SqlSetupInput): string {
  if (input.connectionName) return input.connectionName;
  return `sql_${input.database.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}`;
}

/** Checks names before any step is built: a clear message for what Azure SQL or Service Connector refuses. */
export function sqlProblemsOf(input: SqlSetupInput): string[] {
  const problems: string[] = [];
  // sysname is nvarchar(128): SQL Server refuses longer identifiers (error 103).
  for (const [what, name] of [
    ['database user', input.dbUser],
    ['database', input.database],
  ] as const) {
    if (name === undefined) continue;
    if (name.length === 0) problems.push(`the ${what} name is empty`);
    if (name.length > 128)
      problems.push(`the ${what} name is longer than SQL Server's 128 characters: choose a shorter one`);
    if (/[\u0000-\u001f\u007f]/.test(name))
      problems.push(`the ${what} name may not contain control characters`);
  }
  if (input.linker && !/^[A-Za-z0-9_.]{1,128}$/.test(sqlConnectionNameOf(input)))
    problems.push(
      `the connection name "${sqlConnectionNameOf(input)}" is not valid for Service Connector: use letters, digits, '_' and '.'`,
    );
  if (input.app.kind === 'spring') problems.push(...noLinkerProblems(input));
  if (input.linker && SQL_LINKER_UNSUPPORTED.includes(input.clientType))
    problems.push(
      `Service Connector does not connect ${input.clientType} apps to Azure SQL without a password: use --no-linker (sc-doctor writes the AZURE_SQL_* settings) or --client-type none`,
    );
  return problems;
}
