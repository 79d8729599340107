/**
 * What the Azure SQL setup flow is given: the same shape as the PostgreSQL flow's input (the doctor's
 * facts, the auth, the linker choice), read the way SQL needs it. `dbUser`, when given, names the
 * database user (created `WITH OBJECT_ID`, so it need not be the identity's display name);
 * `staleRoleObjectId` is the GUID in the `sid` of a user of that name mapped to another identity,
 * which setup may drop and create again only with consent.
 */
import { linkerNameProblems, noLinkerProblems, type SetupInput } from '../input.ts';
import { SQL_LINKER_UNSUPPORTED } from './client-types.ts';

export interface SqlSetupInput extends SetupInput {
  /**
   * A user of the chosen name in the database is mapped to another identity (this GUID in its `sid`):
   * set to ask consent to drop and create it again. Without it, such a user stops the run.
   */
  staleRoleObjectId?: string;
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
  problems.push(...linkerNameProblems(input));
  if (input.app.kind === 'spring') problems.push(...noLinkerProblems(input));
  if (input.linker && SQL_LINKER_UNSUPPORTED.includes(input.clientType))
    problems.push(
      `Service Connector does not connect ${input.clientType} apps to Azure SQL without a password: use --no-linker (sc-doctor writes the AZURE_SQL_* settings) or --client-type none`,
    );
  return problems;
}
