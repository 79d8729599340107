/**
 * `database-user`: creates the app's MySQL user with Azure's `CREATE AADUSER '<name>' IDENTIFIED BY
 * '<client id>'` and grants it the app's database only. MySQL cannot show which Entra id a user
 * stands for, so a user of that name that exists already is dropped and created again only with the
 * user's consent. Undo drops the user only if this run created it.
 */
import type { Connection } from 'mysql2/promise';
import { readGraph } from '../../azure/arm-calls.ts';
import type { Services } from '../../core/services.ts';
import { mysql } from '../../databases/mysql/index.ts';
import { type MysqlLogin, withMysql } from '../../databases/mysql/login.ts';
import { createUserSql, dropUserSql, grantSql, LEAST_PRIVILEGES } from '../../databases/mysql/statements.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { APP_IDENTITY } from '../app/app-identity.ts';
import { principalOf } from '../app/identities.ts';
import { FIREWALL_TEMP, withOpenFirewall } from '../firewall-temp.ts';
import { REPLICATION_LIMIT_MS, retryWhile } from '../retry-wait.ts';
import { mysqlCommand } from '../sql-commands.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { signsInAs } from '../wording.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { type MysqlSetupInput, mysqlUserNameOf } from './input.ts';
import { USER_RECORD } from './record-schemas.ts';

export interface UserRecord extends UndoRecord {
  server: string;
  serverName: string;
  fqdn: string;
  port: number;
  signedInUser: string;
  user: string;
  database: string;
  clientId: string;
  /** This run created the user (undo drops it). */
  created: boolean;
  /** A user of that name was dropped first, with consent (a rollback cannot bring it back). */
  replaced: boolean;
}

export const DATABASE_USER = 'database-user';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const databaseUser: SetupStep<UserRecord> = {
  id: DATABASE_USER,
  title: 'MySQL user',
  record: USER_RECORD,
  undo: (ctx, record) => undoDatabaseUser(ctx.services, ctx, record, ctx.connectTo),
  manualUndo: manualDatabaseUser,
};

/** The client id the user is created for: the identity's, or the service principal's application id. */
export async function appClientId(
  services: Services,
  input: MysqlSetupInput,
  signal?: AbortSignal,
): Promise<{ clientId: string; objectId: string; label: string }> {
  const principal = await principalOf(services, input, signal);
  if (principal.clientId) return { ...principal, clientId: principal.clientId };
  const sp = await readGraph(
    services,
    `v1.0/servicePrincipals/${encodeURIComponent(principal.objectId)}`,
    `reading the client id of ${principal.label}`,
    signal,
  );
  if (typeof sp.appId !== 'string') throw new Error(`${principal.label} has no client id in Microsoft Graph`);
  return { ...principal, clientId: sp.appId };
}

async function userExists(connection: Connection, user: string): Promise<boolean> {
  const [rows] = (await connection.query("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [
    user,
  ])) as unknown as [unknown[]];
  return rows.length > 0;
}

export function databaseUserStep(input: MysqlSetupInput, services: Services): Step<UserRecord> {
  const user = mysqlUserNameOf(input);
  const { server, database } = input;
  return planned(
    databaseUser,
    {
      title: `MySQL user ${user} on ${server.name}`,
      resource: `${server.id}/users/${user}`,
      after: [APP_IDENTITY, ENTRA_ADMIN, FIREWALL_TEMP].filter(
        (id) => id !== APP_IDENTITY || input.auth.kind !== 'sp',
      ),
      ...(input.replaceUser
        ? {
            consent: `drops the MySQL user ${user} (MySQL cannot show which identity it stands for) and creates it again; a rollback cannot bring the old one back`,
          }
        : {}),
      preview: () => [
        ...(input.replaceUser ? [`drop the existing MySQL user ${user}`] : []),
        `create the MySQL user ${user} for the client id of ${signsInAs(input.auth)} (SET aad_auth_validate_oids_in_tenant = OFF; CREATE AADUSER)`,
        input.grants === 'owner'
          ? `grant ${user} ALL PRIVILEGES on ${database}.* (as the Azure CLI does)`
          : `grant ${user} ${LEAST_PRIVILEGES.join(', ')} on ${database}.* only`,
      ],
      async isDone() {
        // MySQL cannot show which Entra id an existing user stands for: apply decides, with consent.
        return false;
      },
      async apply(ctx) {
        if (input.networkPath === 'private-network')
          throw new Error(
            `${server.name} is reachable only from its network: run setup from a machine inside it (a hand-off script is not made for MySQL yet)`,
          );
        // Graph may not know a system identity this run just turned on: wait for Entra, as the Azure
        // CLI does (it retries `az ad sp show` 15 times, 10 s apart).
        const { clientId } = await retryWhile(
          "waiting for Entra to know the app's identity",
          () => appClientId(services, input, ctx.signal),
          (error) => (error as { status?: number }).status === 404,
          input.auth.kind === 'system' && ctx.outcomeOf(APP_IDENTITY) === 'applied'
            ? {
                services,
                signal: ctx.signal,
                progress: (d) => ctx.progress(d),
                limitMs: REPLICATION_LIMIT_MS,
              }
            : undefined,
        );
        return withMysql(services, input, ctx.signal, async (connection) => {
          const exists = await userExists(connection, user);
          if (exists && !input.replaceUser)
            throw new Error(
              `a MySQL user named ${user} exists, and MySQL cannot show which identity it stands for: run the doctor and agree to replace it, or choose another --db-user`,
            );
          const record: UserRecord = {
            server: server.id,
            serverName: server.name,
            fqdn: server.fqdn,
            port: server.port,
            signedInUser: input.signedIn.user,
            user,
            database,
            clientId,
            created: true,
            replaced: exists,
          };
          await ctx.checkpoint(record);
          if (exists) {
            ctx.progress(`dropping the existing user ${user}`);
            await connection.query(dropUserSql(user));
          }
          ctx.progress(`creating the user ${user}`);
          for (const statement of createUserSql(user, clientId)) await connection.query(statement);
          ctx.progress(`granting ${user} on ${database}`);
          await connection.query(grantSql(user, database, input.grants));
          return record;
        });
      },
    },
    envOf(services, input),
  );
}

/** The command that drops the user by hand (the token is fetched by the command, never printed). */
export function manualDatabaseUser(record: UserRecord): string[] {
  if (!record.created) return [];
  return [
    mysqlCommand(
      { host: record.fqdn, port: record.port, user: record.signedInUser },
      dropUserSql(record.user),
    ),
  ];
}

/** Reverses `database-user` from its record alone; `connectTo` is this process's `--connect-to`. */
export async function undoDatabaseUser(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: UserRecord,
  connectTo: MysqlSetupInput['connectTo'],
): Promise<Awaited<ReturnType<Step['undo']>>> {
  if (!record.created) return { status: 'already-gone', reason: `the user ${record.user} was there before` };
  const login: MysqlLogin = {
    server: { fqdn: record.fqdn, port: record.port } as MysqlSetupInput['server'],
    signedIn: { user: record.signedInUser } as MysqlSetupInput['signedIn'],
    connectTo,
  };
  // A finished run undone later: its temporary rule is gone, so the firewall opens for the undo only.
  return withOpenFirewall(services, ctx, mysql, { id: record.server, name: record.serverName }, () =>
    withMysql(services, login, ctx.signal, async (connection) => {
      if (!(await userExists(connection, record.user)))
        return { status: 'already-gone' as const, reason: `the user ${record.user} does not exist` };
      await connection.query(dropUserSql(record.user));
      return { status: 'undone' as const };
    }),
  );
}
