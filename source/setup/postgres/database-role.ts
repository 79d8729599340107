/**
 * `database-role`: maps the app's identity to a PostgreSQL role and grants it the app's database.
 * A role already mapped to that object id is left as it is (only missing grants are added); a role of
 * that name mapped to another object id (a stale identity) is dropped and re-created only with the
 * user's consent. When the server is reachable only from its network, the statements go to a psql
 * script for someone inside it instead (a hand-off). Undo drops the role only if this run created it.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { firewallRulePath } from '../firewall-temp.ts';
import { conninfo, OSS_RDBMS_TOKEN_ARGV, psqlCommand } from '../sql-commands.ts';
import { handOff, type Step, type UndoRecord } from '../step.ts';
import { signsInAs } from '../wording.ts';
import { APP_IDENTITY } from './app-identity.ts';
import { writeArm } from './azure-calls.ts';
import { refusedIp, withLogin } from './database-login.ts';
import { FIREWALL_TEMP } from './firewall-temp.ts';
import { principalOf } from './identities.ts';
import { API, type PostgresSetupInput, roleNameOf } from './input.ts';
import { createPrincipalSql, dropRoleSql, grantSql, revokeSql } from './role-sql.ts';

export interface RoleRecord extends UndoRecord {
  server: string;
  serverName: string;
  fqdn: string;
  port: number;
  signedInUser: string;
  role: string;
  objectId: string;
  database: string;
  /** This run created the role (undo drops it); false when it only granted an existing one. */
  created: boolean;
  /** The object id of the stale role this run replaced, with consent. */
  replacedObjectId: string | null;
}

export const DATABASE_ROLE = 'database-role';

/** SQLSTATE 3D000: the database does not exist. */
const INVALID_CATALOG_NAME = '3D000';

interface Found {
  /** The role name exists in pg_roles. */
  exists: boolean;
  /** Its Entra object id, when it is an Entra principal. */
  objectId: string | null;
}

async function findRole(client: pg.Client, role: string): Promise<Found> {
  const { rows } = await client.query(
    `select r.rolname, p.objectid
       from pg_roles r left join pgaadauth_list_principals(false) p on p.rolname = r.rolname
      where r.rolname = $1`,
    [role],
  );
  const row = rows[0] as { objectid: string | null } | undefined;
  return { exists: row !== undefined, objectId: row?.objectid ?? null };
}

async function granted(client: pg.Client, role: string, database: string): Promise<boolean> {
  const { rows } = await client.query(
    `select has_database_privilege($1, $2, 'CONNECT') and has_schema_privilege($1, 'public', 'USAGE') as ok`,
    [role, database],
  );
  return rows[0]?.ok === true;
}

export function databaseRoleStep(
  input: PostgresSetupInput,
  services: Services,
  after: string[],
): Step<RoleRecord> {
  const role = roleNameOf(input);
  const { server, database } = input;
  const stale = input.staleRoleObjectId;
  const handingOff = input.networkPath === 'private-network';
  return {
    id: DATABASE_ROLE,
    title: `Database role ${role} on ${server.name}`,
    resource: `${server.id}/roles/${role}`,
    after: [APP_IDENTITY, FIREWALL_TEMP, ...after].filter(
      (id) => id !== APP_IDENTITY || input.auth.kind !== 'sp',
    ),
    ...(stale
      ? { consent: `drops the role ${role}, now mapped to another identity (${stale}), and creates it again` }
      : {}),
    preview: () => [
      ...(stale ? [`drop the role ${role} (mapped to ${stale}, an identity that no longer matches)`] : []),
      `create the role ${role} for ${signsInAs(input.auth)} with pgaadauth_create_principal_with_oid (in database postgres)`,
      input.grants === 'owner'
        ? `grant ${role} all privileges on database ${database} (as the Azure CLI does)`
        : `grant ${role} connect on ${database}, use and create in schema public, read and write its tables`,
      ...(handingOff
        ? ['the server is reachable only from its network: these statements go to a psql script']
        : []),
    ],
    async isDone(ctx) {
      if (handingOff) return false;
      const { objectId } = await principalOf(services, input, ctx.signal);
      return withLogin(services, input, 'postgres', ctx.signal, async (client) => {
        const found = await findRole(client, role);
        if (found.objectId?.toLowerCase() !== objectId.toLowerCase()) return false;
        return withLogin(services, input, database, ctx.signal, (inDatabase) =>
          granted(inDatabase, role, database),
        );
      });
    },
    async apply(ctx) {
      const { objectId } = await principalOf(services, input, ctx.signal);
      const record: RoleRecord = {
        server: server.id,
        serverName: server.name,
        fqdn: server.fqdn,
        port: server.port,
        signedInUser: input.signedIn.user,
        role,
        objectId,
        database,
        created: false,
        replacedObjectId: null,
      };
      if (handingOff) return handOffScript(input, ctx.runId, record);
      const found = await withLogin(services, input, 'postgres', ctx.signal, (client) =>
        findRole(client, role),
      );
      const mapped = found.objectId?.toLowerCase() === objectId.toLowerCase();
      if (found.exists && !mapped) {
        if (found.objectId === null)
          throw new Error(
            `a role named ${role} exists and is not an Entra principal: choose another name with --db-user`,
          );
        if (!stale || stale.toLowerCase() !== found.objectId.toLowerCase())
          throw new Error(
            `the role ${role} is mapped to another identity (${found.objectId}); run the doctor and agree to replace it, or choose another name with --db-user`,
          );
        record.replacedObjectId = found.objectId;
      }
      record.created = !mapped;
      await ctx.checkpoint(record);
      if (record.replacedObjectId) {
        ctx.progress(`dropping the stale role ${role}`);
        await withLogin(services, input, database, ctx.signal, (client) =>
          runAll(client, revokeSql(role, database)),
        );
        await withLogin(services, input, 'postgres', ctx.signal, (client) => client.query(dropRoleSql(role)));
      }
      if (record.created) {
        ctx.progress(`creating the role ${role}`);
        await withLogin(services, input, 'postgres', ctx.signal, (client) =>
          client.query(createPrincipalSql(role, objectId)),
        );
      }
      ctx.progress(`granting ${role} on ${database}`);
      await withLogin(services, input, database, ctx.signal, (client) =>
        runAll(client, grantSql(role, database, input.grants)),
      );
      return record;
    },
    undo: (ctx, record) => undoDatabaseRole(services, ctx, record, input.connectTo),
    manualUndo: manualDatabaseRole,
  };
}

/** The commands that reverse the step by hand. */
export function manualDatabaseRole(record: RoleRecord): string[] {
  if (!record.created) return [];
  const on = (database: string) => ({
    host: record.fqdn,
    port: record.port,
    database,
    user: record.signedInUser,
  });
  return [
    psqlCommand(on(record.database), revokeSql(record.role, record.database).join('; ')),
    psqlCommand(on('postgres'), dropRoleSql(record.role)),
  ];
}

async function runAll(client: pg.Client, statements: string[]): Promise<void> {
  for (const statement of statements) await client.query(statement);
}

export async function undoDatabaseRole(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: RoleRecord,
  connectTo: PostgresSetupInput['connectTo'] = loginConnectTo,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  if (!record.created)
    return { status: 'already-gone', reason: `the role ${record.role} was there before this run` };
  const login = {
    server: { fqdn: record.fqdn, port: record.port } as PostgresSetupInput['server'],
    signedIn: { user: record.signedInUser } as PostgresSetupInput['signedIn'],
    connectTo,
  };
  return withOpenFirewall(services, ctx, record, () => dropCreatedRole(services, ctx, record, login));
}

async function dropCreatedRole(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: RoleRecord,
  login: Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const found = await withLogin(services, login, 'postgres', ctx.signal, (client) =>
    findRole(client, record.role),
  );
  if (!found.exists) return { status: 'already-gone', reason: `the role ${record.role} does not exist` };
  if (found.objectId?.toLowerCase() !== record.objectId.toLowerCase())
    return { status: 'changed-since', reason: `the role ${record.role} is now mapped to ${found.objectId}` };
  await withLogin(services, login, record.database, ctx.signal, (client) =>
    runAll(client, revokeSql(record.role, record.database)),
  ).catch((error: unknown) => {
    // No database, no grants in it to take back (a run that failed granting a database that is gone).
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) throw error;
  });
  await withLogin(services, login, 'postgres', ctx.signal, (client) =>
    client.query(dropRoleSql(record.role)),
  );
  if (record.replacedObjectId) {
    // The stale mapping comes back as it was; its grants are not (they were for an identity that is gone).
    await withLogin(services, login, 'postgres', ctx.signal, (client) =>
      client.query(createPrincipalSql(record.role, record.replacedObjectId!)),
    );
  }
  return { status: 'undone' };
}

/**
 * Undo after the run's temporary firewall rule was removed (a finished run undone later): when the
 * firewall refuses this machine, a rule `sc-doctor-<run id>-undo` is added for the undo and removed
 * after it, success or failure.
 */
async function withOpenFirewall<T>(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: RoleRecord,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const ip = refusedIp((error as Error).message);
    if (!ip) throw error;
    const rule = firewallRulePath(record.server, `sc-doctor-${ctx.runId}-undo`);
    ctx.progress(`opening the firewall for ${ip} during the undo`);
    await writeArm(
      services,
      ctx,
      'PUT',
      rule,
      API.postgres,
      { properties: { startIpAddress: ip, endIpAddress: ip } },
      'opening the firewall for the undo',
    );
    try {
      return await body();
    } finally {
      await writeArm(
        services,
        ctx,
        'DELETE',
        rule,
        API.postgres,
        undefined,
        'closing the firewall after the undo',
      );
    }
  }
}

/**
 * Undo from the journal runs in a new process: the `--connect-to` mapping of that process applies.
 * Set by `postgresUndoers`.
 */
let loginConnectTo: PostgresSetupInput['connectTo'];
export function setUndoConnectTo(map: PostgresSetupInput['connectTo']): void {
  loginConnectTo = map;
}

/** Writes the statements to a script someone inside the network runs; no secret is in it. */
export async function handOffScript(input: PostgresSetupInput, runId: string, record: RoleRecord) {
  const dir = input.handOffDir ?? process.cwd();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `sc-doctor-${runId}-postgres.sh`);
  const role = record.role;
  // A line break in a name could end the here-document early: refuse rather than write it.
  if (/[\r\n]/.test(role) || /[\r\n]/.test(input.database))
    throw new Error('a name with a line break cannot go into a psql script: choose another with --db-user');
  const psql = (database: string) =>
    commandLine([
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      conninfo(
        { host: input.server.fqdn, port: input.server.port, database, user: input.signedIn.user },
        { rootCert: null },
      ),
    ]);
  const lines = [
    '#!/bin/sh',
    `# sc-doctor run ${runId}: creates the PostgreSQL role ${role.replace(/\n/g, ' ')} for ${input.app.name.replace(/\n/g, ' ')}.`,
    "# Run it from a machine inside the server's network, signed in with az as an Entra admin of the server.",
    'set -eu',
    `PGPASSWORD="$(${commandLine(OSS_RDBMS_TOKEN_ARGV)})"`,
    'export PGPASSWORD',
    `${psql('postgres')} <<'SC_DOCTOR_SQL'`,
    `${createPrincipalSql(role, record.objectId)};`,
    'SC_DOCTOR_SQL',
    `${psql(input.database)} <<'SC_DOCTOR_SQL'`,
    ...grantSql(role, input.database, input.grants).map((s) => `${s};`),
    'SC_DOCTOR_SQL',
    '',
  ];
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
  await chmod(file, 0o600);
  return handOff(file, `run ${file} from inside ${input.server.name}'s network to create the role ${role}`);
}
