/**
 * A session with an Azure SQL database through tedious, logged in with an Entra access token for the
 * SQL audience. TLS is always verified against the server's Azure name (LOGIN7 server name, SNI and
 * certificate), also when `--connect-to` sends the TCP connection to another address. The driver is
 * imported only when a session is opened: it is heavy and most runs never need it.
 */
import type { Socket } from 'node:net';
import { commonJs } from '../../core/commonjs.ts';

/** How to reach and log in to one database. */
export interface SqlLogin {
  /** The TCP address (after any `--connect-to` mapping). */
  host: string;
  port: number;
  /** The server's Azure name: what tedious names in LOGIN7 and verifies the certificate against. */
  fqdn: string;
  database: string;
  /** An Entra access token for the SQL audience; only ever sent to the server. */
  token: string;
  /** Extra trusted CAs (tests' local CA); the system's CAs otherwise. */
  ca: string | Buffer | undefined;
  timeoutMs: number;
  /** Aborting closes the session. */
  signal?: AbortSignal;
}

/** A value bound to `@name` in a query (never spliced into its text). */
export type SqlParameter = string | number;

export interface SqlSession {
  /** Runs one statement; rows keyed by column name. `parameters` are bound as `@name` NVARCHAR/INT. */
  query(sql: string, parameters?: Record<string, SqlParameter>): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** A refusal from the server: SQL Server's error number (40615 firewall, 18456 login, 15023 exists...). */
export class SqlServerError extends Error {
  constructor(
    message: string,
    readonly number: number | undefined,
  ) {
    super(message);
    this.name = 'SqlServerError';
  }
}

/** The address Azure SQL's firewall refused, from error 40615's text. */
export function firewallRefusedIp(message: string): string | undefined {
  return /Client with IP address '([0-9.]+)' is not allowed to access the server/.exec(message)?.[1];
}

/** Opens a session or throws a `SqlServerError` carrying the server's first error number. */
export async function openSqlSession(login: SqlLogin): Promise<SqlSession> {
  const { Connection, Request, TYPES } = commonJs(await import('tedious'));
  const net = await import('node:net');
  const mapped = login.host !== login.fqdn;
  const connection = new Connection({
    server: login.fqdn,
    authentication: { type: 'azure-active-directory-access-token', options: { token: login.token } },
    options: {
      port: login.port,
      database: login.database,
      encrypt: true,
      trustServerCertificate: false,
      ...(login.ca ? { cryptoCredentialsDetails: { ca: login.ca } } : {}),
      // The socket goes to the mapped address; the name tedious verifies stays the Azure one.
      ...(mapped
        ? {
            connector: async () =>
              await new Promise<Socket>((resolve, reject) => {
                const socket = net.connect(login.port, login.host, () => resolve(socket));
                socket.once('error', reject);
              }),
          }
        : {}),
      connectTimeout: login.timeoutMs,
      requestTimeout: login.timeoutMs,
      // A refused login must surface at once: the caller decides whether to open the firewall.
      maxRetriesOnTransientErrors: 0,
    },
  });
  const errors: { number: number; message: string }[] = [];
  connection.on('errorMessage', (m) => errors.push({ number: m.number, message: m.message }));
  // A socket error after login arrives as 'error'; without a listener it would end the process.
  connection.on('error', () => {});
  const close = () => connection.close();
  login.signal?.addEventListener('abort', close, { once: true });
  await new Promise<void>((resolve, reject) => {
    connection.connect((error) => {
      if (!error) return resolve();
      connection.close();
      login.signal?.removeEventListener('abort', close);
      const first = errors[0];
      reject(new SqlServerError(scrub(first?.message ?? error.message, login.token), first?.number));
    });
  });
  return {
    query: (sql, parameters = {}) =>
      new Promise((resolve, reject) => {
        const rows: Record<string, unknown>[] = [];
        const request = new Request(sql, (error) => {
          if (!error) return resolve(rows);
          const number = (error as { number?: number }).number;
          reject(new SqlServerError(scrub(error.message, login.token), number));
        });
        for (const [name, value] of Object.entries(parameters))
          request.addParameter(name, typeof value === 'number' ? TYPES.Int : TYPES.NVarChar, value);
        request.on('row', (columns: { metadata: { colName: string }; value: unknown }[]) => {
          rows.push(Object.fromEntries(columns.map((c) => [c.metadata.colName, c.value])));
        });
        if (Object.keys(parameters).length > 0) connection.execSql(request);
        else connection.execSqlBatch(request);
      }),
    close: () => {
      login.signal?.removeEventListener('abort', close);
      connection.close();
    },
  };
}

/** A driver message with the token cut out, should a server ever echo it. */
function scrub(text: string, token: string): string {
  return token ? text.split(token).join('[token]') : text;
}
