/** Java (JDBC with the azure-identity-extensions plugins) and Spring Boot (the passwordless starters). */
import { DEPS } from '../dependencies.ts';
import { SPRING_VERIFIED_TLS } from '../settings.ts';
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  NOTE_TOKEN_PER_CONNECTION,
  type Template,
  type TemplateContext,
} from '../template.ts';

/** Plugin properties that pick the identity; without them the plugin falls back to DefaultAzureCredential. */
function identityProperties({ auth, prefix }: TemplateContext): string[] {
  if (auth === 'system') {
    return [
      "        // The app's system-assigned managed identity.",
      '        properties.setProperty("azure.managedIdentityEnabled", "true");',
    ];
  }
  if (auth === 'user') {
    return [
      '        // The user-assigned identity, named by its client id: without it the system identity is used.',
      '        properties.setProperty("azure.managedIdentityEnabled", "true");',
      `        properties.setProperty("azure.clientId", setting("${prefix}_CLIENTID"));`,
    ];
  }
  return [
    `        properties.setProperty("azure.tenantId", setting("${prefix}_TENANTID"));`,
    `        properties.setProperty("azure.clientId", setting("${prefix}_CLIENTID"));`,
    `        properties.setProperty("azure.clientSecret", setting("${prefix}_CLIENTSECRET"));`,
  ];
}

const SETTING_HELPER = [
  '    private static String setting(String name) {',
  '        String value = System.getenv(name);',
  '        if (value == null || value.isEmpty()) {',
  '            throw new IllegalStateException("The app setting " + name + " is not set.");',
  '        }',
  '        return value;',
  '    }',
];

export const javaPostgres: Template = (context) => {
  const content = lines(
    '// PostgreSQL with a Microsoft Entra token: the Azure plugin fetches a token for every new',
    '// connection (and caches it until shortly before it expires), so pools stay valid.',
    'import java.sql.Connection;',
    'import java.sql.DriverManager;',
    'import java.sql.SQLException;',
    'import java.util.Properties;',
    '',
    'public final class Database {',
    '    private Database() {}',
    '',
    '    public static Connection connect() throws SQLException {',
    '        Properties properties = new Properties();',
    '        properties.setProperty("authenticationPluginClassName",',
    '            "com.azure.identity.extensions.jdbc.postgresql.AzurePostgresqlAuthenticationPlugin");',
    ...identityProperties(context),
    '        // Service Connector writes sslmode=require (encrypted, certificate not checked). The token',
    "        // travels as the password, so verify the certificate and host name against Java's trust store.",
    '        properties.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");',
    `        String url = setting("${context.prefix}_CONNECTIONSTRING").replace("sslmode=require", "sslmode=verify-full");`,
    '        return DriverManager.getConnection(url, properties);',
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.java', language: 'java', content }],
    dependencies: [DEPS.maven.postgres, DEPS.maven.identityExtensions],
    notes: [
      NOTE_TLS,
      NOTE_TOKEN_PER_CONNECTION,
      'With a pool (HikariCP), pass the same properties as data-source properties.',
    ],
  };
};

export const javaMysql: Template = (context) => {
  const content = lines(
    '// MySQL with a Microsoft Entra token: the Azure plugin answers mysql_clear_password with a token',
    '// fetched for every new connection (cached until shortly before it expires), so pools stay valid.',
    'import java.sql.Connection;',
    'import java.sql.DriverManager;',
    'import java.sql.SQLException;',
    'import java.util.Properties;',
    '',
    'public final class Database {',
    '    private static final String PLUGIN = "com.azure.identity.extensions.jdbc.mysql.AzureMysqlAuthenticationPlugin";',
    '',
    '    private Database() {}',
    '',
    '    public static Connection connect() throws SQLException {',
    '        Properties properties = new Properties();',
    '        properties.setProperty("defaultAuthenticationPlugin", PLUGIN);',
    '        properties.setProperty("authenticationPlugins", PLUGIN);',
    '        // The plugin sends an empty password without TLS; Connector/J reads sslMode (case-sensitive),',
    '        // not the sslmode of the setting. VERIFY_IDENTITY checks the certificate and host name.',
    '        properties.setProperty("sslMode", "VERIFY_IDENTITY");',
    ...identityProperties(context),
    `        return DriverManager.getConnection(setting("${context.prefix}_CONNECTIONSTRING"), properties);`,
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.java', language: 'java', content }],
    dependencies: [DEPS.maven.mysql, DEPS.maven.identityExtensions],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION, NOTE_MYSQL_USER],
  };
};

export const javaSql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '// Azure SQL with Microsoft Entra: the URL names the authentication mode and the driver fetches',
    '// the token for every new connection.',
    'import com.microsoft.sqlserver.jdbc.SQLServerDataSource;',
    'import java.sql.Connection;',
    'import java.sql.SQLException;',
    '',
    'public final class Database {',
    '    private Database() {}',
    '',
    '    public static Connection connect() throws SQLException {',
    '        SQLServerDataSource dataSource = new SQLServerDataSource();',
    `        dataSource.setURL(setting("${p}_CONNECTIONSTRING"));`,
    ...(context.auth === 'sp'
      ? ['        // For a service principal the URL holds the client id and secret: never log it.']
      : []),
    '        return dataSource.getConnection();',
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.java', language: 'java', content }],
    dependencies: [DEPS.maven.mssql, ...(context.auth === 'sp' ? [DEPS.maven.identity] : [])],
    notes: [
      'mssql-jdbc 10.2 and later encrypt and verify the certificate by default; do not add trustServerCertificate=true.',
      ...(context.auth === 'sp'
        ? [
            'Service Connector puts the service principal secret inside AZURE_SQL_CONNECTIONSTRING; keep it a Key Vault reference.',
          ]
        : []),
    ],
  };
};

/**
 * Spring Boot has no code to verify TLS in: the URL must say it. sc-doctor writes a URL that checks
 * the certificate and host name; Service Connector writes one that does not.
 */
function springTlsNote(context: TemplateContext, database: 'postgres' | 'mysql'): string {
  const verified = SPRING_VERIFIED_TLS[database];
  if (context.settingsWriter === 'service-connector')
    return database === 'postgres'
      ? `Service Connector wrote spring.datasource.url with sslmode=require, which encrypts but does not check the certificate: replace that with ${verified} (Java's trust store, certificate and host name checked), or run setup with --no-linker, which writes it so.`
      : `Service Connector wrote spring.datasource.url with sslmode=required, which Connector/J does not read (its property is sslMode): replace it with ${verified}, or run setup with --no-linker, which writes it so.`;
  return database === 'postgres'
    ? `spring.datasource.url asks for ${verified}: the certificate and host name are checked against Java's trust store. Service Connector writes sslmode=require instead (not checked): sc-doctor setup --no-linker writes this URL.`
    : `spring.datasource.url asks for ${verified}: the certificate and host name are checked against Java's trust store. Service Connector writes sslmode=required instead, which Connector/J does not read: sc-doctor setup --no-linker writes this URL.`;
}

function springFile(context: TemplateContext): string {
  return lines(
    '# Service Connector writes these as app settings; they are shown here as application.properties',
    '# for running locally. Remove any spring.datasource.password: the starter signs in with a token.',
    'spring.datasource.azure.passwordless-enabled=true',
    '# spring.datasource.url and spring.datasource.username come from the app settings.',
    context.auth === 'user' &&
      '# spring.cloud.azure.credential.client-id names the user-assigned identity (app setting).',
    context.auth === 'sp' &&
      '# spring.cloud.azure.credential.client-id / client-secret and spring.cloud.azure.profile.tenant-id come from the app settings.',
  );
}

export const springPostgres: Template = (context) => ({
  files: [{ path: 'application.properties', language: 'properties', content: springFile(context) }],
  dependencies: [DEPS.maven.springBom, DEPS.maven.springPostgres],
  notes: [
    'No code: the starter adds the Azure authentication plugin, which fetches a token for every new connection.',
    springTlsNote(context, 'postgres'),
  ],
});

export const springMysql: Template = (context) => ({
  files: [{ path: 'application.properties', language: 'properties', content: springFile(context) }],
  dependencies: [DEPS.maven.springBom, DEPS.maven.springMysql],
  notes: [
    'No code: the starter adds the Azure authentication plugin, which fetches a token for every new connection.',
    springTlsNote(context, 'mysql'),
    NOTE_MYSQL_USER,
  ],
});

export const springSql: Template = (context) => ({
  files: [
    {
      path: 'application.properties',
      language: 'properties',
      content: lines(
        '# spring.datasource.url (with the authentication mode) comes from the app settings.',
        context.auth === 'sp'
          ? '# spring.datasource.username / password hold the client id and secret (app settings).'
          : '# Remove any spring.datasource.password: the driver signs in with the managed identity.',
      ),
    },
  ],
  dependencies: [DEPS.maven.springBom, DEPS.maven.mssql],
  notes: ['No code: the JDBC driver fetches the token itself for every new connection.'],
});
