/** ARM changes to a MySQL flexible server's Entra admin and databases, applied to the twin's MariaDB. */
import type { MariaDbInstance } from './mariadb-instance.ts';
import type { MysqlAadProxy } from './mysql-aad-proxy.ts';

export interface MysqlHooks {
  /** The server's single Entra admin was set or replaced (`sid` = object id). */
  adminSet(serverId: string, admin: { login: string; sid: string }): Promise<void>;
  adminRemoved(serverId: string, login: string): Promise<void>;
  databaseCreated(database: string): Promise<void>;
}

/**
 * What Azure gives its admin users on *.* (Learn, MySQL flexible "Create users": the server admin's
 * privilege list), in MariaDB's names: everything an application owner needs, but nothing SUPER-like
 * (no SUPER, FILE, SHUTDOWN, BINLOG/REPLICATION admin, CONNECTION ADMIN), so `SET GLOBAL` and granting
 * those privileges fail for the Entra admin as they do on Azure. REPLICATION CLIENT is MariaDB's
 * BINLOG MONITOR.
 */
export const AZURE_ADMIN_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'RELOAD',
  'PROCESS',
  'REFERENCES',
  'INDEX',
  'ALTER',
  'SHOW DATABASES',
  'CREATE TEMPORARY TABLES',
  'LOCK TABLES',
  'EXECUTE',
  'REPLICATION SLAVE',
  'BINLOG MONITOR',
  'CREATE VIEW',
  'SHOW VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'CREATE USER',
  'EVENT',
  'TRIGGER',
  // MariaDB's own database-level privilege: without it the admin could not GRANT ALL ON `db`.*.
  'DELETE HISTORY',
].join(', ');

/**
 * Hooks for one MariaDB behind one proxy. Users are server-wide, so all ARM MySQL servers of a twin
 * share them; the admin bookkeeping is per ARM server so replacing one server's admin drops only it.
 */
export function mysqlHooks(db: MariaDbInstance, proxy: MysqlAadProxy): MysqlHooks {
  const admins = new Map<string, string>();
  return {
    async adminSet(serverId, { login, sid }) {
      const key = serverId.toLowerCase();
      const previous = admins.get(key);
      if (previous !== undefined && previous !== login) {
        await db.query('DROP USER IF EXISTS ?@?', [previous, '%']);
      }
      await db.query('CREATE OR REPLACE USER ?@? IDENTIFIED BY PASSWORD ?', [
        login,
        '%',
        proxy.passwordHashFor(login, sid),
      ]);
      await db.query(`GRANT ${AZURE_ADMIN_PRIVILEGES} ON *.* TO ?@? WITH GRANT OPTION`, [login, '%']);
      admins.set(key, login);
    },
    async adminRemoved(serverId, login) {
      await db.query('DROP USER IF EXISTS ?@?', [login, '%']);
      admins.delete(serverId.toLowerCase());
    },
    async databaseCreated(database) {
      await db.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\``);
    },
  };
}
