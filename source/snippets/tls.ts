/**
 * The TLS words of each client's connection string, as sc-doctor writes them (certificate and host
 * name checked) and as Service Connector writes them (encrypted, certificate not checked).
 */
import type { SettingsWriter } from './setting-values.ts';

/**
 * How each client's connection string asks for TLS with the certificate and host name checked:
 * libpq `sslmode=verify-full` with the system's CA roots (`sslrootcert=system`, libpq 16 and later;
 * the generated code names a CA bundle itself for older ones), pgx and lib/pq `sslmode=verify-full`
 * (Go's system roots), Npgsql and MySqlConnector `VerifyFull`, pgjdbc `verify-full` with Java's
 * trust store, Connector/J `VERIFY_IDENTITY`, the mysql2 gem `verify_identity`. Service Connector's
 * own values for the same keys are in `SERVICE_CONNECTOR_TLS`.
 */
export const VERIFIED_TLS = {
  libpq: 'sslmode=verify-full sslrootcert=system',
  go: 'sslmode=verify-full',
  npgsql: 'Ssl Mode=VerifyFull',
  mysqlConnector: 'SSL Mode=VerifyFull',
  rubyMysql: 'verify_identity',
} as const;

/** What Service Connector writes for the same keys: encrypted, certificate not checked. */
const SERVICE_CONNECTOR_TLS: Record<keyof typeof VERIFIED_TLS, string> = {
  libpq: 'sslmode=require',
  go: 'sslmode=require',
  npgsql: 'Ssl Mode=Require',
  mysqlConnector: 'SSL Mode=Required',
  rubyMysql: 'required',
};

/**
 * The JDBC URL query that makes Spring Boot check the server's certificate and host name against
 * Java's trust store: pgjdbc `sslmode=verify-full` with the JVM's trust store (its default factory
 * reads a root.crt file instead), Connector/J `sslMode=VERIFY_IDENTITY` (its property is
 * case-sensitive: the `sslmode=required` Service Connector writes is not it).
 */
export const SPRING_VERIFIED_TLS: Record<'postgres' | 'mysql', string> = {
  postgres: 'sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory',
  mysql: 'sslMode=VERIFY_IDENTITY',
};

/** The TLS words of `writer` for a client's connection string. */
export function tlsOf(writer: SettingsWriter, client: keyof typeof VERIFIED_TLS): string {
  return writer === 'service-connector' ? SERVICE_CONNECTOR_TLS[client] : VERIFIED_TLS[client];
}
