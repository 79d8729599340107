/**
 * What the twin's Service Connector writes to a source app per target, client type and auth type:
 * plain data transcribed from the Service Connector docs (docs/architecture.md, "Where the facts
 * come from"). It is deliberately independent of the product's own
 * snippet generator in source/, so the twin can check the product instead of echoing it.
 *
 * Placeholders in values: {host} {db} {user} {clientId} {tenantId} {secret}.
 */

export type TargetKind = 'postgresql' | 'mysql' | 'sql';
export type AuthKind = 'systemAssignedIdentity' | 'userAssignedIdentity' | 'servicePrincipalSecret';

export interface SettingTemplate {
  key: string;
  value: string;
  /** Held as a secret where the platform has secrets (Container Apps), never listed in clear. */
  secret?: boolean;
}

type PerAuth = Record<AuthKind, SettingTemplate[]>;

/** ARM type of the target server, DNS suffix and the token used in `AZURE_<TOKEN>_*` names. */
export const TARGETS: Record<
  TargetKind,
  { serverType: string; dnsSuffix: string; token: string; connectionStringType: string }
> = {
  postgresql: {
    serverType: 'Microsoft.DBforPostgreSQL/flexibleServers',
    dnsSuffix: '.postgres.database.azure.com',
    token: 'POSTGRESQL',
    connectionStringType: 'PostgreSQL',
  },
  mysql: {
    serverType: 'Microsoft.DBforMySQL/flexibleServers',
    dnsSuffix: '.mysql.database.azure.com',
    token: 'MYSQL',
    connectionStringType: 'MySql',
  },
  sql: {
    serverType: 'Microsoft.Sql/servers',
    dnsSuffix: '.database.windows.net',
    token: 'SQL',
    connectionStringType: 'SQLAzure',
  },
};

const s = (key: string, value: string, secret = false): SettingTemplate =>
  secret ? { key, value, secret } : { key, value };

/** PostgreSQL and MySQL: a user identity adds `_CLIENTID`; a service principal adds id, secret, tenant. */
function withIdentityExtras(prefix: string, base: SettingTemplate[]): PerAuth {
  return {
    systemAssignedIdentity: base,
    userAssignedIdentity: [...base, s(`${prefix}_CLIENTID`, '{clientId}')],
    servicePrincipalSecret: [
      ...base,
      s(`${prefix}_CLIENTID`, '{clientId}'),
      s(`${prefix}_CLIENTSECRET`, '{secret}', true),
      s(`${prefix}_TENANTID`, '{tenantId}'),
    ],
  };
}

function springPasswordless(url: string): PerAuth {
  const base = [
    s('spring.datasource.azure.passwordless-enabled', 'true'),
    s('spring.datasource.url', url),
    s('spring.datasource.username', '{user}'),
  ];
  return {
    systemAssignedIdentity: base,
    userAssignedIdentity: [
      ...base,
      s('spring.cloud.azure.credential.client-id', '{clientId}'),
      s('spring.cloud.azure.credential.managed-identity-enabled', 'true'),
    ],
    servicePrincipalSecret: [
      ...base,
      s('spring.cloud.azure.credential.client-id', '{clientId}'),
      s('spring.cloud.azure.credential.client-secret', '{secret}', true),
      s('spring.cloud.azure.credential.tenant-id', '{tenantId}'),
    ],
  };
}

const PG = 'AZURE_POSTGRESQL';
const MY = 'AZURE_MYSQL';
const SQ = 'AZURE_SQL';

const postgresql: Record<string, PerAuth> = {
  dotnet: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'Server={host};Database={db};Port=5432;Ssl Mode=Require;User Id={user};'),
  ]),
  java: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'jdbc:postgresql://{host}:5432/{db}?sslmode=require&user={user}'),
  ]),
  springBoot: springPasswordless('jdbc:postgresql://{host}:5432/{db}?sslmode=require'),
  python: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'dbname={db} host={host} port=5432 sslmode=require user={user}'),
  ]),
  django: withIdentityExtras(PG, [
    s(`${PG}_NAME`, '{db}'),
    s(`${PG}_HOST`, '{host}'),
    s(`${PG}_USER`, '{user}'),
  ]),
  go: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'host={host} dbname={db} sslmode=require user={user}'),
  ]),
  nodejs: withIdentityExtras(PG, [
    s(`${PG}_HOST`, '{host}'),
    s(`${PG}_USER`, '{user}'),
    s(`${PG}_DATABASE`, '{db}'),
    s(`${PG}_PORT`, '5432'),
    s(`${PG}_SSL`, 'true'),
  ]),
  php: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'host={host} port=5432 dbname={db} sslmode=require user={user}'),
  ]),
  ruby: withIdentityExtras(PG, [
    s(`${PG}_CONNECTIONSTRING`, 'host={host} port=5432 dbname={db} sslmode=require user={user}'),
  ]),
  none: withIdentityExtras(PG, [
    s(`${PG}_HOST`, '{host}'),
    s(`${PG}_USERNAME`, '{user}'),
    s(`${PG}_DATABASE`, '{db}'),
    s(`${PG}_PORT`, '5432'),
    s(`${PG}_SSL`, 'true'),
  ]),
};

const mysql: Record<string, PerAuth> = {
  dotnet: withIdentityExtras(MY, [
    s(`${MY}_CONNECTIONSTRING`, 'Server={host};Database={db};Port=3306;User Id={user};SSL Mode=Required;'),
  ]),
  java: withIdentityExtras(MY, [
    s(`${MY}_CONNECTIONSTRING`, 'jdbc:mysql://{host}:3306/{db}?sslmode=required&user={user}'),
  ]),
  springBoot: springPasswordless('jdbc:mysql://{host}:3306/{db}?sslmode=required'),
  // The docs show `<user>@<server>` here, a single-server leftover; flexible server takes the plain name.
  python: withIdentityExtras(MY, [
    s(`${MY}_NAME`, '{db}'),
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_USER`, '{user}'),
  ]),
  django: withIdentityExtras(MY, [
    s(`${MY}_NAME`, '{db}'),
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_USER`, '{user}'),
  ]),
  go: withIdentityExtras(MY, [s(`${MY}_CONNECTIONSTRING`, '{user}@tcp({host}:3306)/{db}?tls=true')]),
  nodejs: withIdentityExtras(MY, [
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_USER`, '{user}'),
    s(`${MY}_DATABASE`, '{db}'),
    s(`${MY}_PORT`, '3306'),
    s(`${MY}_SSL`, 'true'),
  ]),
  php: withIdentityExtras(MY, [
    s(`${MY}_DBNAME`, '{db}'),
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_PORT`, '3306'),
    s(`${MY}_FLAG`, 'MySQL_CLIENT_SSL'),
    s(`${MY}_USERNAME`, '{user}'),
  ]),
  ruby: withIdentityExtras(MY, [
    s(`${MY}_DATABASE`, '{db}'),
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_USERNAME`, '{user}'),
    s(`${MY}_SSLMODE`, 'required'),
  ]),
  none: withIdentityExtras(MY, [
    s(`${MY}_HOST`, '{host}'),
    s(`${MY}_USERNAME`, '{user}'),
    s(`${MY}_DATABASE`, '{db}'),
    s(`${MY}_PORT`, '3306'),
    s(`${MY}_SSL`, 'true'),
  ]),
};

const SQL_JDBC = 'jdbc:sqlserver://{host}:1433;databaseName={db};';

/** Azure SQL: the docs list no identity support for go, php, django or ruby (secret only). */
const sql: Record<string, PerAuth> = {
  dotnet: {
    systemAssignedIdentity: [
      s(
        `${SQ}_CONNECTIONSTRING`,
        'Data Source={host},1433;Initial Catalog={db};Authentication=ActiveDirectoryManagedIdentity',
      ),
    ],
    userAssignedIdentity: [
      s(
        `${SQ}_CONNECTIONSTRING`,
        'Data Source={host},1433;Initial Catalog={db};User ID={clientId};Authentication=ActiveDirectoryManagedIdentity',
      ),
    ],
    servicePrincipalSecret: [
      s(
        `${SQ}_CONNECTIONSTRING`,
        'Data Source={host},1433;Initial Catalog={db};User ID={clientId};Password={secret};Authentication=ActiveDirectoryServicePrincipal',
        true,
      ),
      s(`${SQ}_CLIENTID`, '{clientId}'),
      s(`${SQ}_CLIENTSECRET`, '{secret}', true),
      s(`${SQ}_TENANTID`, '{tenantId}'),
    ],
  },
  java: {
    systemAssignedIdentity: [s(`${SQ}_CONNECTIONSTRING`, `${SQL_JDBC}authentication=ActiveDirectoryMSI;`)],
    userAssignedIdentity: [
      s(`${SQ}_CONNECTIONSTRING`, `${SQL_JDBC}msiClientId={clientId};authentication=ActiveDirectoryMSI;`),
    ],
    servicePrincipalSecret: [
      s(
        `${SQ}_CONNECTIONSTRING`,
        `${SQL_JDBC}user={clientId};password={secret};authentication=ActiveDirectoryServicePrincipal;`,
        true,
      ),
    ],
  },
  springBoot: {
    systemAssignedIdentity: [s('spring.datasource.url', `${SQL_JDBC}authentication=ActiveDirectoryMSI;`)],
    userAssignedIdentity: [
      s('spring.datasource.url', `${SQL_JDBC}msiClientId={clientId};authentication=ActiveDirectoryMSI;`),
    ],
    servicePrincipalSecret: [
      s('spring.datasource.url', `${SQL_JDBC}authentication=ActiveDirectoryServicePrincipal;`),
      s('spring.datasource.username', '{clientId}'),
      s('spring.datasource.password', '{secret}', true),
    ],
  },
  python: {
    systemAssignedIdentity: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATION`, 'ActiveDirectoryMsi'),
    ],
    userAssignedIdentity: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_USER`, '{clientId}'),
      s(`${SQ}_AUTHENTICATION`, 'ActiveDirectoryMsi'),
    ],
    servicePrincipalSecret: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_USER`, '{clientId}'),
      s(`${SQ}_PASSWORD`, '{secret}', true),
      // Spelled as the docs spell it.
      s(`${SQ}_AUTHENTICATION`, 'ActiveDirectoryServerPrincipal'),
    ],
  },
  nodejs: {
    systemAssignedIdentity: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATIONTYPE`, 'azure-active-directory-default'),
    ],
    userAssignedIdentity: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATIONTYPE`, 'azure-active-directory-default'),
      s(`${SQ}_CLIENTID`, '{clientId}'),
    ],
    servicePrincipalSecret: [
      s(`${SQ}_SERVER`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATIONTYPE`, 'azure-active-directory-service-principal-secret'),
      s(`${SQ}_CLIENTID`, '{clientId}'),
      s(`${SQ}_CLIENTSECRET`, '{secret}', true),
      s(`${SQ}_TENANTID`, '{tenantId}'),
    ],
  },
  none: {
    systemAssignedIdentity: [
      s(`${SQ}_HOST`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATION`, 'azure-active-directory-default'),
    ],
    userAssignedIdentity: [
      s(`${SQ}_HOST`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATION`, 'azure-active-directory-default'),
      s(`${SQ}_USERNAME`, '{clientId}'),
    ],
    servicePrincipalSecret: [
      s(`${SQ}_HOST`, '{host}'),
      s(`${SQ}_PORT`, '1433'),
      s(`${SQ}_DATABASE`, '{db}'),
      s(`${SQ}_AUTHENTICATION`, 'azure-active-directory-service-principal-secret'),
      s(`${SQ}_USERNAME`, '{clientId}'),
      s(`${SQ}_PASSWORD`, '{secret}', true),
    ],
  },
};

/** The table: target → client type → auth type → settings. A missing entry means "not supported". */
export const LINKER_SETTINGS: Record<TargetKind, Record<string, PerAuth>> = { postgresql, mysql, sql };

/** Client types `az` sends that map onto another row (`dotnet-connectionString` → App Service connection strings). */
export const CLIENT_TYPE_ALIASES: Record<string, string> = {
  'dotnet-connectionString': 'dotnet',
  'dotnet-internal': 'dotnet',
};

export interface SettingValues {
  host: string;
  db: string;
  user: string;
  clientId: string;
  tenantId: string;
  secret: string;
}

/** The settings for one linker, placeholders filled in; undefined when the combination is unsupported. */
export function settingsFor(
  target: TargetKind,
  clientType: string,
  auth: AuthKind,
  values: SettingValues,
): SettingTemplate[] | undefined {
  const row = LINKER_SETTINGS[target][CLIENT_TYPE_ALIASES[clientType] ?? clientType]?.[auth];
  if (!row) return undefined;
  return row.map((template) => ({
    ...template,
    value: template.value.replace(
      /\{(host|db|user|clientId|tenantId|secret)\}/g,
      (_, name: keyof SettingValues) => values[name],
    ),
  }));
}
