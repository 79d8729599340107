/**
 * Logging in to the server as the signed-in user with an Entra token: TLS verified against the
 * server's Azure name (SNI and certificate) even when `--connect-to` sends the connection elsewhere.
 * The token is only sent to the server, never logged or kept.
 */
import type pg from 'pg';
import { connectTarget } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import type { PostgresSetupInput } from './input.ts';

const CONNECT_TIMEOUT_MS = 15_000;

/** A password login (the database owner's), instead of the signed-in user's Entra token. */
export interface PasswordLogin {
  user: string;
  password: string;
}

/**
 * A connected client in `database`; the caller ends it. Aborting `signal` closes it. Signed in with
 * an Entra token as the signed-in user, or as `as` with its password.
 */
export async function logIn(
  services: Services,
  input: Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>,
  database: string,
  signal?: AbortSignal,
  as?: PasswordLogin,
): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const { azure } = services;
  const secret = as ? as.password : await entraToken(services, input, signal);
  const { server } = input;
  const address = connectTarget(input.connectTo, server.fqdn, server.port) ?? {
    host: server.fqdn,
    port: server.port,
  };
  const client = new pgModule.Client({
    host: address.host,
    port: address.port,
    user: as?.user ?? input.signedIn.user,
    password: secret,
    database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sc-doctor',
    ssl: {
      rejectUnauthorized: true,
      servername: server.fqdn,
      ...(azure.tls?.ca ? { ca: azure.tls.ca } : {}),
    },
  });
  const close = () => void client.end().catch(() => {});
  signal?.addEventListener('abort', close, { once: true });
  // A failed connect emits 'error' too; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    signal?.removeEventListener('abort', close);
    // The SQLSTATE stays: undo tells a database that is gone (3D000) from other refusals.
    throw Object.assign(new Error(scrub(error, secret)), {
      code: (error as { code?: string }).code,
    });
  }
  return client;
}

async function entraToken(
  services: Services,
  input: Pick<PostgresSetupInput, 'signedIn'>,
  signal: AbortSignal | undefined,
): Promise<string> {
  const cloud = await services.azure.cloud(signal);
  const token = await services.azure.credential.tryGetToken(cloud.ossrdbmsScope, signal);
  if (!token.ok) throw new Error(`no database token for ${input.signedIn.user}: ${token.diagnosis.message}`);
  return token.token.token;
}

/** The IP the server's firewall refused, from PostgreSQL's `no pg_hba.conf entry for host "<ip>"`. */
export function refusedIp(message: string): string | undefined {
  return /no pg_hba\.conf entry for host "([0-9.]+)"/.exec(message)?.[1];
}

/** Runs `body` with a client in `database` (as `as` when given), and ends it. */
export async function withLogin<T>(
  services: Services,
  input: Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>,
  database: string,
  signal: AbortSignal | undefined,
  body: (client: pg.Client) => Promise<T>,
  as?: PasswordLogin,
): Promise<T> {
  const client = await logIn(services, input, database, signal, as);
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A driver error's text, with the token cut out should a server ever echo it. */
function scrub(error: unknown, token: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return token ? text.split(token).join('[token]') : text;
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
