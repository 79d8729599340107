/** Ruby: the token by HTTP from the managed-identity endpoint (or the token endpoint for an SP). */
import { DEPS } from '../dependencies.ts';
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  SYSTEM_CA_BUNDLE,
  type Template,
  type TemplateContext,
} from '../template.ts';

function tokenMethod({ auth, prefix }: TemplateContext): string[] {
  if (auth === 'sp') {
    return [
      'def azure_token(resource)',
      `  tenant = URI.encode_www_form_component(ENV.fetch("${prefix}_TENANTID"))`,
      "  # AZURE_AUTHORITY_HOST, as the Azure SDKs read it, names a sovereign cloud's authority.",
      '  authority = ENV.fetch("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com").chomp("/")',
      '  response = Net::HTTP.post_form(',
      '    URI("#{authority}/#{tenant}/oauth2/v2.0/token"),',
      '    "grant_type" => "client_credentials",',
      `    "client_id" => ENV.fetch("${prefix}_CLIENTID"),`,
      `    "client_secret" => ENV.fetch("${prefix}_CLIENTSECRET"),`,
      '    "scope" => "#{resource}/.default"',
      '  )',
      '  raise "The token endpoint answered #{response.code}" unless response.is_a?(Net::HTTPSuccess)',
      '  JSON.parse(response.body).fetch("access_token")',
      'end',
    ];
  }
  return [
    'def azure_token(resource)',
    '  uri = URI(ENV.fetch("IDENTITY_ENDPOINT"))',
    '  params = { "resource" => resource, "api-version" => "2019-08-01" }',
    ...(auth === 'user'
      ? [
          '  # The user-assigned identity, named by its client id: without it the system identity is used.',
          `  params["client_id"] = ENV.fetch("${prefix}_CLIENTID")`,
        ]
      : []),
    '  uri.query = URI.encode_www_form(params)',
    '  request = Net::HTTP::Get.new(uri)',
    '  request["X-IDENTITY-HEADER"] = ENV.fetch("IDENTITY_HEADER")',
    '  response = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https") { |http| http.request(request) }',
    '  raise "The managed identity endpoint answered #{response.code}" unless response.is_a?(Net::HTTPSuccess)',
    '  JSON.parse(response.body).fetch("access_token")',
    'end',
  ];
}

const HEADER = ['require "json"', 'require "net/http"', 'require "uri"'];

export const rubyPostgres: Template = (context) => {
  const content = lines(
    '# PostgreSQL with a Microsoft Entra token, fetched for each new connection.',
    ...HEADER,
    'require "pg"',
    '',
    ...tokenMethod(context),
    '',
    'def db_connect',
    `  token = azure_token("${context.resource}")`,
    '  # Service Connector writes sslmode=require (certificate not checked); the token travels as the',
    '  # password, so verify the certificate and host name against a CA bundle (later keys win).',
    `  ca = ENV.fetch("PGSSLROOTCERT", "${SYSTEM_CA_BUNDLE}")`,
    `  PG.connect(ENV.fetch("${context.prefix}_CONNECTIONSTRING") + " sslmode=verify-full sslrootcert=#{ca}", password: token)`,
    'end',
  );
  return {
    files: [{ path: 'db.rb', language: 'ruby', content }],
    dependencies: [DEPS.gem.pg],
    notes: [
      NOTE_TLS,
      'For Rails, call azure_token for each new connection (e.g. in a connection adapter hook) rather than once at boot.',
    ],
  };
};

export const rubyMysql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '# MySQL with a Microsoft Entra token, fetched for each new connection.',
    ...HEADER,
    'require "mysql2"',
    '',
    ...tokenMethod(context),
    '',
    'def db_connect',
    '  Mysql2::Client.new(',
    `    host: ENV.fetch("${p}_HOST"),`,
    `    port: Integer(ENV.fetch("${p}_PORT", "3306")),`,
    `    username: ENV.fetch("${p}_USERNAME"),`,
    `    database: ENV.fetch("${p}_DATABASE"),`,
    `    password: azure_token("${context.resource}"),`,
    '    # Azure asks for the token with mysql_clear_password; only over TLS with the certificate and',
    '    # host name verified.',
    '    enable_cleartext_plugin: true,',
    '    ssl_mode: :verify_identity,',
    `    sslca: ENV.fetch("SSL_CERT_FILE", "${SYSTEM_CA_BUNDLE}")`,
    '  )',
    'end',
  );
  return {
    files: [{ path: 'db.rb', language: 'ruby', content }],
    dependencies: [DEPS.gem.mysql2],
    notes: [
      NOTE_TLS,
      'Service Connector supports this combination but publishes no sample for it; the code follows the Azure MySQL Entra documentation (the mysql2 gem is a supported driver).',
      NOTE_MYSQL_USER,
    ],
  };
};

/** No Ruby driver speaks Entra to SQL Server: show SQL authentication, clearly marked. */
export const rubySql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '# NOT PASSWORDLESS. TinyTDS (FreeTDS) cannot sign in with Microsoft Entra, so Ruby reaches Azure',
    '# SQL with a SQL login and password. Keep the password in Key Vault (a Key Vault reference in the',
    '# app settings), never in code.',
    'require "tiny_tds"',
    '',
    'def db_connect',
    '  TinyTds::Client.new(',
    `    host: ENV.fetch("${p}_HOST"),`,
    `    port: Integer(ENV.fetch("${p}_PORT", "1433")),`,
    `    database: ENV.fetch("${p}_DATABASE"),`,
    `    username: ENV.fetch("${p}_USERNAME"),`,
    `    password: ENV.fetch("${p}_PASSWORD"),`,
    '    azure: true',
    '  )',
    'end',
  );
  return {
    support: 'unsupported',
    settings: [
      { name: `${p}_HOST`, value: context.names.server },
      { name: `${p}_PORT`, value: '1433' },
      { name: `${p}_DATABASE`, value: context.names.database },
      { name: `${p}_USERNAME`, value: '<sql-login>' },
      { name: `${p}_PASSWORD`, secretRef: 'the SQL login password (a Key Vault reference; never printed)' },
    ],
    files: [{ path: 'db.rb', language: 'ruby', content }],
    dependencies: [
      { manifest: 'Gemfile', name: 'tiny_tds', version: '2.1', entry: 'gem "tiny_tds", "~> 2.1"' },
    ],
    notes: [
      'No passwordless path: Service Connector does not support Ruby with Azure SQL and a managed identity or service principal, and TinyTDS/FreeTDS have no Microsoft Entra sign-in. The code shown uses a SQL login with a password kept in Key Vault.',
      'Alternatives that are passwordless: run the data access in a language whose driver supports Entra (see sc-doctor snippet sql --client-type nodejs), or use Azure Database for PostgreSQL or MySQL, where the Ruby drivers work with Entra tokens.',
    ],
  };
};
