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

/** A connected client in `database`; the caller ends it. Aborting `signal` closes it. */
export async function logIn(
  services: Services,
  input: Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>,
  database: string,
  signal?: AbortSignal,
): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const { azure } = services;
  const cloud = await azure.cloud(signal);
  const token = await azure.credential.tryGetToken(cloud.ossrdbmsScope, signal);
  if (!token.ok) throw new Error(`no database token for ${input.signedIn.user}: ${token.diagnosis.message}`);
  const { server } = input;
  const address = connectTarget(input.connectTo, server.fqdn, server.port) ?? {
    host: server.fqdn,
    port: server.port,
  };
  const client = new pgModule.Client({
    host: address.host,
    port: address.port,
    user: input.signedIn.user,
    password: token.token.token,
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
    throw Object.assign(new Error(scrub(error, token.token.token)), {
      code: (error as { code?: string }).code,
    });
  }
  return client;
}

/** The IP the server's firewall refused, from PostgreSQL's `no pg_hba.conf entry for host "<ip>"`. */
export function refusedIp(message: string): string | undefined {
  return /no pg_hba\.conf entry for host "([0-9.]+)"/.exec(message)?.[1];
}

/** Runs `body` with a client in `database`, and ends it. */
export async function withLogin<T>(
  services: Services,
  input: Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>,
  database: string,
  signal: AbortSignal | undefined,
  body: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await logIn(services, input, database, signal);
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
