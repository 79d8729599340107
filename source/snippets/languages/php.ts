/** PHP: the token from the managed-identity endpoint (or the token endpoint for a service principal) by HTTP. */
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  SYSTEM_CA_BUNDLE,
  type Template,
  type TemplateContext,
} from '../template.ts';

/** `azure_token($resource)`: App Service / Container Apps MI endpoint, or the v2 token endpoint for an SP. */
function tokenFunction({ auth, prefix }: TemplateContext): string[] {
  if (auth === 'sp') {
    return [
      'function azure_token(string $resource): string',
      '{',
      `    $tenant = rawurlencode(setting('${prefix}_TENANTID'));`,
      '    $form = http_build_query([',
      "        'grant_type' => 'client_credentials',",
      `        'client_id' => setting('${prefix}_CLIENTID'),`,
      `        'client_secret' => setting('${prefix}_CLIENTSECRET'),`,
      "        'scope' => $resource . '/.default',",
      '    ]);',
      "    $context = stream_context_create(['http' => [",
      "        'method' => 'POST',",
      '        \'header\' => "Content-Type: application/x-www-form-urlencoded\\r\\n",',
      "        'content' => $form,",
      "        'timeout' => 10,",
      '    ]]);',
      "    // AZURE_AUTHORITY_HOST, as the Azure SDKs read it, names a sovereign cloud's authority.",
      "    $authority = rtrim(getenv('AZURE_AUTHORITY_HOST') ?: 'https://login.microsoftonline.com', '/');",
      '    $body = file_get_contents("$authority/$tenant/oauth2/v2.0/token", false, $context);',
      '    return access_token($body);',
      '}',
    ];
  }
  return [
    'function azure_token(string $resource): string',
    '{',
    "    $query = ['resource' => $resource, 'api-version' => '2019-08-01'];",
    auth === 'user'
      ? '    // The user-assigned identity, named by its client id: without it the system identity is used.'
      : '',
    auth === 'user' ? `    $query['client_id'] = setting('${prefix}_CLIENTID');` : '',
    "    $context = stream_context_create(['http' => [",
    "        'header' => 'X-IDENTITY-HEADER: ' . setting('IDENTITY_HEADER') . \"\\r\\n\",",
    "        'timeout' => 10,",
    '    ]]);',
    "    $body = file_get_contents(setting('IDENTITY_ENDPOINT') . '?' . http_build_query($query), false, $context);",
    '    return access_token($body);',
    '}',
  ].filter((line) => line !== '');
}

function helpers(context: TemplateContext): string[] {
  return [
    'function setting(string $name): string',
    '{',
    '    $value = getenv($name);',
    "    if ($value === false || $value === '') {",
    '        throw new RuntimeException("The app setting $name is not set.");',
    '    }',
    '    return $value;',
    '}',
    '',
    'function access_token(string|false $body): string',
    '{',
    '    $answer = $body === false ? null : json_decode($body, true);',
    "    if (!is_array($answer) || !isset($answer['access_token'])) {",
    "        throw new RuntimeException('No access token was returned.');",
    '    }',
    "    return $answer['access_token'];",
    '}',
    '',
    '// PHP serves each request afresh, so this runs for the connection each request opens. Cache the',
    '// token (e.g. in APCu) until shortly before expires_on to save a call per request.',
    ...tokenFunction(context),
  ];
}

export const phpPostgres: Template = (context) => {
  const content = lines(
    '<?php',
    '// PostgreSQL with a Microsoft Entra token, fetched for each new connection.',
    '',
    ...helpers(context),
    '',
    'function db_connect(): PgSql\\Connection',
    '{',
    `    $token = azure_token('${context.resource}');`,
    '    // Service Connector writes sslmode=require (certificate not checked); the token travels as the',
    '    // password, so verify the certificate and host name against a CA bundle whoever wrote the',
    '    // setting (libpq before 16 has no sslrootcert=system). Later keys win in a libpq string.',
    `    $conninfo = setting('${context.prefix}_CONNECTIONSTRING')`,
    `        . ' sslmode=verify-full sslrootcert=' . (getenv('PGSSLROOTCERT') ?: '${SYSTEM_CA_BUNDLE}')`,
    '        . " password=\'" . addcslashes($token, "\'\\\\") . "\'";',
    '    $connection = pg_connect($conninfo, PGSQL_CONNECT_FORCE_NEW);',
    '    if ($connection === false) {',
    "        throw new RuntimeException('Could not connect to PostgreSQL.');",
    '    }',
    '    return $connection;',
    '}',
  );
  return {
    files: [{ path: 'db.php', language: 'php', content }],
    dependencies: [],
    notes: [NOTE_TLS, 'Needs the pgsql extension (php-pgsql).'],
  };
};

export const phpMysql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '<?php',
    '// MySQL with a Microsoft Entra token, fetched for each new connection. mysqlnd answers',
    "// Azure's mysql_clear_password request with the password as is.",
    '',
    ...helpers(context),
    '',
    'function db_connect(): mysqli',
    '{',
    `    $token = azure_token('${context.resource}');`,
    '    $link = mysqli_init();',
    '    // The token is sent in clear text inside TLS: verify the certificate and the host name.',
    '    $link->options(MYSQLI_OPT_SSL_VERIFY_SERVER_CERT, true);',
    `    $link->ssl_set(null, null, getenv('SSL_CERT_FILE') ?: '${SYSTEM_CA_BUNDLE}', null, null);`,
    '    $link->real_connect(',
    `        setting('${p}_HOST'),`,
    `        setting('${p}_USERNAME'),`,
    '        $token,',
    `        setting('${p}_DBNAME'),`,
    `        (int) (getenv('${p}_PORT') ?: 3306),`,
    '        null,',
    '        MYSQLI_CLIENT_SSL // what the setting MySQL_CLIENT_SSL names',
    '    );',
    '    return $link;',
    '}',
  );
  return {
    support: 'supported',
    files: [{ path: 'db.php', language: 'php', content }],
    dependencies: [],
    notes: [
      NOTE_TLS,
      'Service Connector supports this combination but publishes no sample for it; the code follows the Azure MySQL Entra documentation (mysqli is a supported driver).',
      'Needs the mysqli extension (php-mysql).',
      NOTE_MYSQL_USER,
    ],
  };
};

export const phpSql: Template = (context) => {
  const p = context.prefix;
  const options =
    context.auth === 'sp'
      ? [
          "        'Authentication' => 'ActiveDirectoryServicePrincipal',",
          `        'UID' => setting('${p}_CLIENTID'),`,
          `        'PWD' => setting('${p}_CLIENTSECRET'),`,
        ]
      : [
          "        'Authentication' => 'ActiveDirectoryMsi',",
          context.auth === 'user' ? '        // The user-assigned identity, named by its client id.' : '',
          context.auth === 'user' ? `        'UID' => setting('${p}_CLIENTID'),` : '',
        ].filter(Boolean);
  const content = lines(
    '<?php',
    '// Azure SQL with Microsoft Entra through the Microsoft Drivers for PHP (sqlsrv): the ODBC driver',
    '// fetches the token for every new connection.',
    '',
    'function setting(string $name): string',
    '{',
    '    $value = getenv($name);',
    "    if ($value === false || $value === '') {",
    '        throw new RuntimeException("The app setting $name is not set.");',
    '    }',
    '    return $value;',
    '}',
    '',
    'function db_connect()',
    '{',
    `    $server = setting('${p}_SERVER') . ',' . (getenv('${p}_PORT') ?: '1433');`,
    '    $connection = sqlsrv_connect($server, [',
    `        'Database' => setting('${p}_DATABASE'),`,
    "        'Encrypt' => true,",
    "        'TrustServerCertificate' => false,",
    ...options,
    '    ]);',
    '    if ($connection === false) {',
    "        throw new RuntimeException('Could not connect to Azure SQL.');",
    '    }',
    '    return $connection;',
    '}',
  );
  return {
    support: 'outside-service-connector',
    files: [{ path: 'db.php', language: 'php', content }],
    dependencies: [],
    notes: [
      'Service Connector does not support PHP with Azure SQL and a managed identity or service principal: it writes no settings for it. Azure SQL itself accepts it through the sqlsrv driver (ODBC Driver 17.3.1.1 or later for ActiveDirectoryMsi, 17.7 for a service principal); add the settings listed by hand.',
    ],
  };
};
