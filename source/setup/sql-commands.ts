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

/**
 * `host=... dbname=... user=... sslmode=verify-full`: the server is verified against the CA bundle in
 * `PGSSLROOTCERT` (see `PSQL_CA`). The port is left to libpq's default (5432, Azure's) unless it is
 * another, so `PGPORT` and `PGHOSTADDR` can send the connection through a tunnel while TLS still
 * checks the server's name.
 */
export function conninfo(target: SqlTarget): string {
  const pairs: [string, string][] = [
    ['host', target.host],
    ...(target.port === 5432 ? [] : ([['port', String(target.port)]] as [string, string][])),
    ['dbname', target.database],
    ['user', target.user],
    ['sslmode', 'verify-full'],
    ['connect_timeout', '15'],
  ];
  return pairs.map(([key, value]) => `${key}=${conninfoValue(value)}`).join(' ');
}

/**
 * The CA bundle psql verifies the server with, unless the person set `PGSSLROOTCERT`: Debian's and
 * Ubuntu's system bundle, which every psql version reads (libpq 16's `sslrootcert=system` is not known
 * to psql 15, Debian 12's).
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, printed as is
export const PSQL_CA = `PGSSLROOTCERT="\${PGSSLROOTCERT:-${SYSTEM_CA_BUNDLE}}"`;

/**
 * psql's argv: stop at the first error, one transaction, `sql` as `-c`'s one word (or none for a
 * script on stdin), the connection string last, as psql's usage line has them (a getopt without
 * permutation stops at the first operand).
 */
export function psqlArgv(target: SqlTarget, sql?: string): string[] {
  return [
    'psql',
    '-X',
    '-v',
    'ON_ERROR_STOP=1',
    '--single-transaction',
    ...(sql === undefined ? [] : ['-c', sql]),
    conninfo(target),
  ];
}

/**
 * A psql line a person pastes. An Entra admin signs in with a token az prints when the line runs
 * (`PGPASSWORD`, never argv); an owner signs in with its password, which psql asks for (or reads
 * from `PGPASSWORD`).
 */
export function psqlCommand(
  target: SqlTarget,
  sql: string,
  signIn: 'entra-admin' | 'password' = 'entra-admin',
): string {
  const token = signIn === 'entra-admin' ? `PGPASSWORD="$(${commandLine(OSS_RDBMS_TOKEN_ARGV)})" ` : '';
  return `${PSQL_CA} ${token}${commandLine(psqlArgv(target, sql))}`;
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
