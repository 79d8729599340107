/**
 * The Entra side of the twin's PostgreSQL: installs the pgaadauth_* stand-ins (pgaadauth.sql) into a
 * cluster and turns ARM admin and database changes into role and database changes.
 */
import { readFile } from 'node:fs/promises';
import type { Principal } from '../azure-twin/api.ts';
import type { TokenConfig } from '../azure-twin/tokens.ts';
import type { PostgresInstance } from './postgres-instance.ts';

export interface PgAadSettings {
  tokenConfig: TokenConfig;
  tenantId: string;
  ossrdbmsAudience: string;
}

/** Installs pgaadauth.sql into the `postgres` database with the twin's token settings. */
export async function installPgAad(pg: PostgresInstance, settings: PgAadSettings): Promise<void> {
  const { secret, t0, lifetimeSeconds } = settings.tokenConfig;
  if (!Number.isInteger(t0) || !Number.isInteger(lifetimeSeconds)) {
    // JSON.stringify of a fraction would not match PostgreSQL's numeric text.
    throw new Error('tokenConfig.t0 and lifetimeSeconds must be whole seconds');
  }
  const template = await readFile(new URL('./pgaadauth.sql', import.meta.url), 'utf8');
  const values: Record<string, string> = {
    SECRET: literal(secret),
    T0: String(t0),
    LIFETIME: String(lifetimeSeconds),
    TENANT: literal(settings.tenantId),
    AUDIENCE: literal(settings.ossrdbmsAudience),
  };
  // A replacer function, so a `$` in the secret is not read as a replacement pattern.
  const sql = template.replace(/@@([A-Z0-9]+)@@/g, (_, name: string) => values[name] ?? `@@${name}@@`);
  const allowList = await readFile(new URL('./azure-extensions.sql', import.meta.url), 'utf8');
  // template1 first: every database created later (CREATE DATABASE copies it) gets the allow-list.
  await pg.query(allowList, undefined, 'template1');
  await pg.disconnect('template1');
  await pg.query(allowList, undefined, 'postgres');
  await pg.query(sql);
}

/** A database role a scenario says exists already (created earlier by an Entra admin). */
export interface SeededRole {
  roleName: string;
  objectId: string;
  objectType: 'user' | 'service' | 'group';
  /** The admin role that created it (and so holds ADMIN OPTION on it). */
  createdBy?: string;
  /**
   * Database it was granted ALL on, and in it what a complete setup gives (USAGE and CREATE on public,
   * its tables and sequences, default privileges), given by the database's owner.
   */
  database?: string;
}

/** ARM's principalType (User, ServicePrincipal, Group, Unknown) as pgaadauth's object type. */
export function pgObjectType(
  principalType: string,
  principal: Principal | undefined,
): 'user' | 'service' | 'group' {
  switch (principalType.toLowerCase()) {
    case 'user':
      return 'user';
    case 'group':
      return 'group';
    case 'serviceprincipal':
      return 'service';
    default:
      return principal?.kind === 'user' ? 'user' : 'service';
  }
}

export interface PostgresHooks {
  adminAdded(admin: { objectId: string; principalName: string; principalType: string }): Promise<void>;
  adminRemoved(principalName: string): Promise<void>;
  /** A database created through ARM (or, with `owner`, by that role itself). */
  databaseCreated(database: string, owner: string): Promise<void>;
  /** The server's password admin: created with `password`, or given it (a password reset). */
  passwordAdmin(login: string, password: string): Promise<void>;
  /** Runs `sql` in `database` as `role` (a scenario's tables, owned by the role that made them). */
  runAs(database: string, role: string, sql: string): Promise<void>;
  roleSeeded(role: SeededRole): Promise<void>;
}

/**
 * Hooks for one cluster. Roles are cluster-wide, so every ARM server the twin maps to this cluster
 * shares them (one twin normally has one PostgreSQL server with databases).
 */
export function postgresHooks(
  pg: PostgresInstance,
  principal: (id: string) => Principal | undefined,
): PostgresHooks {
  // SET ROLE as the superuser: what the statements create or grant is `role`'s, as if it ran them.
  const runAs = async (database: string, role: string, sql: string) => {
    try {
      await pg.query(`BEGIN; SET LOCAL ROLE ${identifier(role)}; ${sql}; COMMIT`, undefined, database);
    } catch (error) {
      await pg.query('ROLLBACK', undefined, database).catch(() => {});
      throw error;
    }
  };
  return {
    async adminAdded(admin) {
      const type = pgObjectType(admin.principalType, principal(admin.objectId));
      await pg.query('SELECT twin_aad.add_admin($1, $2, $3)', [admin.principalName, admin.objectId, type]);
    },
    async adminRemoved(principalName) {
      await pg.query('SELECT twin_aad.remove_admin($1)', [principalName]);
    },
    async databaseCreated(database, owner) {
      const found = await pg.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.length > 0) return;
      // As Azure does (real-azure-facts.md, "who owns the database"): the caller passes the server's
      // password admin, or azuresu when it has none, never azure_pg_admin. Schema public then belongs
      // to pg_database_owner (PostgreSQL 15+), that is the same owner; PUBLIC keeps only USAGE on it.
      await pg.query(`CREATE DATABASE ${identifier(database)} OWNER ${identifier(owner)}`);
    },
    async passwordAdmin(login, password) {
      await pg.query('SELECT twin_aad.set_password_admin($1, $2)', [login, password]);
    },
    runAs,
    async roleSeeded(role) {
      await pg.query('SELECT twin_aad.seed_role($1, $2, $3, $4, $5)', [
        role.roleName,
        role.objectId,
        role.objectType,
        role.createdBy ?? null,
        role.database ?? null,
      ]);
      if (!role.database) return;
      // The rest of what an earlier, complete setup gave it in the database, as its owner gave it.
      const [owner] = await pg.query<{ owner: string }>(
        'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
        [role.database],
      );
      if (!owner) return;
      const r = identifier(role.roleName);
      await runAs(
        role.database,
        owner.owner,
        [
          `GRANT USAGE, CREATE ON SCHEMA public TO ${r}`,
          `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
          `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
          `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
        ].join('; '),
      );
    },
  };
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function identifier(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
