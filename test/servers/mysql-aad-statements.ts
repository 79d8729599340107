/**
 * Azure MySQL flexible server's Entra statements, translated into plain MariaDB for the AAD proxy:
 *   SET aad_auth_validate_oids_in_tenant = ON|OFF        -> `DO 0` (the proxy keeps the setting)
 *   CREATE AADUSER 'U' IDENTIFIED BY 'client-or-object-id' -> CREATE USER 'U'@'%' with the proxy's
 *   CREATE AADUSER 'name' [AS 'alias']                       internal password for (U, Entra id)
 * Because the internal password is derived from the user name AND the Entra id, MariaDB's own user
 * table records which principal a user was created for: the proxy needs no map of its own, and the
 * backend's privilege checks (who may CREATE USER) apply unchanged.
 *
 * Two of MySQL's own rules MariaDB does not have are applied here:
 * - a user name is at most 32 characters (MySQL 8 reference, "Account names"; MariaDB allows 80):
 *   ERROR 1470 `String '<name>' is too long for user name (should be no longer than 32)`;
 * - while `aad_auth_validate_oids_in_tenant` is ON the id of `IDENTIFIED BY` must be an OBJECT id of
 *   the tenant (Learn, MySQL flexible "Microsoft Entra authentication": the parameter validates object
 *   ids): a client (application) id is not one, which is why the Azure CLI turns validation OFF before
 *   it passes the identity's client id.
 */
import type { Principal } from '../azure-twin/api.ts';

export interface AadStatementContext {
  /** Session state of `aad_auth_validate_oids_in_tenant` (ON by default, as on Azure). */
  validateOids: boolean;
  principal(idOrName: string): Principal | undefined;
  /** Stored mysql_native_password hash for `user` created for Entra id `entraId`. */
  passwordHashFor(user: string, entraId: string): string;
  /** Azure's refusal of `CREATE AADUSER 'name'` before it looks at the name (e.g. no Graph rights). */
  refuseAadUser?(name: string): { errno: number; message: string } | undefined;
  /** True when `id` is the object id of a principal or group of the tenant (validation ON). */
  objectIdKnown?(id: string): boolean;
}

/** MySQL 8's limit for the user part of an account name (MariaDB's is longer). */
export const MYSQL_MAX_USER_NAME = 32;

/**
 * A quoted name or id: '...', "..." or `...`, with MySQL's escapes inside (a backslash escape or a
 * doubled quote in strings, a doubled backtick in identifiers), as client libraries quote names.
 */
const Q = `('(?:[^'\\\\]|\\\\.|'')*'|"(?:[^"\\\\]|\\\\.|"")*"|\`(?:[^\`]|\`\`)*\`)`;
const SET_VALIDATE =
  /^SET\s+(?:(?:SESSION|LOCAL|GLOBAL)\s+|@@(?:(?:SESSION|LOCAL|GLOBAL)\.)?)?aad_auth_validate_oids_in_tenant\s*:?=\s*'?(ON|OFF|1|0|TRUE|FALSE)'?$/i;
const CREATE_AADUSER = new RegExp(
  String.raw`^CREATE\s+AADUSER\s+(IF\s+NOT\s+EXISTS\s+)?${Q}(?:\s*@\s*${Q})?(?:\s+IDENTIFIED\s+BY\s+${Q}|\s+AS\s+${Q})?$`,
  'i',
);

/** The rewritten query, or undefined when it has no Azure-only statement (forward it untouched). */
export function rewriteAadStatements(sql: string, ctx: AadStatementContext): string | undefined {
  if (!/aaduser|aad_auth_validate_oids_in_tenant/i.test(sql)) return undefined;
  let changed = false;
  const statements = splitStatements(sql).map((statement) => {
    const rewritten = rewriteOne(statement.trim(), ctx);
    if (rewritten === undefined) return statement;
    changed = true;
    return rewritten;
  });
  return changed ? statements.join(';') : undefined;
}

function rewriteOne(statement: string, ctx: AadStatementContext): string | undefined {
  const set = SET_VALIDATE.exec(statement);
  if (set) {
    ctx.validateOids = /^(ON|1|TRUE)$/i.test(set[1]!);
    return 'DO 0';
  }
  const create = CREATE_AADUSER.exec(statement);
  if (!create) return undefined;
  const [, ifNotExists, nameToken, , idToken, aliasToken] = create;
  const name = unquote(nameToken!);
  const refused = ctx.refuseAadUser?.(name);
  if (refused) return signal(refused.message, refused.errno);
  let user = name;
  let entraId: string;
  if ([...(aliasToken && !idToken ? unquote(aliasToken) : name)].length > MYSQL_MAX_USER_NAME) {
    const long = aliasToken && !idToken ? unquote(aliasToken) : name;
    return signal(
      `String '${long}' is too long for user name (should be no longer than ${MYSQL_MAX_USER_NAME})`,
      1470,
    );
  }
  if (idToken) {
    entraId = unquote(idToken);
    const objectKnown =
      ctx.objectIdKnown?.(entraId) ??
      ctx.principal(entraId)?.objectId.toLowerCase() === entraId.toLowerCase();
    if (ctx.validateOids && !objectKnown) {
      return signal(
        `Operation CREATE AADUSER failed for '${user}'@'%': object id '${entraId}' was not found in the tenant`,
      );
    }
  } else {
    if (aliasToken) user = unquote(aliasToken);
    const found = ctx.principal(name);
    if (!found) {
      return signal(
        `Operation CREATE AADUSER failed for '${user}'@'%': '${name}' was not found in the tenant`,
      );
    }
    entraId = found.appId ?? found.objectId;
  }
  const hash = ctx.passwordHashFor(user, entraId);
  return `CREATE USER ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quote(user)}@'%' IDENTIFIED BY PASSWORD '${hash}'`;
}

/** An error the client sees as if the server had raised it (ER_CANNOT_USER unless told otherwise). */
function signal(message: string, errno = 1396): string {
  return `SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${errno}, MESSAGE_TEXT = ${quote(message)}`;
}

/** The value of a quoted token, MySQL's escapes undone. */
function unquote(token: string): string {
  const quote = token[0]!;
  const inner = token.slice(1, -1);
  if (quote === '`') return inner.replace(/``/g, '`');
  const doubled = quote === "'" ? /''/g : /""/g;
  return inner.replace(/\\(.)/gs, (_, c: string) => BACKSLASH_ESCAPES[c] ?? c).replace(doubled, quote);
}

/** MySQL's backslash escapes in strings (Reference Manual, "String Literals"); others stand for the character. */
const BACKSLASH_ESCAPES: Record<string, string> = {
  '0': '\0',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
};

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Splits on `;` outside quotes and comments; keeps everything else byte for byte. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < sql.length && sql[i] !== c) i += sql[i] === '\\' && c !== '`' ? 2 : 1;
      i++;
    } else if (c === '#' || (c === '-' && sql.startsWith('-- ', i))) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === ';') {
      statements.push(sql.slice(start, i));
      start = ++i;
    } else {
      i++;
    }
  }
  statements.push(sql.slice(start));
  return statements;
}
