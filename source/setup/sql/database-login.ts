/**
 * Logging in to an Azure SQL database as the signed-in user with an Entra token for the SQL audience,
 * over TLS verified against the server's Azure name even when `--connect-to` sends the connection
 * elsewhere. The token is only sent to the server, never logged or kept.
 */
import { connectTarget } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { openSqlSession, type SqlSession } from '../../doctor/sql-session.ts';
import type { SqlSetupInput } from './input.ts';

const TIMEOUT_MS = 15_000;

/** Where the server is: enough to log in again from a journal record. */
export interface SqlServerAddress {
  fqdn: string;
  port: number;
  connectTo: SqlSetupInput['connectTo'];
}

/** Runs `body` in a session on `database`, and closes it. */
export async function withSqlSession<T>(
  services: Services,
  server: SqlServerAddress,
  database: string,
  signal: AbortSignal | undefined,
  body: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const { azure } = services;
  const cloud = await azure.cloud(signal);
  const token = await azure.credential.tryGetToken(cloud.sqlScope, signal);
  if (!token.ok) throw new Error(`no Azure SQL token for the signed-in account: ${token.diagnosis.message}`);
  const address = connectTarget(server.connectTo, server.fqdn, server.port) ?? {
    host: server.fqdn,
    port: server.port,
  };
  const session = await openSqlSession({
    ...address,
    fqdn: server.fqdn,
    database,
    token: token.token.token,
    ca: azure.tls?.ca,
    timeoutMs: TIMEOUT_MS,
    ...(signal ? { signal } : {}),
  });
  try {
    return await body(session);
  } finally {
    session.close();
  }
}

export function addressOf(input: SqlSetupInput): SqlServerAddress {
  return { fqdn: input.server.fqdn, port: input.server.port, connectTo: input.connectTo };
}
