/**
 * What the MySQL flexible server setup flow is given: the PostgreSQL flow's input (server and app
 * facts, auth, client type, names, grants) plus the server's user-assigned identity and what the
 * doctor saw of the server's single Entra admin. Never a secret.
 */
import { createHash } from 'node:crypto';
import type { Services } from '../../core/services.ts';
import { type ConnectionTarget, ossTarget } from '../app/connection-target.ts';
import { connectionNameOf, linkerNameProblems, noLinkerProblems, type SetupInput } from '../input.ts';

/** The server's single Entra admin, as `administrators/ActiveDirectory` names it. */
export interface MysqlAdminFacts {
  login: string;
  /** The admin's object id. */
  sid: string;
}

export interface MysqlSetupInput extends SetupInput {
  /**
   * `mysql-identity-id=<ARM id>` of the auth flag: the user-assigned identity the server reads
   * Microsoft Graph as. Without it, the identity already attached to the server is used.
   */
  mysqlIdentityId?: string;
  /**
   * The server's Entra admin as the doctor saw it: `null` when it has none. When it is someone other
   * than the caller (or unknown, `undefined`), replacing it needs consent.
   */
  mysqlAdmin?: MysqlAdminFacts | null;
  /** A MySQL user of the chosen name exists: set to ask consent to drop and re-create it. */
  replaceUser?: boolean;
}

/**
 * The MySQL user name: `--db-user`, else the Azure CLI's `aad_<connection>`, cut to MySQL's 32
 * characters when the database name makes it longer. A cut name ends in `_` and six hex digits of a
 * hash of the whole name, so two long database names that start alike still get different users.
 */
export function mysqlUserNameOf(input: MysqlSetupInput): string {
  return input.dbUser ?? fitMysqlUserName(`aad_${connectionNameOf(input, 'mysql')}`);
}

/** `name` when it fits MySQL's 32 characters, else its first 25 characters, `_` and a 6-digit hash. */
export function fitMysqlUserName(name: string): string {
  const characters = [...name];
  if (characters.length <= MAX_USER) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const cut = characters
    .slice(0, MAX_USER - hash.length - 1)
    .join('')
    .replace(/_+$/, '');
  return `${cut}_${hash}`;
}

/**
 * The input with the MySQL defaults filled in, for the steps shared with PostgreSQL (which would
 * otherwise name the user and the connection after PostgreSQL).
 */
export function withMysqlNames(input: MysqlSetupInput): MysqlSetupInput {
  return { ...input, dbUser: mysqlUserNameOf(input), connectionName: connectionNameOf(input, 'mysql') };
}

/** MySQL's limit for user names (MySQL 8: 32 characters; Azure's `AS '<alias>'` exists for longer UPNs). */
const MAX_USER = 32;
const MAX_DATABASE = 64;

/** Checks names before any step is built: a clear message for what MySQL or Service Connector would refuse. */
export function mysqlProblemsOf(input: MysqlSetupInput): string[] {
  const problems: string[] = [];
  if (input.app.kind === 'spring') problems.push(...noLinkerProblems(input));
  const user = mysqlUserNameOf(input);
  // MySQL reads an empty name as the anonymous user, which anyone may log in as.
  if (user.trim() === '') problems.push('the MySQL user name may not be empty: give --db-user a name');
  if ([...user].length > MAX_USER)
    problems.push(
      `the MySQL user name "${user}" is longer than MySQL's 32 characters: choose a shorter --db-user`,
    );
  if ([...input.database].length > MAX_DATABASE)
    problems.push(`the database name "${input.database}" is longer than MySQL's 64 characters`);
  for (const [what, name] of [
    ['user', user],
    ['database', input.database],
  ] as const) {
    if (/[\u0000-\u001f\u007f]/.test(name))
      problems.push(`the ${what} name may not contain control characters`);
  }
  problems.push(...linkerNameProblems(input));
  if (
    input.mysqlIdentityId !== undefined &&
    !/\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i.test(input.mysqlIdentityId)
  )
    problems.push(
      `mysql-identity-id=${input.mysqlIdentityId} is not the ARM id of a user-assigned identity (/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>)`,
    );
  return problems;
}

/** What the shared connection steps (`service-connector`, `app-settings`) need of a MySQL setup. */
export function mysqlTarget(input: MysqlSetupInput, services: Services): ConnectionTarget {
  return ossTarget('mysql', input, services, mysqlUserNameOf(input), 'database-user');
}
