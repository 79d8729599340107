/** Go: pgx with BeforeConnect, go-sql-driver/mysql with BeforeConnect, go-mssqldb's azuread driver. */
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
      "\t// The app's system-assigned managed identity.",
      '\tcredential, err := azidentity.NewManagedIdentityCredential(nil)',
    ];
  }
  if (auth === 'user') {
    return [
      '\t// The user-assigned identity, named by its client id: without it the system identity is used.',
      '\tcredential, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{',
      `\t\tID: azidentity.ClientID(os.Getenv("${prefix}_CLIENTID")),`,
      '\t})',
    ];
  }
  return [
    '\tcredential, err := azidentity.NewClientSecretCredential(',
    `\t\tos.Getenv("${prefix}_TENANTID"), os.Getenv("${prefix}_CLIENTID"), os.Getenv("${prefix}_CLIENTSECRET"), nil)`,
  ];
}

export const goPostgres: Template = (context) => {
  const content = lines(
    '// Package database opens PostgreSQL with a Microsoft Entra token for every new connection.',
    'package database',
    '',
    'import (',
    '\t"context"',
    '\t"os"',
    '',
    '\t"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"',
    '\t"github.com/Azure/azure-sdk-for-go/sdk/azidentity"',
    '\t"github.com/jackc/pgx/v5"',
    '\t"github.com/jackc/pgx/v5/pgxpool"',
    ')',
    '',
    `var scopes = []string{"${context.scope}"}`,
    '',
    '// NewPool returns a pool whose every new connection signs in with a token valid at that moment',
    '// (the credential caches it until shortly before it expires).',
    'func NewPool(ctx context.Context) (*pgxpool.Pool, error) {',
    ...credential(context),
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\t// Service Connector writes sslmode=require (encrypted, certificate not checked); the token travels',
    '\t// as the password, so verify the certificate and host name whoever wrote it (the later key wins).',
    `\tconfig, err := pgxpool.ParseConfig(os.Getenv("${context.prefix}_CONNECTIONSTRING") + " sslmode=verify-full")`,
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\tconfig.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {',
    '\t\ttoken, err := credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})',
    '\t\tif err != nil {',
    '\t\t\treturn err',
    '\t\t}',
    '\t\tcc.Password = token.Token',
    '\t\treturn nil',
    '\t}',
    '\treturn pgxpool.NewWithConfig(ctx, config)',
    '}',
  );
  return {
    files: [{ path: 'database/database.go', language: 'go', content }],
    dependencies: [DEPS.go.pgx, DEPS.go.azidentity, DEPS.go.azcore],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION],
  };
};

export const goMysql: Template = (context) => {
  const content = lines(
    '// Package database opens MySQL with a Microsoft Entra token for every new connection.',
    'package database',
    '',
    'import (',
    '\t"context"',
    '\t"database/sql"',
    '\t"os"',
    '',
    '\t"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"',
    '\t"github.com/Azure/azure-sdk-for-go/sdk/azidentity"',
    '\t"github.com/go-sql-driver/mysql"',
    ')',
    '',
    `var scopes = []string{"${context.scope}"}`,
    '',
    '// Open returns a pool whose every new connection signs in with a token valid at that moment.',
    'func Open() (*sql.DB, error) {',
    ...credential(context),
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    `\tconfig, err := mysql.ParseDSN(os.Getenv("${context.prefix}_CONNECTIONSTRING"))`,
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\t// Azure asks for the token with mysql_clear_password: allow it, and only over verified TLS.',
    '\tconfig.AllowCleartextPasswords = true',
    '\tconfig.TLSConfig = "true"',
    '\terr = config.Apply(mysql.BeforeConnect(func(ctx context.Context, c *mysql.Config) error {',
    '\t\ttoken, err := credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})',
    '\t\tif err != nil {',
    '\t\t\treturn err',
    '\t\t}',
    '\t\tc.Passwd = token.Token',
    '\t\treturn nil',
    '\t}))',
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\tconnector, err := mysql.NewConnector(config)',
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\treturn sql.OpenDB(connector), nil',
    '}',
  );
  return {
    files: [{ path: 'database/database.go', language: 'go', content }],
    dependencies: [DEPS.go.mysql, DEPS.go.azidentity, DEPS.go.azcore],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION, NOTE_MYSQL_USER],
  };
};

export const goSql: Template = (context) => {
  const p = context.prefix;
  const fedauth =
    context.auth === 'sp'
      ? [
          '\tquery.Set("fedauth", "ActiveDirectoryServicePrincipal")',
          `\tquery.Set("user id", os.Getenv("${p}_CLIENTID")+"@"+os.Getenv("${p}_TENANTID"))`,
          `\tquery.Set("password", os.Getenv("${p}_CLIENTSECRET"))`,
        ]
      : [
          '\tquery.Set("fedauth", "ActiveDirectoryManagedIdentity")',
          context.auth === 'user' ? '\t// The user-assigned identity, named by its client id.' : '',
          context.auth === 'user' ? `\tquery.Set("user id", os.Getenv("${p}_CLIENTID"))` : '',
        ].filter(Boolean);
  const content = lines(
    '// Package database opens Azure SQL with Microsoft Entra: the azuresql driver fetches a token for',
    '// every new connection.',
    'package database',
    '',
    'import (',
    '\t"database/sql"',
    '\t"net/url"',
    '\t"os"',
    '',
    '\t"github.com/microsoft/go-mssqldb/azuread"',
    ')',
    '',
    'func Open() (*sql.DB, error) {',
    '\tquery := url.Values{}',
    `\tquery.Set("database", os.Getenv("${p}_DATABASE"))`,
    '\tquery.Set("encrypt", "true")',
    ...fedauth,
    `\tdsn := &url.URL{Scheme: "sqlserver", Host: os.Getenv("${p}_SERVER") + ":" + os.Getenv("${p}_PORT"), RawQuery: query.Encode()}`,
    '\treturn sql.Open(azuread.DriverName, dsn.String())',
    '}',
  );
  return {
    support: 'outside-service-connector',
    files: [{ path: 'database/database.go', language: 'go', content }],
    dependencies: [DEPS.go.mssql],
    notes: [
      'Service Connector does not support Go with Azure SQL and a managed identity or service principal: it writes no settings for it. The settings listed are the ones to add by hand.',
      'The driver encrypts and verifies the certificate (encrypt=true).',
    ],
  };
};
