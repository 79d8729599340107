/** .NET: Npgsql and MySqlConnector with a password provider; Microsoft.Data.SqlClient for Azure SQL. */
import { DEPS } from '../dependencies.ts';
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  NOTE_TOKEN_PER_CONNECTION,
  type Template,
  type TemplateContext,
} from '../template.ts';

function credential({ auth, prefix }: TemplateContext): string[] {
  if (auth === 'system') {
    return [
      "        // The app's system-assigned managed identity.",
      '        TokenCredential credential = new ManagedIdentityCredential();',
    ];
  }
  if (auth === 'user') {
    return [
      '        // The user-assigned identity, named by its client id: without it the system identity is used.',
      `        TokenCredential credential = new ManagedIdentityCredential(Setting("${prefix}_CLIENTID"));`,
    ];
  }
  return [
    '        TokenCredential credential = new ClientSecretCredential(',
    `            Setting("${prefix}_TENANTID"), Setting("${prefix}_CLIENTID"), Setting("${prefix}_CLIENTSECRET"));`,
  ];
}

const SETTING_HELPER = [
  '    private static string Setting(string name) =>',
  '        Environment.GetEnvironmentVariable(name)',
  '        ?? throw new InvalidOperationException($"The app setting {name} is not set.");',
];

export const dotnetPostgres: Template = (context) => {
  const content = lines(
    '// PostgreSQL with a Microsoft Entra token. Npgsql asks the password provider each time it opens',
    '// a physical connection, so every new pooled connection signs in with a token that is valid now.',
    'using Azure.Core;',
    'using Azure.Identity;',
    'using Npgsql;',
    '',
    'public static class Database',
    '{',
    `    private static readonly TokenRequestContext TokenRequest = new(new[] { "${context.scope}" });`,
    '',
    '    /// <summary>Build once and share: the data source owns the connection pool.</summary>',
    '    public static NpgsqlDataSource CreateDataSource()',
    '    {',
    ...credential(context),
    `        var builder = new NpgsqlDataSourceBuilder(Setting("${context.prefix}_CONNECTIONSTRING"));`,
    '        // Service Connector writes Ssl Mode=Require (encrypted, certificate not checked); the token',
    '        // travels as the password, so check the certificate and the host name whoever wrote it.',
    '        builder.ConnectionStringBuilder.SslMode = SslMode.VerifyFull;',
    '        // Called for every new physical connection; the credential caches the token.',
    '        builder.UsePasswordProvider(',
    '            _ => credential.GetToken(TokenRequest, default).Token,',
    '            async (_, cancellationToken) => (await credential.GetTokenAsync(TokenRequest, cancellationToken)).Token);',
    '        return builder.Build();',
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.cs', language: 'csharp', content }],
    dependencies: [DEPS.nuget.npgsql, DEPS.nuget.identity],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION],
  };
};

export const dotnetMysql: Template = (context) => {
  const content = lines(
    '// MySQL with a Microsoft Entra token. MySqlConnector asks the password provider each time it opens',
    '// a physical connection, so every new pooled connection signs in with a token that is valid now.',
    'using Azure.Core;',
    'using Azure.Identity;',
    'using MySqlConnector;',
    '',
    'public static class Database',
    '{',
    `    private static readonly TokenRequestContext TokenRequest = new(new[] { "${context.scope}" });`,
    '',
    '    /// <summary>Build once and share: the data source owns the connection pool.</summary>',
    '    public static MySqlDataSource CreateDataSource()',
    '    {',
    ...credential(context),
    `        var builder = new MySqlDataSourceBuilder(Setting("${context.prefix}_CONNECTIONSTRING"));`,
    '        // MySqlConnector sends the token (mysql_clear_password) only over TLS with a verified',
    '        // certificate; VerifyFull also checks the host name.',
    '        builder.ConnectionStringBuilder.SslMode = MySqlSslMode.VerifyFull;',
    '        builder.UsePeriodicPasswordProvider(',
    '            async (_, cancellationToken) => (await credential.GetTokenAsync(TokenRequest, cancellationToken)).Token,',
    '            TimeSpan.FromMinutes(5),   // ask again often; the credential returns its cached token until it nears expiry',
    '            TimeSpan.FromSeconds(10)); // retry sooner after a failure',
    '        return builder.Build();',
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.cs', language: 'csharp', content }],
    dependencies: [DEPS.nuget.mysqlConnector, DEPS.nuget.identity],
    notes: [
      NOTE_TLS,
      'The password provider is asked every 5 minutes and the credential hands back its cached token until shortly before it expires, so new connections never get an expired token.',
      NOTE_MYSQL_USER,
    ],
  };
};

export const dotnetSql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '// Azure SQL with Microsoft Entra: the connection string names the authentication mode and the',
    '// driver fetches (and caches) the token for every new connection.',
    'using Microsoft.Data.SqlClient;',
    '',
    'public static class Database',
    '{',
    '    /// <summary>A connection to open with OpenAsync; pooling is on by default.</summary>',
    '    public static SqlConnection CreateConnection()',
    '    {',
    `        return new SqlConnection(Setting("${p}_CONNECTIONSTRING"));`,
    '    }',
    '',
    ...SETTING_HELPER,
    '}',
  );
  return {
    files: [{ path: 'Database.cs', language: 'csharp', content }],
    dependencies: [DEPS.nuget.sqlClient],
    notes: [
      'Microsoft.Data.SqlClient 5.x encrypts and verifies the certificate by default; do not add TrustServerCertificate=True.',
      ...(context.auth === 'sp'
        ? [
            'Service Connector writes the client id and secret into AZURE_SQL_CONNECTIONSTRING; keep it a Key Vault reference.',
          ]
        : []),
      'On Microsoft.Data.SqlClient 7.x the Entra modes moved to Microsoft.Data.SqlClient.Extensions.Azure: add that package (same version) or the connection fails at run time.',
    ],
  };
};
