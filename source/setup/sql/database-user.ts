/**
 * `database-user` for Azure SQL: the app's identity as a contained database user
 * (`CREATE USER [name] FROM EXTERNAL PROVIDER`, or `WITH OBJECT_ID` when the name is not the
 * identity's unique display name) and the grants of `--grants`: db_datareader, db_datawriter and
 * db_ddladmin by default, CONTROL on the database (the Azure CLI's grant) with `owner`. A user of that
 * name mapped to the same identity is kept (only missing grants are added); one mapped to another
 * identity is dropped and created again only with consent. Undo drops the user only if this run
 * created it, and otherwise takes back only the grants this run added.
 */
import type { Services } from '../../core/services.ts';
import { withSqlSession } from '../../databases/sql/login.ts';
import { readGrants, readUsers } from '../../databases/sql/probe.ts';
import { SqlServerError, type SqlSession } from '../../databases/sql/session.ts';
import {
  createUserSql,
  dropUserSql,
  grantStatements,
  grantsFor,
  revokeStatements,
} from '../../databases/sql/statements.ts';
import type { Step, StepContext } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { APP_IDENTITY } from '../app/app-identity.ts';
import { FIREWALL_TEMP } from '../firewall-temp.ts';
import { removeHandOffScript } from '../hand-off-file.ts';
import { FIREWALL_APPLY_LIMIT_MS, REPLICATION_LIMIT_MS, type RetryWait, retryWhile } from '../retry-wait.ts';
import { sqlcmdCommand } from '../sql-commands.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { signsInAs } from '../wording.ts';
import { undoSqlDatabaseUser } from './database-user-undo.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { plannedUserName, sqlPrincipalOf } from './identity.ts';
import type { SqlSetupInput } from './input.ts';
import { USER_RECORD } from './record-schemas.ts';
import { handOffScript } from './user-hand-off.ts';
import { type SqlUserRecord, sameGuid, sameName } from './user-record.ts';

export { undoSqlDatabaseUser } from './database-user-undo.ts';
export type { SqlUserRecord } from './user-record.ts';

export const DATABASE_USER = 'database-user';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const sqlDatabaseUser: SetupStep<SqlUserRecord> = {
  id: DATABASE_USER,
  title: 'Database user',
  record: USER_RECORD,
  // Once the user is undone (or was only the script's to make), its hand-off script no longer applies.
  undo: async (ctx, record) =>
    removeHandOffScript(
      record.handOffScript,
      await undoSqlDatabaseUser(ctx.services, ctx, record, ctx.connectTo),
    ),
  manualUndo: manualSqlDatabaseUser,
};

export function sqlDatabaseUserStep(input: SqlSetupInput, services: Services): Step<SqlUserRecord> {
  const { server, database } = input;
  const stale = input.staleRoleObjectId;
  const wanted = grantsFor(input.grants);
  const named = plannedUserName(input);
  const handingOff = input.networkPath === 'private-network';
  return planned(
    sqlDatabaseUser,
    {
      title: `Database user for ${input.app.name} in ${server.name}/${database}`,
      resource: `${server.id}/databases/${database}/users`,
      after: [ENTRA_ADMIN, FIREWALL_TEMP, ...(input.auth.kind === 'sp' ? [] : [APP_IDENTITY])],
      ...(stale
        ? {
            consent: `drops the database user ${named}, now mapped to another identity (${stale}), and creates it again`,
          }
        : {}),
      preview: () => [
        ...(stale
          ? [`drop the database user ${named} (mapped to ${stale}, an identity that no longer matches)`]
          : []),
        input.dbUser
          ? `create the user [${input.dbUser}] in ${database} for ${signsInAs(input.auth)}: CREATE USER ... FROM EXTERNAL PROVIDER WITH OBJECT_ID`
          : `create the user named ${named} in ${database}: CREATE USER ... FROM EXTERNAL PROVIDER (WITH OBJECT_ID if the name is not unique in Entra)`,
        input.grants === 'owner'
          ? `grant it CONTROL on the database ${database} (as the Azure CLI does: it may do anything in the database)`
          : `add it to db_datareader, db_datawriter and db_ddladmin (read, write and change the schema of ${database}; not owner)`,
        ...(handingOff
          ? ['the server is reachable only from its network: these statements go to a sqlcmd script']
          : []),
      ],
      async isDone(ctx) {
        if (handingOff) return false;
        const principal = await principalAfterReplication(services, input, ctx);
        return sessionOnceTheRuleApplies(services, input, ctx, async (session) => {
          const user = (await readUsers(session)).find((u) => sameName(u.name, principal.userName));
          if (!user || !sameGuid(user.sid, principal.clientId)) return false;
          const held = await readGrants(session, user.name);
          return wanted.every((g) => held.includes(g));
        });
      },
      async apply(ctx) {
        const principal = await principalAfterReplication(services, input, ctx);
        const name = principal.userName;
        if (handingOff) return handOffScript(input, ctx.runId, name, principal, wanted);
        return sessionOnceTheRuleApplies(services, input, ctx, async (session) => {
          const users = await readUsers(session);
          const existing = users.find((u) => sameName(u.name, name));
          const other = users.find((u) => sameGuid(u.sid, principal.clientId) && !sameName(u.name, name));
          if (other)
            throw new Error(
              `the identity already has the database user ${other.name} in ${database}: use it with --db-user ${other.name}`,
            );
          const record: SqlUserRecord = {
            server: server.id,
            serverName: server.name,
            fqdn: server.fqdn,
            port: server.port,
            database,
            user: name,
            sid: principal.clientId,
            created: !existing,
            added: [],
            replaced: null,
            handOffScript: null,
          };
          if (existing && !sameGuid(existing.sid, principal.clientId)) {
            if (!existing.sid || (existing.type !== 'E' && existing.type !== 'X'))
              throw new Error(
                `a database user named ${name} exists in ${database} and is not an Entra user: choose another name with --db-user`,
              );
            if (!stale || !sameGuid(stale, existing.sid))
              throw new Error(
                `the database user ${name} is mapped to another identity (${existing.sid}); run the doctor and agree to replace it, or choose another name with --db-user`,
              );
            record.replaced = { sid: existing.sid, grants: await readGrants(session, existing.name) };
            record.created = true;
          }
          const held = record.created ? [] : await readGrants(session, name);
          record.added = record.created ? [] : wanted.filter((g) => !held.includes(g));
          await ctx.checkpoint(record);
          if (record.replaced) {
            ctx.progress(`dropping the stale user ${name}`);
            await session.query(dropUserSql(name));
          }
          if (record.created) {
            ctx.progress(`creating the user ${name}`);
            // Azure SQL resolves the identity in Entra: one this run just turned on may not be there yet.
            await retryWhile(
              `waiting for Entra to know ${principal.entraName}`,
              () => createUser(session, name, principal.entraName, principal.objectId),
              (error) => error instanceof SqlServerError && error.number === PRINCIPAL_NOT_FOUND,
              replicationWait(services, input, ctx),
            );
          }
          ctx.progress(`granting ${name} on ${database}`);
          for (const statement of grantStatements(name, database, record.created ? wanted : record.added))
            await session.query(statement);
          return record;
        });
      },
    },
    envOf(services, input),
  );
}

/** The command that reverses the step by hand: the user dropped, or the grants it added revoked. */
export function manualSqlDatabaseUser(record: SqlUserRecord): string[] {
  const on = { host: record.fqdn, database: record.database };
  if (record.created) return [sqlcmdCommand(on, dropUserSql(record.user))];
  if (record.added.length === 0) return [];
  return [sqlcmdCommand(on, revokeStatements(record.user, record.database, record.added).join('; '))];
}

/** `Principal '<name>' could not be found or this principal type is not supported.` */
const PRINCIPAL_NOT_FOUND = 33130;
/** `Cannot open server ... Client with IP address '<ip>' is not allowed to access the server.` */
const FIREWALL_REFUSED = 40615;

/**
 * How long to wait for Entra when the app's system identity was turned on by this very run (Graph
 * and the database cannot see it at once); undefined otherwise: an unknown principal then fails fast.
 */
function replicationWait(services: Services, input: SqlSetupInput, ctx: StepContext): RetryWait | undefined {
  if (input.auth.kind !== 'system' || ctx.outcomeOf(APP_IDENTITY) !== 'applied') return undefined;
  return { services, signal: ctx.signal, progress: (d) => ctx.progress(d), limitMs: REPLICATION_LIMIT_MS };
}

/** The principal, looked up again while Graph does not know an identity this run just turned on. */
function principalAfterReplication(services: Services, input: SqlSetupInput, ctx: StepContext) {
  return retryWhile(
    "waiting for Entra to know the app's identity",
    () => sqlPrincipalOf(services, input, ctx.signal),
    (error) => (error as { status?: number }).status === 404,
    replicationWait(services, input, ctx),
  );
}

/**
 * A session in the database; when this run has just added a firewall rule, logins refused by the
 * firewall (40615) are tried again until it applies (Azure: up to five minutes).
 */
function sessionOnceTheRuleApplies<T>(
  services: Services,
  input: SqlSetupInput,
  ctx: StepContext,
  body: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const wait: RetryWait | undefined =
    ctx.outcomeOf(FIREWALL_TEMP) === 'applied'
      ? { services, signal: ctx.signal, progress: (d) => ctx.progress(d), limitMs: FIREWALL_APPLY_LIMIT_MS }
      : undefined;
  let opened = false;
  return retryWhile(
    'waiting for the new firewall rule to apply',
    () =>
      withSqlSession(services, input, input.database, ctx.signal, (session) => {
        opened = true;
        return body(session);
      }),
    // Only a refused login: once the body runs, its errors are not the firewall's.
    (error) => !opened && error instanceof SqlServerError && error.number === FIREWALL_REFUSED,
    wait,
  );
}

/**
 * The plain form resolves the name in Entra; when the user is named otherwise (`--db-user`) or the
 * name is not unique there (33131), the form with the object id picks the identity exactly.
 */
async function createUser(session: SqlSession, name: string, entraName: string, objectId: string) {
  if (!sameName(name, entraName)) return void (await session.query(createUserSql(name, objectId)));
  try {
    await session.query(createUserSql(name));
  } catch (error) {
    if (!(error instanceof SqlServerError) || error.number !== 33131) throw error;
    await session.query(createUserSql(name, objectId));
  }
}
