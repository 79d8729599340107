/**
 * Real database servers behind one twin: its own PostgreSQL 17 cluster (with the pgaadauth stand-ins)
 * behind the PostgreSQL front proxy, and its own MariaDB behind the MySQL AAD proxy, each in a
 * throwaway directory on free 127.0.0.1 ports, started in parallel; `close()` stops both and removes
 * the directories. With `arm`, both proxies decide every login from the twin's ARM state (postgres-gate.ts, mysql-gate.ts).
 */
import { join } from 'node:path';
import type { ArmResource, DatabaseHooks, Principal } from '../azure-twin/api.ts';
import type { TokenConfig } from '../azure-twin/tokens.ts';
import type { ArmView } from './arm-view.ts';
import { type MariaDbInstance, startMariaDb } from './mariadb-instance.ts';
import { mysqlHooks } from './mysql-aad.ts';
import { type MysqlAadProxy, startMysqlAadProxy } from './mysql-aad-proxy.ts';
import { mysqlGate } from './mysql-gate.ts';
import { installPgAad, postgresHooks } from './postgres-aad.ts';
import { type PostgresFront, startPostgresFront } from './postgres-front.ts';
import { postgresGate } from './postgres-gate.ts';
import { type PostgresInstance, SUPERUSER, startPostgres } from './postgres-instance.ts';

export interface AttachDatabasesOptions {
  tokenConfig: TokenConfig;
  tenantId: string;
  ossrdbmsAudience: string;
  principal: (id: string) => Principal | undefined;
  /** PEM: a server certificate (SANs localhost, 127.0.0.1, *.postgres.twin.test, *.mysql.twin.test), its key, its CA. */
  tls: { cert: string; key: string; ca: string };
  /** Which servers to start; both by default. (Extension: lets ARM-only or single-engine tests start less.) */
  engines?: ('postgres' | 'mysql')[];
  /** Seconds since the epoch for token lifetime checks at the MySQL proxy (extension; default: real time). */
  now?: () => number;
  /**
   * The twin's ARM state. With it, logins are refused and allowed as the ARM servers say (state,
   * firewall, authConfig, aad_auth_only, identity, admin); without it (tests of the database pieces
   * alone) every login goes on to the real server's own checks.
   */
  arm?: ArmView;
}

export interface AttachedDatabases {
  hooks: DatabaseHooks;
  endpoints: { postgres?: { host: string; port: number }; mysql?: { host: string; port: number } };
  close(): Promise<void>;
}

export async function attachDatabases(opts: AttachDatabasesOptions): Promise<AttachedDatabases> {
  const engines = new Set(opts.engines ?? ['postgres', 'mysql']);
  const [pgResult, mysqlResult] = await Promise.allSettled([
    engines.has('postgres') ? startPostgresSide(opts) : Promise.resolve(undefined),
    engines.has('mysql') ? startMysqlSide(opts) : Promise.resolve(undefined),
  ]);
  const pg = pgResult.status === 'fulfilled' ? pgResult.value : undefined;
  const my = mysqlResult.status === 'fulfilled' ? mysqlResult.value : undefined;
  const close = async () => {
    await Promise.all([
      pg?.front.close().then(() => pg.db.close()),
      my?.proxy.close().then(() => my.db.close()),
    ]);
  };
  for (const result of [pgResult, mysqlResult]) {
    if (result.status === 'rejected') {
      await close();
      throw result.reason;
    }
  }

  const pgHooks = pg && postgresHooks(pg.db, opts.principal);
  const myHooks = my && mysqlHooks(my.db, my.proxy);
  const hooks: DatabaseHooks = {};
  if (pgHooks) {
    hooks.postgresAdminAdded = (_server, admin) => pgHooks.adminAdded(admin);
    hooks.postgresAdminRemoved = (_server, principalName) => pgHooks.adminRemoved(principalName);
    hooks.postgresRoleSeeded = (_server, role) => pgHooks.roleSeeded(role);
    hooks.postgresPasswordAdmin = (_server, login, password) => pgHooks.passwordAdmin(login, password);
    hooks.postgresRunAs = (_server, database, role, sql) => pgHooks.runAs(database, role, sql);
    hooks.postgresQuery = async (sql, database) => ({ rows: await pg!.db.query(sql, undefined, database) });
  }
  if (myHooks) {
    hooks.mysqlAdminSet = (server, admin) => myHooks.adminSet(server.id, admin);
    hooks.mysqlAdminRemoved = (server, login) => myHooks.adminRemoved(server.id, login);
    hooks.mysqlQuery = async (sql, params) => ({ rows: await my!.db.query(sql, params) });
  }
  hooks.databaseCreated = async (server: ArmResource, database: string, owner?: string) => {
    const type = server.type.toLowerCase();
    if (type.startsWith('microsoft.dbforpostgresql/') && pgHooks)
      await pgHooks.databaseCreated(database, owner ?? armDatabaseOwner(server));
    else if (type.startsWith('microsoft.dbformysql/') && myHooks) await myHooks.databaseCreated(database);
  };

  const endpoints: AttachedDatabases['endpoints'] = {};
  if (pg) endpoints.postgres = { host: pg.front.host, port: pg.front.port };
  if (my) endpoints.mysql = { host: my.proxy.host, port: my.proxy.port };
  return { hooks, endpoints, close };
}

/**
 * Who owns a database created through ARM: the server's password admin, or azuresu when it has none
 * (real-azure-facts.md, "PostgreSQL flexible server: who owns the database").
 */
export function armDatabaseOwner(server: ArmResource): string {
  const login = server.properties?.administratorLogin;
  return typeof login === 'string' && login ? login : SUPERUSER;
}

async function startPostgresSide(
  opts: AttachDatabasesOptions,
): Promise<{ db: PostgresInstance; front: PostgresFront }> {
  const db = await startPostgres(opts.tls, { tcp: false });
  try {
    const [front] = await Promise.all([
      startPostgresFront({
        backendSocket: join(db.socketDir, `.s.PGSQL.${db.port}`),
        tls: opts.tls,
        reservedUsers: [SUPERUSER],
        ...(opts.arm
          ? {
              gate: postgresGate(opts.arm, opts.ossrdbmsAudience, {
                config: opts.tokenConfig,
                now: opts.now ?? (() => Math.floor(Date.now() / 1000)),
              }),
            }
          : {}),
      }),
      installPgAad(db, opts),
    ]);
    return { db, front };
  } catch (error) {
    await db.close();
    throw error;
  }
}

async function startMysqlSide(
  opts: AttachDatabasesOptions,
): Promise<{ db: MariaDbInstance; proxy: MysqlAadProxy }> {
  const db = await startMariaDb();
  try {
    const proxy = await startMysqlAadProxy({
      backendSocket: db.socketPath,
      tls: opts.tls,
      tokenConfig: opts.tokenConfig,
      ossrdbmsAudience: opts.ossrdbmsAudience,
      principal: opts.principal,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.arm ? { gate: mysqlGate(opts.arm) } : {}),
    });
    return { db, proxy };
  } catch (error) {
    await db.close();
    throw error;
  }
}
