/**
 * Logging in to MySQL as the signed-in user with an Entra token: `mysql_clear_password` (the token is
 * the password) inside TLS verified against the server's Azure name (SNI and certificate) even when
 * `--connect-to` sends the connection elsewhere. The token is only sent to the server, never logged.
 */
import { connect } from 'node:net';
import type { Connection } from 'mysql2/promise';
import { commonJs } from '../../core/commonjs.ts';
import { connectTarget } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import type { PostgresSetupInput } from '../postgres/input.ts';

const CONNECT_TIMEOUT_MS = 15_000;

/** What a login needs: the server's name and port, who logs in, and this process's `--connect-to`. */
export type MysqlLogin = Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>;

/** A connected client; the caller ends it. Aborting `signal` closes it. */
export async function mysqlLogIn(
  services: Services,
  login: MysqlLogin,
  signal?: AbortSignal,
): Promise<Connection> {
  const mysql = commonJs(await import('mysql2/promise'));
  const { azure } = services;
  const cloud = await azure.cloud(signal);
  const token = await azure.credential.tryGetToken(cloud.ossrdbmsScope, signal);
  if (!token.ok) throw new Error(`no database token for ${login.signedIn.user}: ${token.diagnosis.message}`);
  const { server } = login;
  const address = connectTarget(login.connectTo, server.fqdn, server.port) ?? {
    host: server.fqdn,
    port: server.port,
  };
  const socket = connect({ host: address.host, port: address.port });
  const close = () => socket.destroy();
  signal?.addEventListener('abort', close, { once: true });
  try {
    return await mysql.createConnection({
      // The driver verifies the certificate against `host` (and sends it as SNI): the Azure name,
      // while the socket goes to the (possibly mapped) address.
      host: server.fqdn,
      port: server.port,
      stream: socket,
      user: login.signedIn.user,
      password: token.token.token,
      enableCleartextPlugin: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      ssl: {
        rejectUnauthorized: true,
        verifyIdentity: true,
        ...(azure.tls?.ca ? { ca: azure.tls.ca as string } : {}),
      },
    });
  } catch (error) {
    signal?.removeEventListener('abort', close);
    socket.destroy();
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(token.token.token ? text.split(token.token.token).join('[token]') : text);
  }
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
