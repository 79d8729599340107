/**
 * The app settings Service Connector writes for each database, client type and auth type, with the
 * names it uses (so code generated here reads what `az ... connection create` leaves in the app).
 * Values are filled from the inputs or shown as placeholders; secrets are only named.
 */
import type { ClientType, SnippetAuth, SnippetDatabase, SnippetInputs, SnippetSetting } from './types.ts';

export interface ResolvedInputs {
  server: string;
  database: string;
  user: string;
  clientId: string;
  tenantId: string;
}

const HOST_SUFFIX: Record<SnippetDatabase, string> = {
  postgres: 'postgres.database.azure.com',
  mysql: 'mysql.database.azure.com',
  sql: 'database.windows.net',
};

/** Inputs with placeholders where a name was not given. */
export function resolveInputs(database: SnippetDatabase, inputs: SnippetInputs): ResolvedInputs {
  return {
    server: inputs.server || `<server>.${HOST_SUFFIX[database]}`,
    database: inputs.databaseName || '<database>',
    user: inputs.user || '<database-user>',
    clientId: inputs.clientId || '<client-id>',
    tenantId: inputs.tenantId || '<tenant-id>',
  };
}

/** Where the service principal's secret comes from; never its value. */
export const SECRET_REF =
  'the service principal client secret (kept in the app settings or Key Vault; never printed)';

/** Prefix of the standard setting names, e.g. `AZURE_POSTGRESQL`. */
export function settingPrefix(database: SnippetDatabase): string {
  return { postgres: 'AZURE_POSTGRESQL', mysql: 'AZURE_MYSQL', sql: 'AZURE_SQL' }[database];
}

const value = (name: string, text: string): SnippetSetting => ({ name, value: text });
const secret = (name: string): SnippetSetting => ({ name, secretRef: SECRET_REF });

/**
 * Who writes the settings: Service Connector (a linker; its values as it writes them) or sc-doctor
 * itself (`--no-linker`, and what `snippet` prints). They differ in TLS: Service Connector's
 * connection strings and URLs ask for TLS without checking the certificate (`sslmode=require`, `Ssl
 * Mode=Require`, `sslmode=required`); every one sc-doctor writes checks the certificate and the host
 * name (`VERIFIED_TLS`). The generated code verifies either way.
 */
export type SettingsWriter = 'service-connector' | 'sc-doctor';

/**
 * Settings for a combination, in the order Service Connector documents them. Spring's tenant is
 * always `spring.cloud.azure.profile.tenant-id` (the property Spring Cloud Azure reads): a linker is
 * asked to write it under that name (`configurationInfo.customizedKeys`).
 */
export function settingsFor(
  database: SnippetDatabase,
  clientType: ClientType,
  auth: SnippetAuth,
  names: ResolvedInputs,
  writer: SettingsWriter = 'sc-doctor',
): SnippetSetting[] {
  if (database === 'sql') return sqlSettings(clientType, auth, names);
  const prefix = settingPrefix(database);
  const connection =
    database === 'postgres'
      ? postgresConnection(clientType, names, writer)
      : mysqlConnection(clientType, names, writer);
  if (clientType === 'springBoot') return [...connection, ...springCredential(auth, names)];
  return [...connection, ...identitySettings(prefix, auth, names)];
}

function identitySettings(prefix: string, auth: SnippetAuth, names: ResolvedInputs): SnippetSetting[] {
  if (auth === 'system') return [];
  if (auth === 'user') return [value(`${prefix}_CLIENTID`, names.clientId)];
  return [
    value(`${prefix}_CLIENTID`, names.clientId),
    secret(`${prefix}_CLIENTSECRET`),
    value(`${prefix}_TENANTID`, names.tenantId),
  ];
}

function springCredential(auth: SnippetAuth, names: ResolvedInputs): SnippetSetting[] {
  if (auth === 'system') return [];
  if (auth === 'user') {
    return [
      value('spring.cloud.azure.credential.client-id', names.clientId),
      value('spring.cloud.azure.credential.managed-identity-enabled', 'true'),
    ];
  }
  return [
    value('spring.cloud.azure.credential.client-id', names.clientId),
    secret('spring.cloud.azure.credential.client-secret'),
    value(SPRING_TENANT, names.tenantId),
  ];
}

/** The one Spring property naming the tenant (Spring Cloud Azure has no `credential.tenant-id`). */
export const SPRING_TENANT = 'spring.cloud.azure.profile.tenant-id';
/** The name Service Connector writes the tenant under for Spring Boot (its docs' tables). */
export const SERVICE_CONNECTOR_SPRING_TENANT = 'spring.cloud.azure.credential.tenant-id';

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
function tlsOf(writer: SettingsWriter, client: keyof typeof VERIFIED_TLS): string {
  return writer === 'service-connector' ? SERVICE_CONNECTOR_TLS[client] : VERIFIED_TLS[client];
}

function postgresConnection(
  clientType: ClientType,
  n: ResolvedInputs,
  writer: SettingsWriter,
): SnippetSetting[] {
  const p = 'AZURE_POSTGRESQL';
  const libpq = `host=${n.server} port=5432 dbname=${n.database} ${tlsOf(writer, 'libpq')} user=${n.user}`;
  switch (clientType) {
    case 'dotnet':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `Server=${n.server};Database=${n.database};Port=5432;${tlsOf(writer, 'npgsql')};User Id=${n.user};`,
        ),
      ];
    case 'java':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `jdbc:postgresql://${n.server}:5432/${n.database}?${writer === 'service-connector' ? 'sslmode=require' : SPRING_VERIFIED_TLS.postgres}&user=${n.user}`,
        ),
      ];
    case 'springBoot':
      return [
        value('spring.datasource.azure.passwordless-enabled', 'true'),
        value(
          'spring.datasource.url',
          `jdbc:postgresql://${n.server}:5432/${n.database}?${writer === 'service-connector' ? 'sslmode=require' : SPRING_VERIFIED_TLS.postgres}`,
        ),
        value('spring.datasource.username', n.user),
      ];
    case 'python':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `dbname=${n.database} host=${n.server} port=5432 ${tlsOf(writer, 'libpq')} user=${n.user}`,
        ),
      ];
    case 'django':
      return [value(`${p}_NAME`, n.database), value(`${p}_HOST`, n.server), value(`${p}_USER`, n.user)];
    case 'go':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `host=${n.server} dbname=${n.database} ${tlsOf(writer, 'go')} user=${n.user}`,
        ),
      ];
    case 'nodejs':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USER`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '5432'),
        value(`${p}_SSL`, 'true'),
      ];
    case 'php':
    case 'ruby':
      return [value(`${p}_CONNECTIONSTRING`, libpq)];
    case 'none':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '5432'),
        value(`${p}_SSL`, 'true'),
      ];
  }
}

function mysqlConnection(
  clientType: ClientType,
  n: ResolvedInputs,
  writer: SettingsWriter,
): SnippetSetting[] {
  const p = 'AZURE_MYSQL';
  switch (clientType) {
    case 'dotnet':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `Server=${n.server};Database=${n.database};Port=3306;User Id=${n.user};${tlsOf(writer, 'mysqlConnector')};`,
        ),
      ];
    case 'java':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `jdbc:mysql://${n.server}:3306/${n.database}?${writer === 'service-connector' ? 'sslmode=required' : SPRING_VERIFIED_TLS.mysql}&user=${n.user}`,
        ),
      ];
    case 'springBoot':
      return [
        value('spring.datasource.azure.passwordless-enabled', 'true'),
        value(
          'spring.datasource.url',
          `jdbc:mysql://${n.server}:3306/${n.database}?${writer === 'service-connector' ? 'sslmode=required' : SPRING_VERIFIED_TLS.mysql}`,
        ),
        value('spring.datasource.username', n.user),
      ];
    case 'python':
    case 'django':
      return [value(`${p}_NAME`, n.database), value(`${p}_HOST`, n.server), value(`${p}_USER`, n.user)];
    case 'go':
      return [value(`${p}_CONNECTIONSTRING`, `${n.user}@tcp(${n.server}:3306)/${n.database}?tls=true`)];
    case 'nodejs':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USER`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '3306'),
        value(`${p}_SSL`, 'true'),
      ];
    case 'php':
      return [
        value(`${p}_DBNAME`, n.database),
        value(`${p}_HOST`, n.server),
        value(`${p}_PORT`, '3306'),
        value(`${p}_FLAG`, 'MySQL_CLIENT_SSL'),
        value(`${p}_USERNAME`, n.user),
      ];
    case 'ruby':
      return [
        value(`${p}_DATABASE`, n.database),
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_SSLMODE`, tlsOf(writer, 'rubyMysql')),
      ];
    case 'none':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '3306'),
        value(`${p}_SSL`, 'true'),
      ];
  }
}

/**
 * Azure SQL: the drivers get the token themselves, so the settings carry the authentication mode.
 * For a service principal, .NET and Java connection strings hold the secret, so they are only
 * referenced. Service Connector has no managed-identity or service-principal settings for go, php
 * and django; for those the settings below are the ones the app must be given by hand.
 */
function sqlSettings(clientType: ClientType, auth: SnippetAuth, n: ResolvedInputs): SnippetSetting[] {
  const p = 'AZURE_SQL';
  const withSecret = (name: string, shape: string): SnippetSetting => ({
    name,
    secretRef: `${shape} (holds the service principal secret; never printed)`,
  });
  switch (clientType) {
    case 'dotnet': {
      const base = `Data Source=${n.server},1433;Initial Catalog=${n.database};`;
      if (auth === 'system') {
        return [value(`${p}_CONNECTIONSTRING`, `${base}Authentication=ActiveDirectoryManagedIdentity`)];
      }
      if (auth === 'user') {
        return [
          value(
            `${p}_CONNECTIONSTRING`,
            `${base}User ID=${n.clientId};Authentication=ActiveDirectoryManagedIdentity`,
          ),
        ];
      }
      return [
        withSecret(
          `${p}_CONNECTIONSTRING`,
          `${base}User ID=${n.clientId};Password=<secret>;Authentication=ActiveDirectoryServicePrincipal`,
        ),
        value(`${p}_CLIENTID`, n.clientId),
        secret(`${p}_CLIENTSECRET`),
        value(`${p}_TENANTID`, n.tenantId),
      ];
    }
    case 'java':
    case 'springBoot': {
      const base = `jdbc:sqlserver://${n.server}:1433;databaseName=${n.database};`;
      const key = clientType === 'java' ? `${p}_CONNECTIONSTRING` : 'spring.datasource.url';
      if (auth === 'system') return [value(key, `${base}authentication=ActiveDirectoryMSI;`)];
      if (auth === 'user') {
        return [value(key, `${base}msiClientId=${n.clientId};authentication=ActiveDirectoryMSI;`)];
      }
      if (clientType === 'java') {
        return [
          withSecret(
            key,
            `${base}user=${n.clientId};password=<secret>;authentication=ActiveDirectoryServicePrincipal;`,
          ),
        ];
      }
      return [
        value(key, `${base}authentication=ActiveDirectoryServicePrincipal;`),
        value('spring.datasource.username', n.clientId),
        secret('spring.datasource.password'),
      ];
    }
    case 'python':
    case 'django': {
      const base = [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
      ];
      if (auth === 'system') return [...base, value(`${p}_AUTHENTICATION`, 'ActiveDirectoryMsi')];
      if (auth === 'user') {
        return [...base, value(`${p}_USER`, n.clientId), value(`${p}_AUTHENTICATION`, 'ActiveDirectoryMsi')];
      }
      return [
        ...base,
        value(`${p}_USER`, n.clientId),
        secret(`${p}_PASSWORD`),
        // Misspelled exactly as Service Connector writes it; the code never reads this value.
        value(`${p}_AUTHENTICATION`, 'ActiveDirectoryServerPrincipal'),
      ];
    }
    case 'nodejs': {
      const type =
        auth === 'sp' ? 'azure-active-directory-service-principal-secret' : 'azure-active-directory-default';
      return [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_AUTHENTICATIONTYPE`, type),
        ...identitySettings(p, auth, n),
      ];
    }
    case 'none': {
      const type =
        auth === 'sp' ? 'azure-active-directory-service-principal-secret' : 'azure-active-directory-default';
      const base = [
        value(`${p}_HOST`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_AUTHENTICATION`, type),
      ];
      if (auth === 'system') return base;
      if (auth === 'user') return [...base, value(`${p}_USERNAME`, n.clientId)];
      return [...base, value(`${p}_USERNAME`, n.clientId), secret(`${p}_PASSWORD`)];
    }
    case 'go':
    case 'php':
    case 'ruby': {
      const base = [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
      ];
      return [...base, ...identitySettings(p, auth, n)];
    }
  }
}
