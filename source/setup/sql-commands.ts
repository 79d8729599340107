/**
 * Commands a person pastes to run SQL on a server by hand (manual undo, hand-off scripts). The SQL is
 * quoted for its dialect by the callers' SQL builders (PostgreSQL `"..."`, MySQL backticks, T-SQL
 * `[...]`); here the whole SQL text becomes one shell word through `commandLine`, so nothing in a name
 * reaches the shell. The Entra token is fetched by az when the line runs: it is never printed and never
 * in any program's argv (psql reads PGPASSWORD, mysql an option file on its stdin).
 */
import { commandLine } from '../core/command-line.ts';

/** CA bundle of Debian-based systems: libpq and the MySQL client verify the server against it. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** `az` printing a token for PostgreSQL and MySQL flexible server (the OSS RDBMS audience). */
export const OSS_RDBMS_TOKEN_ARGV = [
  'az',
  'account',
  'get-access-token',
  '--resource-type',
  'oss-rdbms',
  '--query',
  'accessToken',
  '-o',
  'tsv',
] as const;

/** Where a statement runs: the server, the database and who signs in. */
export interface SqlTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * One libpq connection-string value: bare when it holds no space, quote or backslash, else in single
 * quotes with `\` and `'` escaped (libpq "Keyword/Value Connection Strings").
 */
export function conninfoValue(value: string): string {
  if (value !== '' && !/[\s'\\]/.test(value)) return value;
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/** A libpq connection string that verifies the server against the system CA bundle. */
export function conninfo(target: SqlTarget, options: { rootCert?: string | null } = {}): string {
  const rootCert = options.rootCert === undefined ? SYSTEM_CA_BUNDLE : options.rootCert;
  const pairs: [string, string][] = [
    ['host', target.host],
    ['port', String(target.port)],
    ['dbname', target.database],
    ['user', target.user],
    ['sslmode', 'verify-full'],
    ...(rootCert ? ([['sslrootcert', rootCert]] as [string, string][]) : []),
  ];
  return pairs.map(([key, value]) => `${key}=${conninfoValue(value)}`).join(' ');
}

/** `PGPASSWORD="$(az account get-access-token ...)" psql -v ON_ERROR_STOP=1 -c '<sql>' '<conninfo>'`. */
export function psqlCommand(target: SqlTarget, sql: string): string {
  // Options first, the connection string last, as psql's usage line has them.
  return `PGPASSWORD="$(${commandLine(OSS_RDBMS_TOKEN_ARGV)})" ${commandLine([
    'psql',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    sql,
    conninfo(target),
  ])}`;
}

/**
 * `printf '[client]\npassword=%s\n' "$(az ...)" | mysql --defaults-extra-file=/dev/stdin ... -e '<sql>'`:
 * the token reaches mysql as an option file on its stdin (`printf` is a shell builtin, so the token is
 * in no process's argv), with the cleartext plugin Entra sign-in needs and the server verified.
 */
export function mysqlCommand(target: Omit<SqlTarget, 'database'>, sql: string): string {
  const mysql = commandLine([
    'mysql',
    '--defaults-extra-file=/dev/stdin',
    '-h',
    target.host,
    '-P',
    String(target.port),
    '-u',
    target.user,
    '--enable-cleartext-plugin',
    '--ssl-mode=VERIFY_IDENTITY',
    `--ssl-ca=${SYSTEM_CA_BUNDLE}`,
    '-e',
    sql,
  ]);
  return `printf '[client]\\npassword=%s\\n' "$(${commandLine(OSS_RDBMS_TOKEN_ARGV)})" | ${mysql}`;
}

/**
 * `sqlcmd` signed in with az's account (ActiveDirectoryDefault), scripting variables off (`-x`: a
 * `$(name)` in a name stays text), failing on the first error (`-b`); `sql` is `-Q`'s one word, or
 * none for a script on stdin.
 */
export function sqlcmdArgv(target: Pick<SqlTarget, 'host' | 'database'>, sql?: string): string[] {
  return [
    'sqlcmd',
    '-S',
    target.host,
    '-d',
    target.database,
    '--authentication-method',
    'ActiveDirectoryDefault',
    '-x',
    '-b',
    ...(sql === undefined ? [] : ['-Q', sql]),
  ];
}

/** `sqlcmd ... -Q '<sql>'`. */
export function sqlcmdCommand(target: Pick<SqlTarget, 'host' | 'database'>, sql: string): string {
  return commandLine(sqlcmdArgv(target, sql));
}
