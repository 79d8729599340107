/**
 * Logging in to PostgreSQL: as the signed-in account with an Entra token (the password), or as a
 * role with its own password (the database owner's); TLS verified against the server's Azure name
 * (SNI and certificate) even when `--connect-to` sends the connection elsewhere. pg is imported on
 * the first login only.
 */
import type pg from 'pg';
import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken, type LoginTarget, withoutToken } from '../login.ts';
import { postgresDescriptor } from './descriptor.ts';

const CONNECT_TIMEOUT_MS = 15_000;

/** A password login (the database owner's), instead of the signed-in user's Entra token. */
export interface PasswordLogin {
  user: string;
  password: string;
}

/** One connection as the driver opens it: the address (already mapped), the name TLS checks, who and how. */
export interface PostgresConnection {
  host: string;
  port: number;
  /** The server's Azure name: TLS verifies the certificate against it. */
  fqdn: string;
  user: string;
  password: string;
  database: string;
  /** Extra trusted CAs (tests' local CA); the system's CAs otherwise. */
  ca?: string | Buffer | undefined;
  timeoutMs: number;
  /** Aborting closes the connection. */
  signal?: AbortSignal | undefined;
}

/**
 * A connected client, for the setup steps and the doctor's probe alike; the caller ends it. A failed
 * connect throws the driver's error (its SQLSTATE `code` kept), with the password cut out.
 */
export async function openPostgres(connection: PostgresConnection): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    connectionTimeoutMillis: connection.timeoutMs,
    application_name: 'sc-doctor',
    ssl: {
      rejectUnauthorized: true,
      servername: connection.fqdn,
      ...(connection.ca ? { ca: connection.ca } : {}),
    },
  });
  // A cancelled run must not leave a connection open behind it.
  const close = () => void client.end().catch(() => {});
  connection.signal?.addEventListener('abort', close, { once: true });
  // A failed connect emits 'error' too; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    connection.signal?.removeEventListener('abort', close);
    // The SQLSTATE stays: undo tells a database that is gone (3D000) from other refusals.
    throw Object.assign(new Error(withoutToken(messageOf(error), connection.password)), {
      code: (error as { code?: string }).code,
    });
  }
  return client;
}

/**
 * A connected client in `database`; the caller ends it. Aborting `signal` closes it. Signed in with
 * an Entra token as the signed-in user, or as `as` with its password.
 */
export async function logIn(
  services: Services,
  target: LoginTarget,
  database: string,
  signal?: AbortSignal,
  as?: PasswordLogin,
): Promise<pg.Client> {
  const password = as
    ? as.password
    : await databaseToken(services, postgresDescriptor, target.signedIn.user, signal);
  return openPostgres({
    ...(await addressOf(services, target.server, target.connectTo, signal)),
    fqdn: target.server.fqdn,
    user: as?.user ?? target.signedIn.user,
    password,
    database,
    ca: services.azure.tls?.ca,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal,
  });
}

/** The IP the server's firewall refused, from PostgreSQL's `no pg_hba.conf entry for host "<ip>"`. */
export function refusedIp(message: string): string | undefined {
  return /no pg_hba\.conf entry for host "([0-9.]+)"/.exec(message)?.[1];
}

/** Runs `body` with a client in `database` (as `as` when given), and ends it. */
export async function withLogin<T>(
  services: Services,
  target: LoginTarget,
  database: string,
  signal: AbortSignal | undefined,
  body: (client: pg.Client) => Promise<T>,
  as?: PasswordLogin,
): Promise<T> {
  const client = await logIn(services, target, database, signal, as);
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `statements` in order and fails on the first WARNING the server sends with one: PostgreSQL
 * answers a GRANT or REVOKE it could not carry out with `WARNING: no privileges were granted` (or
 * `could be revoked`) and reports success, which must not count as done.
 */
export async function runStatements(client: pg.Client, statements: readonly string[]): Promise<void> {
  const warnings: string[] = [];
  const onNotice = (notice: { severity?: string; message?: string }) => {
    if (notice.severity === 'WARNING') warnings.push(notice.message ?? '');
  };
  client.on('notice', onNotice);
  try {
    for (const statement of statements) {
      await client.query(statement);
      // Notices arrive before the command completes: the statement's own are in by now.
      if (warnings.length > 0) throw new Error(`${warnings.join('; ')} (in: ${statement})`);
    }
  } finally {
    client.off('notice', onNotice);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
