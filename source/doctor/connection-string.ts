/**
 * Where a connection string points (host, port, database), for the shapes Service Connector writes:
 * ADO.NET (`Server=...;Database=...`, `Data Source=h,1433;Initial Catalog=...`), JDBC
 * (`jdbc:postgresql://h:5432/db?...`, `jdbc:sqlserver://h:1433;databaseName=db`), libpq key=value
 * (`host=h dbname=db port=5432`) and Go's MySQL DSN (`user@tcp(h:3306)/db?tls=true`).
 */

export interface Endpoint {
  host?: string;
  port?: number;
  database?: string;
  /** The database user the string names (never a password). */
  user?: string;
}

/** The endpoint named by `value`, with whatever parts it names; empty when it is none of the shapes. */
export function endpointOf(value: string): Endpoint {
  const text = value.trim();
  const jdbc =
    /^jdbc:(?:postgresql|mysql|sqlserver):\/\/([^/:;?]+)(?::(\d+))?(?:\/([^?;]*))?([;?].*)?$/i.exec(text);
  if (jdbc) {
    const [, host, port, path, rest] = jdbc;
    const database = path || /[;?&]databaseName=([^;&]+)/i.exec(rest ?? '')?.[1];
    const user = /[;?&]user=([^;&]+)/i.exec(rest ?? '')?.[1];
    return compact({ host, port, database, user });
  }
  const go = /^([^@:]+)?(?::[^@]*)?@tcp\(([^:)]+)(?::(\d+))?\)\/([^?]*)/i.exec(text);
  if (go) return compact({ user: go[1], host: go[2], port: go[3], database: go[4] });
  if (text.includes(';') || /^(server|data source|host)\s*=/i.test(text)) {
    const pairs = pairsOf(text.split(';'));
    const server = pairs.server ?? pairs['data source'] ?? pairs.host;
    const [host, portInHost] = (server ?? '').replace(/^tcp:/i, '').split(',');
    return compact({
      host,
      port: pairs.port ?? portInHost,
      database: pairs.database ?? pairs['initial catalog'] ?? pairs.dbname,
      user: pairs['user id'] ?? pairs.uid ?? pairs.user,
    });
  }
  if (/\bhost\s*=/.test(text)) {
    const pairs = pairsOf(text.split(/\s+/));
    return compact({ host: pairs.host, port: pairs.port, database: pairs.dbname, user: pairs.user });
  }
  return {};
}

function pairsOf(parts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    out[part.slice(0, at).trim().toLowerCase()] = part.slice(at + 1).trim();
  }
  return out;
}

function compact(raw: { host?: string; port?: string; database?: string; user?: string }): Endpoint {
  const out: Endpoint = {};
  if (raw.user) out.user = raw.user;
  if (raw.host) out.host = raw.host;
  if (raw.port && /^\d+$/.test(raw.port)) out.port = Number(raw.port);
  if (raw.database) out.database = raw.database;
  return out;
}
