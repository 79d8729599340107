/**
 * tedious connected to the twin's SQL stand-in the way an app reaches Azure SQL: `server` is the Azure
 * host name (LOGIN7 ServerName, TLS SNI and certificate name), certificate verified against the twin's
 * CA, and only the TCP connection is redirected to the stand-in's loopback port.
 */
import { connect } from 'node:net';
import { Connection, type ConnectionAuthentication, Request } from 'tedious';
import type { Twin } from '../index.ts';

export interface LoginDiagnostic {
  number: number;
  message: string;
}

/** A connected session, or the refusal with the diagnostics the server sent. */
export type SqlLogin =
  | {
      ok: true;
      connection: Connection;
      query(sql: string): Promise<Record<string, unknown>[]>;
      close(): void;
    }
  | { ok: false; message: string; diagnostics: LoginDiagnostic[] };

export interface SqlLoginOptions {
  server?: string;
  database?: string;
  /** Default: the access token; `credential` makes tedious ask for the SPN the server names (FEDAUTHINFO). */
  authentication?: ConnectionAuthentication;
  /** Default true, as Azure SQL needs. */
  encrypt?: boolean;
}

/** Logs in to the stand-in with `token` (an Entra access token) and resolves either way. */
export function sqlLogin(twin: Twin, token: string, options: SqlLoginOptions = {}): Promise<SqlLogin> {
  const endpoint = twin.databaseEndpoints.sql;
  if (!endpoint) throw new Error("the twin runs no SQL stand-in: start it with databases: true or ['sql']");
  const connection = new Connection({
    server: options.server ?? 'sql-orders.database.twin.test',
    authentication: options.authentication ?? {
      type: 'azure-active-directory-access-token',
      options: { token },
    },
    options: {
      database: options.database ?? 'orders',
      encrypt: options.encrypt ?? true,
      trustServerCertificate: false,
      cryptoCredentialsDetails: { ca: twin.caPem },
      connector: async () => connect(endpoint.port, endpoint.host),
      connectTimeout: 10_000,
      // 4060 is transient to tedious; a refused database must surface at once in tests.
      maxRetriesOnTransientErrors: 0,
    },
  });
  const diagnostics: LoginDiagnostic[] = [];
  connection.on('errorMessage', (m) => diagnostics.push({ number: m.number, message: m.message }));
  return new Promise((resolve) => {
    connection.connect((error) => {
      if (error) {
        connection.close();
        resolve({ ok: false, message: error.message, diagnostics });
        return;
      }
      resolve({
        ok: true,
        connection,
        query: (sql) => batch(connection, sql),
        close: () => connection.close(),
      });
    });
  });
}

/** Runs `sql` as one batch; rows as objects keyed by column name (unnamed columns as `''`). */
export function batch(connection: Connection, sql: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const rows: Record<string, unknown>[] = [];
    const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));
    request.on('row', (columns) => {
      rows.push(
        Object.fromEntries(
          columns.map((c: { metadata: { colName: string }; value: unknown }) => [
            c.metadata.colName,
            c.value,
          ]),
        ),
      );
    });
    connection.execSqlBatch(request);
  });
}
