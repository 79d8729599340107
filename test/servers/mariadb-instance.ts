/**
 * One throwaway MariaDB server reachable only through a private unix socket (no TCP at all: clients
 * must come through the MySQL AAD proxy, which is what speaks TLS and Entra tokens).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import {
  cleanUpOnExit,
  copyTemplate,
  ensureTemplate,
  isRoot,
  makeInstanceDir,
  run,
  sleep,
} from './instance-dirs.ts';

export interface MariaDbInstance {
  /** Unix socket of the server; root logs in there without a password (the directory is private). */
  socketPath: string;
  /** Runs SQL as root. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export const MARIADBD = '/usr/sbin/mariadbd';

// Shared by mariadb-install-db and mariadbd: the redo log size must agree.
const COMMON_OPTIONS = ['--no-defaults', '--innodb-log-file-size=8M', '--skip-name-resolve'];

export async function startMariaDb(): Promise<MariaDbInstance> {
  const version = (await run('mysql', MARIADBD, ['--version'])).match(/Ver\s+(\S+)/)?.[1] ?? 'unknown';
  const template = await ensureTemplate(`mariadb-${version}`, 'mysql', async (dataDir) => {
    // `normal` gives root@localhost an empty password; the socket is only reachable by this user.
    await run('mysql', '/usr/bin/mariadb-install-db', [
      ...COMMON_OPTIONS,
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(isRoot ? ['--user=mysql'] : []),
    ]);
  });

  const dir = await makeInstanceDir('mariadb', 'mysql');
  const data = join(dir, 'data');
  const socketPath = join(dir, 'mysqld.sock');
  await copyTemplate(template, data);
  const child = spawn(
    MARIADBD,
    [
      ...COMMON_OPTIONS,
      ...(isRoot ? ['--user=mysql'] : []),
      `--datadir=${data}`,
      `--socket=${socketPath}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--skip-networking',
      // Throwaway data: durability buys nothing.
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      '--innodb-buffer-pool-size=32M',
      '--performance-schema=OFF',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
    ],
    // `/`: the caller's directory may be one the mysql user cannot enter (see run()).
    { stdio: 'ignore', cwd: '/' },
  );
  const forget = cleanUpOnExit(child.pid, dir);

  let connection: mysql.Connection;
  try {
    connection = await waitForServer(child, socketPath);
  } catch (error) {
    child.kill('SIGKILL');
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    forget();
    throw new Error(`MariaDB did not start: ${(error as Error).message}\n${log.slice(-2000)}`);
  }

  return {
    socketPath,
    async query<Row>(sql: string, params?: unknown[]) {
      const [rows] = await connection.query(sql, params);
      return rows as Row[];
    },
    async close() {
      await connection.end().catch(() => {});
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
      forget();
    },
  };
}

async function waitForServer(child: ChildProcess, socketPath: string): Promise<mysql.Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error('mariadbd exited during start-up');
    try {
      return await mysql.createConnection({ socketPath, user: 'root' });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(40);
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
