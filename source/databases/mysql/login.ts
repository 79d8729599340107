/**
 * Logging in to MySQL as the signed-in account with an Entra token: `mysql_clear_password` (the token
 * is the password) inside TLS verified against the server's Azure name (SNI and certificate) even
 * when `--connect-to` sends the connection elsewhere. mysql2 is imported on the first login only.
 */
import type { Connection } from 'mysql2/promise';
import { commonJs } from '../../core/commonjs.ts';
import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken, type LoginTarget, withoutToken } from '../login.ts';
import { mysqlDescriptor } from './descriptor.ts';

const CONNECT_TIMEOUT_MS = 15_000;

/** What a login needs: the server's name and port, who logs in, and this process's `--connect-to`. */
export type MysqlLogin = LoginTarget;

/** One connection as the driver opens it: the address (already mapped), the name TLS checks, who and how. */
export interface MysqlConnection {
  host: string;
  port: number;
  /** The server's Azure name: TLS verifies the certificate against it, and it is sent as SNI. */
  fqdn: string;
  user: string;
  password: string;
  /** Extra trusted CAs (tests' local CA); the system's CAs otherwise. */
  ca?: string | Buffer | undefined;
  timeoutMs: number;
  /** Aborting closes the connection. */
  signal?: AbortSignal | undefined;
}

/** A connection, for the setup steps and the doctor's probe alike; the caller ends it. */
export async function openMysql(connection: MysqlConnection): Promise<Connection> {
  const mysql = commonJs(await import('mysql2/promise'));
  const net = await import('node:net');
  const socket = net.connect({ host: connection.host, port: connection.port });
  // A cancelled run must not leave a connection (or a half-open socket) behind it.
  const close = () => socket.destroy();
  connection.signal?.addEventListener('abort', close, { once: true });
  try {
    return await mysql.createConnection({
      // The driver verifies the certificate against `host` (and sends it as SNI): the Azure name,
      // while the socket goes to the (possibly mapped) address.
      host: connection.fqdn,
      port: connection.port,
      stream: socket,
      user: connection.user,
      password: connection.password,
      enableCleartextPlugin: true,
      connectTimeout: connection.timeoutMs,
      ssl: {
        rejectUnauthorized: true,
        verifyIdentity: true,
        ...(connection.ca ? { ca: connection.ca as string } : {}),
      },
    });
  } catch (error) {
    connection.signal?.removeEventListener('abort', close);
    socket.destroy();
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(withoutToken(text, connection.password));
  }
}

/** A connected client; the caller ends it. Aborting `signal` closes it. */
export async function mysqlLogIn(
  services: Services,
  login: MysqlLogin,
  signal?: AbortSignal,
): Promise<Connection> {
  const token = await databaseToken(services, mysqlDescriptor, login.signedIn.user, signal);
  return openMysql({
    ...(await addressOf(services, login.server, login.connectTo, signal)),
    fqdn: login.server.fqdn,
    user: login.signedIn.user,
    password: token,
    ca: services.azure.tls?.ca,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal,
  });
}

/** Runs `body` with a connection, and ends it. */
export async function withMysql<T>(
  services: Services,
  login: MysqlLogin,
  signal: AbortSignal | undefined,
  body: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await mysqlLogIn(services, login, signal);
  try {
    return await body(connection);
  } finally {
    await connection.end().catch(() => {});
  }
}

/** The IP the server's firewall refused, from `Client with IP address '<ip>' is not allowed to connect`. */
export function mysqlRefusedIp(message: string): string | undefined {
  return /Client with IP address '([0-9.]+)' is not allowed to connect/.exec(message)?.[1];
}
