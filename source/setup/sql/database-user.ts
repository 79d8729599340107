/**
 * `database-user` for Azure SQL: the app's identity as a contained database user
 * (`CREATE USER [name] FROM EXTERNAL PROVIDER`, or `WITH OBJECT_ID` when the name is not the
 * identity's unique display name) and the grants of `--grants`: db_datareader, db_datawriter and
 * db_ddladmin by default, CONTROL on the database (the Azure CLI's grant) with `owner`. A user of that
 * name mapped to the same identity is kept (only missing grants are added); one mapped to another
 * identity is dropped and created again only with consent. Undo drops the user only if this run
 * created it, and otherwise takes back only the grants this run added.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../../core/services.ts';
import { readGrants, readUsers } from '../../doctor/database-probe-sql.ts';
import { firewallRefusedIp, SqlServerError, type SqlSession } from '../../doctor/sql-session.ts';
import { APP_IDENTITY } from '../postgres/app-identity.ts';
import { readGraph } from '../postgres/azure-calls.ts';
import { handOff, type Step, type UndoRecord } from '../step.ts';
import { addressOf, type SqlServerAddress, withSqlSession } from './database-login.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { addRule, FIREWALL_TEMP, removeSqlRule } from './firewall-temp.ts';
import { plannedUserName, sqlPrincipalOf } from './identity.ts';
import type { SqlSetupInput } from './input.ts';
import { createUserSql, dropUserSql, grantStatements, grantsFor, revokeStatements } from './user-sql.ts';

export const DATABASE_USER = 'database-user';

export interface SqlUserRecord extends UndoRecord {
  server: string;
  serverName: string;
  fqdn: string;
  port: number;
  database: string;
  user: string;
  /** The GUID in the user's `sid`: the client id of an application or managed identity. */
  sid: string;
  /** This run created the user (undo drops it). */
  created: boolean;
  /** Roles (and CONTROL) this run granted an existing user; undo takes back only these. */
  added: string[];
  /** The user of that name this run dropped with consent: its `sid` GUID and grants, to put back. */
  replaced: { sid: string; grants: string[] } | null;
}

const sameName = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0;
const sameGuid = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

export function sqlDatabaseUserStep(input: SqlSetupInput, services: Services): Step<SqlUserRecord> {
  const { server, database } = input;
  const stale = input.staleRoleObjectId;
  const wanted = grantsFor(input.grants);
  const named = plannedUserName(input);
  const handingOff = input.networkPath === 'private-network';
  return {
    id: DATABASE_USER,
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
        ? `create the user [${input.dbUser}] in ${database} for the app's identity: CREATE USER ... FROM EXTERNAL PROVIDER WITH OBJECT_ID`
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
      const principal = await sqlPrincipalOf(services, input, ctx.signal);
      return withSqlSession(services, addressOf(input), database, ctx.signal, async (session) => {
        const user = (await readUsers(session)).find((u) => sameName(u.name, principal.userName));
        if (!user || !sameGuid(user.sid, principal.clientId)) return false;
        const held = await readGrants(session, user.name);
        return wanted.every((g) => held.includes(g));
      });
    },
    async apply(ctx) {
      const principal = await sqlPrincipalOf(services, input, ctx.signal);
      const name = principal.userName;
      if (handingOff) return handOffScript(input, ctx.runId, name, principal.objectId, wanted);
      return withSqlSession(services, addressOf(input), database, ctx.signal, async (session) => {
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
          await createUser(session, name, principal.entraName, principal.objectId);
        }
        ctx.progress(`granting ${name} on ${database}`);
        for (const statement of grantStatements(name, database, record.created ? wanted : record.added))
          await session.query(statement);
        return record;
      });
    },
    undo: (ctx, record) => undoSqlDatabaseUser(services, ctx, record, input.connectTo),
    manualUndo: (record) =>
      record.created
        ? [
            `sqlcmd -S ${record.fqdn} -d ${record.database} --authentication-method ActiveDirectoryDefault -Q "${dropUserSql(record.user).replace(/"/g, '""')}"`,
          ]
        : record.added.length > 0
          ? [
              `sqlcmd -S ${record.fqdn} -d ${record.database} --authentication-method ActiveDirectoryDefault -Q "${revokeStatements(record.user, record.database, record.added).join('; ').replace(/"/g, '""')}"`,
            ]
          : [],
  };
}

/**
 * Writes the statements to a script someone inside the server's network runs with sqlcmd, signed in
 * as the Entra admin. `WITH OBJECT_ID` names the identity exactly; no secret is in the script.
 */
async function handOffScript(
  input: SqlSetupInput,
  runId: string,
  name: string,
  objectId: string,
  grants: string[],
) {
  const dir = input.handOffDir ?? process.cwd();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `sc-doctor-${runId}-sql.sh`);
  const oneLine = (text: string) => text.replace(/[\r\n]/g, ' ');
  // A line break in a name could end the here-document early: refuse rather than write it.
  if (/[\r\n]/.test(name) || /[\r\n]/.test(input.database))
    throw new Error('a name with a line break cannot go into a sqlcmd script: choose another with --db-user');
  const lines = [
    '#!/bin/sh',
    `# sc-doctor run ${runId}: creates the Azure SQL user ${oneLine(name)} for ${oneLine(input.app.name)}.`,
    "# Run it from a machine inside the server's network, signed in with az as the server's Entra admin.",
    'set -eu',
    `sqlcmd -S '${input.server.fqdn}' -d '${input.database.replace(/'/g, `'\\''`)}' --authentication-method ActiveDirectoryDefault -b <<'SC_DOCTOR_SQL'`,
    createUserSql(name, objectId),
    'GO',
    ...grantStatements(name, input.database, grants).flatMap((statement) => [statement, 'GO']),
    'SC_DOCTOR_SQL',
    '',
  ];
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
  await chmod(file, 0o600);
  return handOff(file, `run ${file} from inside ${input.server.name}'s network to create the user ${name}`);
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

/** Reverses `database-user` from its record alone. */
export async function undoSqlDatabaseUser(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlUserRecord,
  connectTo: SqlSetupInput['connectTo'] = undoConnectTo,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  if (!record.created && record.added.length === 0)
    return {
      status: 'already-gone',
      reason: `the user ${record.user} and its grants were there before this run`,
    };
  const address: SqlServerAddress = { fqdn: record.fqdn, port: record.port, connectTo };
  return withOpenFirewall(services, ctx, record, () =>
    withSqlSession(services, address, record.database, ctx.signal, async (session) => {
      const user = (await readUsers(session)).find((u) => sameName(u.name, record.user));
      if (!user) {
        if (!record.replaced)
          return { status: 'already-gone' as const, reason: `the user ${record.user} does not exist` };
      } else if (!sameGuid(user.sid, record.sid)) {
        // Our write never happened (the stale user is still there), or someone replaced ours since.
        if (record.replaced && sameGuid(user.sid, record.replaced.sid))
          return { status: 'already-gone' as const, reason: `the user ${record.user} was not replaced` };
        return {
          status: 'changed-since' as const,
          reason: `the user ${record.user} is now mapped to ${user.sid}, not to the identity this run mapped`,
        };
      } else if (!record.created) {
        const held = await readGrants(session, user.name);
        for (const statement of revokeStatements(
          user.name,
          record.database,
          record.added.filter((g) => held.includes(g)),
        ))
          await session.query(statement);
        return { status: 'undone' as const };
      } else {
        await session.query(dropUserSql(user.name));
      }
      if (record.replaced) await restoreReplaced(services, ctx, session, record);
      return { status: 'undone' as const };
    }),
  );
}

/** Creates the stale user again, mapped as it was, with the grants it had. */
async function restoreReplaced(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  session: SqlSession,
  record: SqlUserRecord,
): Promise<void> {
  const { sid, grants } = record.replaced!;
  // An application's sid is its client id; users' and groups' sids are their object ids.
  const answer = await readGraph(
    services,
    `v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${sid.toLowerCase()}'`)}&$select=id`,
    `looking up the identity ${sid}`,
    ctx.signal,
  );
  const objectId = ((answer.value ?? []) as { id?: string }[])[0]?.id ?? sid.toLowerCase();
  await session.query(createUserSql(record.user, objectId));
  for (const statement of grantStatements(record.user, record.database, grants))
    await session.query(statement);
}

/**
 * Undo after the run's temporary rule was removed (a finished run undone later): when the firewall
 * refuses this machine, a rule `sc-doctor-<run id>-undo` for the address it names lives only for the undo.
 */
async function withOpenFirewall<T>(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlUserRecord,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const ip =
      error instanceof SqlServerError && error.number === 40615
        ? firewallRefusedIp(error.message)
        : undefined;
    if (!ip) throw error;
    const rule = {
      server: record.server,
      serverName: record.serverName,
      rule: `sc-doctor-${ctx.runId}-undo`,
      ip,
    };
    ctx.progress(`opening the firewall for ${ip} during the undo`);
    await addRule(services, ctx, rule);
    try {
      return await body();
    } finally {
      await removeSqlRule(services, ctx, rule);
    }
  }
}

/** Undo from the journal runs in a new process: that process's `--connect-to`. Set by `sqlUndoers`. */
let undoConnectTo: SqlSetupInput['connectTo'];
export function setSqlUndoConnectTo(map: SqlSetupInput['connectTo']): void {
  undoConnectTo = map;
}
