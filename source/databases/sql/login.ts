/**
 * Logging in to an Azure SQL database as the signed-in account with an Entra token for the SQL
 * audience (the token names who logs in), over TLS verified against the server's Azure name even
 * when `--connect-to` sends the connection elsewhere.
 */
import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken, type LoginTarget } from '../login.ts';
import { sqlDescriptor } from './descriptor.ts';
import { openSqlSession, type SqlSession } from './session.ts';

const TIMEOUT_MS = 15_000;

/** Where the server is (enough to log in again from a journal record): its name, port and `--connect-to`. */
export type SqlLoginTarget = Pick<LoginTarget, 'server' | 'connectTo'>;

/** Runs `body` in a session on `database`, and closes it. */
export async function withSqlSession<T>(
  services: Services,
  target: SqlLoginTarget,
  database: string,
  signal: AbortSignal | undefined,
  body: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const token = await databaseToken(services, sqlDescriptor, 'the signed-in account', signal);
  const session = await openSqlSession({
    ...(await addressOf(services, target.server, target.connectTo, signal)),
    fqdn: target.server.fqdn,
    database,
    token,
    ca: services.azure.tls?.ca,
    timeoutMs: TIMEOUT_MS,
    ...(signal ? { signal } : {}),
  });
  try {
    return await body(session);
  } finally {
    session.close();
  }
}
