/**
 * What the PostgreSQL flow is given: the setup's input (../input.ts) and what the doctor found of a
 * role of the chosen name mapped to another identity.
 */
import { connectionNameOf, GUID, linkerNameProblems, noLinkerProblems, type SetupInput } from '../input.ts';

export interface PostgresSetupInput extends SetupInput {
  /**
   * The doctor found the role mapped to another object id (a stale identity): set to ask consent to
   * drop and re-create it. Without it, a stale role stops the run with a message.
   */
  staleRoleObjectId?: string;
}

/** The role name: `--db-user`, else the Azure CLI's `aad_<connection>`. */
export function roleNameOf(input: SetupInput): string {
  return input.dbUser ?? `aad_${connectionNameOf(input, 'postgres')}`;
}

/** Checks names before any step is built: a clear message for what Azure or PostgreSQL would refuse. */
export function problemsOf(input: PostgresSetupInput): string[] {
  const problems: string[] = [];
  const role = roleNameOf(input);
  // PostgreSQL truncates identifiers to 63 bytes: the role would silently get another name.
  if (Buffer.byteLength(role, 'utf8') > 63)
    problems.push(`the role name "${role}" is longer than PostgreSQL's 63 bytes: choose a shorter --db-user`);
  if (Buffer.byteLength(input.database, 'utf8') > 63)
    problems.push(`the database name "${input.database}" is longer than PostgreSQL's 63 bytes`);
  // A control character (newline, NUL) would break the lines of the hand-off script and PostgreSQL's logs.
  for (const [what, name] of [
    ['role', role],
    ['database', input.database],
  ] as const) {
    if (/[\u0000-\u001f\u007f]/.test(name))
      problems.push(`the ${what} name may not contain control characters`);
  }
  problems.push(...noLinkerProblems(input));
  if (input.auth.kind !== 'system' && !GUID.test(input.auth.clientId))
    problems.push(
      `client-id ${JSON.stringify(input.auth.clientId)} is not a GUID: give the identity's client (application) id`,
    );
  problems.push(...linkerNameProblems(input));
  return problems;
}
