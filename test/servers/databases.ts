/**
 * Real database servers behind one twin: its own PostgreSQL cluster (with the pgaadauth stand-ins)
 * and its own MariaDB behind the MySQL AAD proxy, each in a throwaway directory on free 127.0.0.1
 * ports, started in parallel; `close()` stops both and removes the directories.
 */
import type { ArmResource, DatabaseHooks, Principal } from '../azure-twin/api.ts';
import type { TokenConfig } from '../azure-twin/tokens.ts';
import { type MariaDbInstance, startMariaDb } from './mariadb-instance.ts';
import { mysqlHooks } from './mysql-aad.ts';
import { type MysqlAadProxy, startMysqlAadProxy } from './mysql-aad-proxy.ts';
import { installPgAad, postgresHooks } from './postgres-aad.ts';
import { type PostgresInstance, startPostgres } from './postgres-instance.ts';

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
    await Promise.all([pg?.close(), my?.proxy.close().then(() => my.db.close())]);
  };
  for (const result of [pgResult, mysqlResult]) {
    if (result.status === 'rejected') {
      await close();
      throw result.reason;
    }
  }

  const pgHooks = pg && postgresHooks(pg, opts.principal);
  const myHooks = my && mysqlHooks(my.db, my.proxy);
  const hooks: DatabaseHooks = {};
  if (pgHooks) {
    hooks.postgresAdminAdded = (_server, admin) => pgHooks.adminAdded(admin);
    hooks.postgresAdminRemoved = (_server, principalName) => pgHooks.adminRemoved(principalName);
  }
  if (myHooks) {
    hooks.mysqlAdminSet = (server, admin) => myHooks.adminSet(server.id, admin);
    hooks.mysqlAdminRemoved = (server, login) => myHooks.adminRemoved(server.id, login);
  }
  hooks.databaseCreated = async (server: ArmResource, database: string) => {
    const type = server.type.toLowerCase();
    if (type.startsWith('microsoft.dbforpostgresql/') && pgHooks) await pgHooks.databaseCreated(database);
    else if (type.startsWith('microsoft.dbformysql/') && myHooks) await myHooks.databaseCreated(database);
  };

  const endpoints: AttachedDatabases['endpoints'] = {};
  if (pg) endpoints.postgres = { host: pg.host, port: pg.port };
  if (my) endpoints.mysql = { host: my.proxy.host, port: my.proxy.port };
  return { hooks, endpoints, close };
}

async function startPostgresSide(opts: AttachDatabasesOptions): Promise<PostgresInstance> {
  const pg = await startPostgres(opts.tls);
  try {
    await installPgAad(pg, opts);
    return pg;
  } catch (error) {
    await pg.close();
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
    });
    return { db, proxy };
  } catch (error) {
    await db.close();
    throw error;
  }
}
