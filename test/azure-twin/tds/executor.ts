/**
 * Runs a batch against one database's catalogue and answers with the token stream SQL Server would
 * send: the whole batch is compiled first (a syntax error runs nothing), then each statement runs;
 * a failing statement sends ERROR and DONE with the error bit and the batch goes on, as the engine
 * does for statement-level errors of severity 16.
 */
import type { Principal } from '../api.ts';
import { errors, SqlError } from './azure-errors.ts';
import {
  addUser,
  BUILT_IN_PRINCIPALS,
  FIXED_ROLES,
  type SqlDatabaseCatalog,
  sameName,
  sidFor,
} from './catalog.ts';
import { principalIdOf, rolesOf } from './catalog-views.ts';
import { evaluateCondition, type QueryContext, runSelect } from './query.ts';
import type { ServerIdentityProblem } from './server-identity.ts';
import { parseBatch, type Statement } from './sql-parser.ts';
import { type Cell, DONEINPROC, DoneStatus, TokenStream } from './token-stream.ts';

/** The logged-in principal as the database sees it. */
export interface SessionIdentity {
  principal: Principal;
  /** The server's Entra admin: `dbo` in every database. */
  isAdmin: boolean;
  loginName: string;
  userName: string;
  loginSid: Buffer;
}

export interface BatchContext {
  catalog: SqlDatabaseCatalog;
  database: string;
  serverName: string;
  identity: SessionIdentity;
  /**
   * The principals Entra's directory knows now (Microsoft Graph), for resolving names of `FROM
   * EXTERNAL PROVIDER`; an identity still replicating is not among them.
   */
  directory(): Principal[];
  /**
   * Why the server cannot resolve principals for an app caller (server-identity.ts), or undefined.
   * Absent: no server is behind the context (tests of the executor alone), nothing stops it.
   */
  serverIdentityProblem?(): ServerIdentityProblem | undefined;
  parameters?: Map<string, Cell> | undefined;
}

type Outcome = (stream: TokenStream, status: number) => void;

/** How a batch arrived: as SQL_BATCH text, or as the `@statement` of an `sp_executesql` RPC call. */
export interface BatchOptions {
  /** Parameters of the call; set for RPC, whose answer ends with RETURNSTATUS and DONEPROC. */
  parameters?: Map<string, Cell>;
}

/** Executes `sql` and returns the response payload (one TABULAR_RESULT message). */
export function executeBatch(sql: string, ctx: BatchContext, options: BatchOptions = {}): Buffer {
  const procedure = options.parameters !== undefined;
  if (procedure) ctx = { ...ctx, parameters: options.parameters };
  const outcomes: Outcome[] = [];
  let statements: Statement[];
  try {
    statements = parseBatch(sql);
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    outcomes.push(failed(error, ctx));
    statements = [];
  }
  run(statements, ctx, outcomes);
  const stream = procedure ? new TokenStream(DONEINPROC) : new TokenStream();
  if (outcomes.length === 0 && !procedure) stream.done(DoneStatus.FINAL);
  outcomes.forEach((outcome, i) => {
    outcome(stream, i < outcomes.length - 1 || procedure ? DoneStatus.MORE : DoneStatus.FINAL);
  });
  if (procedure) stream.procedureEnd(DoneStatus.FINAL);
  return stream.toBuffer();
}

function failed(error: SqlError, ctx: BatchContext): Outcome {
  return (stream, status) => stream.error(error.diagnostic, ctx.serverName).done(status | DoneStatus.ERROR);
}

function run(statements: Statement[], ctx: BatchContext, outcomes: Outcome[]): void {
  for (const statement of statements) {
    try {
      const outcome = execute(statement, ctx, outcomes);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      outcomes.push(failed(error, ctx));
    }
  }
}

function queryContext(ctx: BatchContext): QueryContext {
  const { identity } = ctx;
  return {
    catalog: ctx.catalog,
    database: ctx.database,
    serverName: ctx.serverName,
    loginName: identity.loginName,
    userName: identity.userName,
    loginSid: identity.loginSid,
    ...(ctx.parameters ? { variables: ctx.parameters } : {}),
  };
}

const done: Outcome = (stream, status) => stream.done(status);

function execute(statement: Statement, ctx: BatchContext, outcomes: Outcome[]): Outcome | undefined {
  switch (statement.kind) {
    case 'set':
      return undefined;
    case 'print':
      return (stream, status) =>
        stream
          .info({ number: 0, state: 1, severity: 0, message: statement.text }, ctx.serverName)
          .done(status);
    case 'use':
      if (!sameName(statement.database, ctx.database)) throw errors.switchDatabaseRefused();
      return done;
    case 'select': {
      const result = runSelect(statement.query, queryContext(ctx));
      return (stream, status) => {
        stream.columns(result.columns);
        for (const row of result.rows) stream.row(result.columns, row);
        stream.done(status | DoneStatus.COUNT, result.rows.length);
      };
    }
    case 'if': {
      const branch = evaluateCondition(statement.condition, queryContext(ctx))
        ? statement.then
        : statement.otherwise;
      run(branch, ctx, outcomes);
      return undefined;
    }
    case 'createUser':
      createUser(statement.name, statement.objectId, ctx);
      return done;
    case 'dropUser':
      dropUser(statement.name, statement.ifExists, ctx);
      return done;
    case 'alterRole':
      alterRole(statement.role, statement.add, statement.member, ctx);
      return done;
    case 'grant':
      grant(statement, ctx);
      return done;
  }
}

/** The caller's database-level rights: dbo (the Entra admin), db_owner, or CONTROL on the database. */
function holds(ctx: BatchContext, role: string): boolean {
  if (ctx.identity.isAdmin) return true;
  const roles = rolesOf(ctx.catalog, ctx.identity.userName);
  const control = ctx.catalog.permissions.some(
    (p) => p.state === 'GRANT' && p.permission === 'CONTROL' && sameName(p.grantee, ctx.identity.userName),
  );
  return control || roles.includes('db_owner') || roles.includes(role);
}

function resolvePrincipal(name: string, objectId: string | undefined, ctx: BatchContext): Principal {
  const directory = ctx.directory();
  if (objectId !== undefined) {
    const found = directory.find((p) => p.objectId.toLowerCase() === objectId.trim().toLowerCase());
    if (!found) throw errors.principalNotFound(name);
    return found;
  }
  // Users are named by their UPN, applications and managed identities by their display name.
  const matches = directory.filter((p) =>
    p.kind === 'user'
      ? p.userPrincipalName !== undefined && sameName(p.userPrincipalName, name)
      : sameName(p.displayName, name),
  );
  if (matches.length === 0) throw errors.principalNotFound(name);
  if (matches.length > 1) throw errors.duplicateDisplayName(name);
  return matches[0]!;
}

function createUser(name: string, objectId: string | undefined, ctx: BatchContext): void {
  if (!holds(ctx, 'db_accessadmin')) throw errors.noPermission();
  // An app cannot be impersonated to Graph: the server resolves the name as its own identity.
  if (ctx.identity.principal.kind !== 'user') {
    const problem = ctx.serverIdentityProblem?.();
    if (problem === 'not-configured')
      throw errors.unresolved(
        name,
        'Server identity is not configured. Please follow the steps in "Assign a Microsoft Entra identity to your server and add Directory Reader permission to your identity" (https://aka.ms/sqlaadsetup)',
      );
    if (problem === 'no-graph-rights') throw errors.unresolved(name, '');
  }
  const principal = resolvePrincipal(name, objectId, ctx);
  if (principalIdOf(ctx.catalog, name) !== undefined) throw errors.alreadyExists(name);
  if (ctx.catalog.users.some((u) => u.sid === sidFor(principal))) throw errors.sidInUse();
  addUser(ctx.catalog, name, principal, ctx.identity.principal.objectId);
}

function dropUser(name: string, ifExists: boolean, ctx: BatchContext): void {
  const index = ctx.catalog.users.findIndex((u) => sameName(u.name, name));
  if (!holds(ctx, 'db_accessadmin')) throw errors.cannot('drop', 'user', name);
  if (BUILT_IN_PRINCIPALS.some((b) => sameName(b, name)))
    throw new SqlError({ number: 15150, state: 1, severity: 16, message: `Cannot drop the user '${name}'.` });
  if (index < 0) {
    if (ifExists) return;
    throw errors.cannot('drop', 'user', name);
  }
  const user = ctx.catalog.users[index]!;
  ctx.catalog.users.splice(index, 1);
  for (const role of Object.keys(ctx.catalog.roles)) {
    ctx.catalog.roles[role] = ctx.catalog.roles[role]!.filter((m) => !sameName(m, user.name));
    if (ctx.catalog.roles[role]!.length === 0) delete ctx.catalog.roles[role];
  }
  ctx.catalog.permissions = ctx.catalog.permissions.filter((p) => !sameName(p.grantee, user.name));
}

function alterRole(roleName: string, add: boolean, member: string, ctx: BatchContext): void {
  const role = Object.keys(FIXED_ROLES).find((r) => sameName(r, roleName));
  if (!role || !holds(ctx, role === 'db_owner' ? 'db_owner' : 'db_securityadmin'))
    throw errors.cannot('alter', 'role', roleName);
  const user = ctx.catalog.users.find((u) => sameName(u.name, member));
  if (!user) {
    if (sameName(member, 'dbo'))
      throw new SqlError({
        number: 15405,
        state: 1,
        severity: 16,
        message: "Cannot use the special principal 'dbo'.",
      });
    throw errors.cannot(add ? 'add' : 'drop', 'principal', member);
  }
  const members = ctx.catalog.roles[role] ?? [];
  const present = members.some((m) => sameName(m, user.name));
  if (add && !present) ctx.catalog.roles[role] = [...members, user.name];
  if (!add && present) {
    const rest = members.filter((m) => !sameName(m, user.name));
    if (rest.length > 0) ctx.catalog.roles[role] = rest;
    else delete ctx.catalog.roles[role];
  }
}

function grant(statement: Extract<Statement, { kind: 'grant' }>, ctx: BatchContext): void {
  if (statement.database !== undefined && !sameName(statement.database, ctx.database)) {
    throw new SqlError({
      number: 15151,
      state: 1,
      severity: 16,
      message: `Cannot find the database '${statement.database}', because it does not exist or you do not have permission.`,
    });
  }
  if (!holds(ctx, 'db_securityadmin')) throw errors.grantorNoPermission();
  const user = ctx.catalog.users.find((u) => sameName(u.name, statement.principal));
  if (!user) {
    if (
      BUILT_IN_PRINCIPALS.some((b) => sameName(b, statement.principal)) ||
      sameName(statement.principal, ctx.identity.userName)
    ) {
      throw new SqlError({
        number: 15151,
        state: 1,
        severity: 16,
        message:
          'Cannot grant, deny, or revoke permissions to sa, dbo, entity owner, information_schema, sys, or yourself.',
      });
    }
    throw errors.cannot('find', 'user', statement.principal);
  }
  for (const permission of statement.permissions) {
    ctx.catalog.permissions = ctx.catalog.permissions.filter(
      (p) => !(p.permission === permission && sameName(p.grantee, user.name)),
    );
    if (statement.verb !== 'REVOKE') {
      ctx.catalog.permissions.push({
        permission,
        state: statement.verb === 'GRANT' ? 'GRANT' : 'DENY',
        grantee: user.name,
      });
    }
  }
}
