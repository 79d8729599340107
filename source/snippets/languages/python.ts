/** Python and Django: psycopg2, PyMySQL / mysqlclient and pyodbc with an azure-identity credential. */
import { DEPS } from '../dependencies.ts';
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  NOTE_TOKEN_PER_CONNECTION,
  SYSTEM_CA_BUNDLE,
  type Template,
  type TemplateContext,
} from '../template.ts';

/** Import line and construction of the credential (never DefaultAzureCredential in production). */
function credential({ auth, prefix }: TemplateContext): string[] {
  if (auth === 'system') {
    return [
      'from azure.identity import ManagedIdentityCredential',
      '',
      "# The app's system-assigned managed identity.",
      'credential = ManagedIdentityCredential()',
    ];
  }
  if (auth === 'user') {
    return [
      'from azure.identity import ManagedIdentityCredential',
      '',
      '# The user-assigned identity, named by its client id: without it the system identity is used.',
      `credential = ManagedIdentityCredential(client_id=os.environ["${prefix}_CLIENTID"])`,
    ];
  }
  return [
    'from azure.identity import ClientSecretCredential',
    '',
    'credential = ClientSecretCredential(',
    `    tenant_id=os.environ["${prefix}_TENANTID"],`,
    `    client_id=os.environ["${prefix}_CLIENTID"],`,
    `    client_secret=os.environ["${prefix}_CLIENTSECRET"],`,
    ')',
  ];
}

export const pythonPostgres: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '"""PostgreSQL with a Microsoft Entra token: connect() signs in with a token valid now."""',
    'import os',
    '',
    'import psycopg2',
    ...credential(context),
    '',
    `SCOPE = "${context.scope}"`,
    '',
    '',
    'def connect():',
    '    """A new connection; the credential caches the token until shortly before it expires."""',
    '    token = credential.get_token(SCOPE).token',
    '    # The token travels as the password. Service Connector writes sslmode=require, which encrypts but',
    '    # does not check the certificate; verify-full checks it and the host name, against a CA bundle',
    '    # (libpq before 16 has no sslrootcert=system).',
    '    return psycopg2.connect(',
    `        os.environ["${p}_CONNECTIONSTRING"],`,
    '        password=token,',
    '        sslmode="verify-full",',
    `        sslrootcert=os.environ.get("PGSSLROOTCERT", "${SYSTEM_CA_BUNDLE}"),`,
    '    )',
    '',
    '',
    '# For a pool, let it call connect() for each new connection, e.g. with SQLAlchemy:',
    '#   engine = sqlalchemy.create_engine("postgresql+psycopg2://", creator=connect, pool_recycle=1800)',
  );
  return {
    files: [{ path: 'db.py', language: 'python', content }],
    dependencies: [DEPS.pip.psycopg2, DEPS.pip.identity],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION],
  };
};

export const pythonMysql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '"""MySQL with a Microsoft Entra token: connect() signs in with a token valid now."""',
    'import os',
    'import ssl',
    '',
    'import pymysql',
    ...credential(context),
    '',
    `SCOPE = "${context.scope}"`,
    '',
    '',
    'def connect():',
    '    """A new connection; the credential caches the token until shortly before it expires."""',
    '    token = credential.get_token(SCOPE).token',
    '    # Azure asks for the token with mysql_clear_password (PyMySQL answers it as is), so only over',
    '    # TLS with the certificate and host name verified against the system CAs.',
    '    return pymysql.connect(',
    `        host=os.environ["${p}_HOST"],`,
    `        port=int(os.environ.get("${p}_PORT", "3306")),`,
    `        user=os.environ["${p}_USER"],`,
    '        password=token,',
    `        database=os.environ["${p}_NAME"],`,
    '        ssl=ssl.create_default_context(),',
    '    )',
    '',
    '',
    '# For a pool, let it call connect() for each new connection, e.g. with SQLAlchemy:',
    '#   engine = sqlalchemy.create_engine("mysql+pymysql://", creator=connect, pool_recycle=1800)',
  );
  return {
    files: [{ path: 'db.py', language: 'python', content }],
    dependencies: [DEPS.pip.pymysql, DEPS.pip.identity],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION, NOTE_MYSQL_USER],
  };
};

/** The ODBC `Authentication` keyword per auth type, hard-coded (the SP setting value is misspelled). */
function odbcAuthentication(context: TemplateContext): string[] {
  const p = context.prefix;
  if (context.auth === 'system') return ['    "Authentication=ActiveDirectoryMsi;"'];
  if (context.auth === 'user') {
    return [
      '    "Authentication=ActiveDirectoryMsi;"',
      '    # The user-assigned identity, named by its client id.',
      `    f"UID={os.environ['${p}_USER']};"`,
    ];
  }
  return [
    '    "Authentication=ActiveDirectoryServicePrincipal;"',
    `    f"UID={os.environ['${p}_USER']};"`,
    `    f"PWD={{{os.environ['${p}_PASSWORD']}}};"`,
  ];
}

export const pythonSql: Template = (context) => {
  const p = context.prefix;
  const content = lines(
    '"""Azure SQL with Microsoft Entra: the ODBC driver fetches a token for every new connection."""',
    'import os',
    '',
    'import pyodbc',
    '',
    '# AZURE_SQL_AUTHENTICATION is not spliced in: its service-principal value is misspelled.',
    'CONNECTION_STRING = (',
    '    "Driver={ODBC Driver 18 for SQL Server};"',
    `    f"Server=tcp:{os.environ['${p}_SERVER']},{os.environ.get('${p}_PORT', '1433')};"`,
    `    f"Database={os.environ['${p}_DATABASE']};"`,
    '    "Encrypt=yes;TrustServerCertificate=no;"',
    ...odbcAuthentication(context),
    ')',
    '',
    '',
    'def connect():',
    '    return pyodbc.connect(CONNECTION_STRING)',
  );
  return {
    files: [{ path: 'db.py', language: 'python', content }],
    dependencies: [DEPS.pip.pyodbc],
    notes: [
      'Needs the Microsoft ODBC Driver 18 for SQL Server in the image (msodbcsql18).',
      'The driver encrypts and verifies the certificate (Encrypt=yes, TrustServerCertificate=no) and gets the token itself.',
      context.auth === 'user'
        ? 'UID carries the client id of the user-assigned identity (Service Connector labels the setting an object id; the driver expects the client id).'
        : '',
    ].filter(Boolean),
  };
};

const DJANGO_BACKEND_NOTE =
  "Django opens a new connection at the start of a request when the previous one is closed; the backend below fetches a token then (Django's own settings are read once, so a token put in PASSWORD would go stale).";

export const djangoPostgres: Template = (context) => {
  const p = context.prefix;
  const backend = lines(
    '"""A PostgreSQL backend that signs in with a fresh Microsoft Entra token on every new connection."""',
    'import os',
    '',
    'from django.db.backends.postgresql import base',
    ...credential(context),
    '',
    `SCOPE = "${context.scope}"`,
    '',
    '',
    'class DatabaseWrapper(base.DatabaseWrapper):',
    '    def get_connection_params(self):',
    '        params = super().get_connection_params()',
    '        params["password"] = credential.get_token(SCOPE).token',
    '        return params',
  );
  const settings = lines(
    '# In settings.py: the ENGINE is the package holding base.py above.',
    'import os',
    '',
    'DATABASES = {',
    '    "default": {',
    '        "ENGINE": "azure_entra_postgresql",',
    `        "NAME": os.environ["${p}_NAME"],`,
    `        "HOST": os.environ["${p}_HOST"],`,
    `        "USER": os.environ["${p}_USER"],`,
    `        "PORT": os.environ.get("${p}_PORT", "5432"),`,
    '        # The token travels as the password: verify the certificate and the host name.',
    '        "OPTIONS": {',
    '            "sslmode": "verify-full",',
    `            "sslrootcert": os.environ.get("PGSSLROOTCERT", "${SYSTEM_CA_BUNDLE}"),`,
    '        },',
    '    }',
    '}',
  );
  return {
    files: [
      { path: 'azure_entra_postgresql/__init__.py', language: 'python', content: '' },
      { path: 'azure_entra_postgresql/base.py', language: 'python', content: backend },
      { path: 'settings_database.py', language: 'python', content: settings },
    ],
    dependencies: [DEPS.pip.django, DEPS.pip.psycopg2, DEPS.pip.identity],
    notes: [NOTE_TLS, DJANGO_BACKEND_NOTE],
  };
};

export const djangoMysql: Template = (context) => {
  const p = context.prefix;
  const backend = lines(
    '"""A MySQL backend that signs in with a fresh Microsoft Entra token on every new connection."""',
    'import os',
    '',
    '# mysqlclient refuses mysql_clear_password unless this is set before it loads.',
    'os.environ.setdefault("LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN", "1")',
    '',
    'from django.db.backends.mysql import base  # noqa: E402',
    ...credential(context),
    '',
    `SCOPE = "${context.scope}"`,
    '',
    '',
    'class DatabaseWrapper(base.DatabaseWrapper):',
    '    def get_connection_params(self):',
    '        params = super().get_connection_params()',
    '        params["password"] = credential.get_token(SCOPE).token',
    '        return params',
  );
  const settings = lines(
    '# In settings.py: the ENGINE is the package holding base.py above.',
    'import os',
    '',
    'DATABASES = {',
    '    "default": {',
    '        "ENGINE": "azure_entra_mysql",',
    `        "NAME": os.environ["${p}_NAME"],`,
    `        "HOST": os.environ["${p}_HOST"],`,
    `        "USER": os.environ["${p}_USER"],`,
    `        "PORT": os.environ.get("${p}_PORT", "3306"),`,
    '        # The token is sent in clear text inside TLS: verify the certificate and the host name.',
    '        "OPTIONS": {',
    '            "ssl_mode": "VERIFY_IDENTITY",',
    `            "ssl": {"ca": os.environ.get("SSL_CERT_FILE", "${SYSTEM_CA_BUNDLE}")},`,
    '        },',
    '    }',
    '}',
  );
  return {
    files: [
      { path: 'azure_entra_mysql/__init__.py', language: 'python', content: '' },
      { path: 'azure_entra_mysql/base.py', language: 'python', content: backend },
      { path: 'settings_database.py', language: 'python', content: settings },
    ],
    dependencies: [
      DEPS.pip.django,
      { ...DEPS.pip.pymysql, name: 'mysqlclient', version: '2.2.6', entry: 'mysqlclient==2.2.6' },
      DEPS.pip.identity,
    ],
    notes: [
      NOTE_TLS,
      DJANGO_BACKEND_NOTE,
      'With MariaDB Connector/C instead of libmysqlclient, the mysql_clear_password plugin file must be installed.',
      NOTE_MYSQL_USER,
    ],
  };
};

export const djangoSql: Template = (context) => {
  const p = context.prefix;
  const mode = context.auth === 'sp' ? 'ActiveDirectoryServicePrincipal' : 'ActiveDirectoryMsi';
  const identity =
    context.auth === 'system'
      ? []
      : context.auth === 'user'
        ? [
            '    # The user-assigned identity, named by its client id.',
            `    "USER": os.environ["${p}_USER"],`,
          ]
        : [`    "USER": os.environ["${p}_USER"],`, `    "PASSWORD": os.environ["${p}_PASSWORD"],`];
  const settings = lines(
    '# In settings.py. Outside Service Connector: it writes no passwordless settings for Django and',
    '# Azure SQL, so give the app the AZURE_SQL_* settings listed here yourself.',
    'import os',
    '',
    'DATABASES = {"default": {',
    '    "ENGINE": "mssql",',
    `    "NAME": os.environ["${p}_DATABASE"],`,
    `    "HOST": os.environ["${p}_SERVER"],`,
    `    "PORT": os.environ.get("${p}_PORT", "1433"),`,
    ...identity,
    '    "OPTIONS": {',
    '        "driver": "ODBC Driver 18 for SQL Server",',
    '        # The ODBC driver fetches a token for every new connection.',
    `        "extra_params": "Authentication=${mode}",`,
    '    },',
    '}}',
  );
  return {
    support: 'outside-service-connector',
    files: [{ path: 'settings_database.py', language: 'python', content: settings }],
    dependencies: [DEPS.pip.django, DEPS.pip.mssqlDjango, DEPS.pip.pyodbc],
    notes: [
      'Service Connector does not support Django with Azure SQL and a managed identity or service principal: it writes no settings for it. The settings listed are the ones to add by hand.',
      'Needs the Microsoft ODBC Driver 18 for SQL Server in the image; it encrypts and verifies the certificate by default.',
    ],
  };
};
