/** Node.js: pg, mysql2 and tedious with an `@azure/identity` credential. CommonJS files. */
import { DEPS } from '../dependencies.ts';
import {
  lines,
  NOTE_MYSQL_USER,
  NOTE_TLS,
  NOTE_TOKEN_PER_CONNECTION,
  type Template,
  type TemplateContext,
} from '../template.ts';

const SETTING_HELPER = [
  'function setting(name) {',
  '  const value = process.env[name];',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: generated JavaScript, a template literal there
  '  if (!value) throw new Error(`The app setting ${name} is not set.`);',
  '  return value;',
  '}',
];

/** The credential for the auth type, built explicitly (never DefaultAzureCredential in production). */
function credential({ auth, prefix }: TemplateContext): { importName: string; code: string[] } {
  if (auth === 'system') {
    return {
      importName: 'ManagedIdentityCredential',
      code: [
        "// The app's system-assigned managed identity.",
        'const credential = new ManagedIdentityCredential();',
      ],
    };
  }
  if (auth === 'user') {
    return {
      importName: 'ManagedIdentityCredential',
      code: [
        '// The user-assigned identity, named by its client id: without it the system identity is used.',
        `const credential = new ManagedIdentityCredential({ clientId: setting('${prefix}_CLIENTID') });`,
      ],
    };
  }
  return {
    importName: 'ClientSecretCredential',
    code: [
      'const credential = new ClientSecretCredential(',
      `  setting('${prefix}_TENANTID'),`,
      `  setting('${prefix}_CLIENTID'),`,
      `  setting('${prefix}_CLIENTSECRET'),`,
      ');',
    ],
  };
}

export const nodePostgres: Template = (context) => {
  const { importName, code } = credential(context);
  const p = context.prefix;
  const content = lines(
    "'use strict';",
    '// PostgreSQL with a Microsoft Entra token. pg asks for the password each time it opens a',
    '// connection, so every new pooled connection signs in with a token that is valid now.',
    "const { Pool } = require('pg');",
    `const { ${importName} } = require('@azure/identity');`,
    '',
    `const SCOPE = '${context.scope}';`,
    '',
    ...SETTING_HELPER,
    '',
    ...code,
    '',
    'const pool = new Pool({',
    `  host: setting('${p}_HOST'),`,
    `  port: Number(process.env.${p}_PORT || 5432),`,
    `  database: setting('${p}_DATABASE'),`,
    `  user: setting('${p}_USER'),`,
    '  // Called for every new connection; the credential caches the token until shortly before expiry.',
    '  password: async () => (await credential.getToken(SCOPE)).token,',
    '  // The token travels as the password: TLS, with the server certificate verified.',
    '  ssl: { rejectUnauthorized: true },',
    '});',
    '',
    "// Usage: const { rows } = await pool.query('SELECT current_user');",
    'module.exports = { pool };',
  );
  return {
    files: [{ path: 'db.js', language: 'javascript', content }],
    dependencies: [DEPS.npm.pg, DEPS.npm.identity],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION],
  };
};

export const nodeMysql: Template = (context) => {
  const { importName, code } = credential(context);
  const p = context.prefix;
  const content = lines(
    "'use strict';",
    '// MySQL with a Microsoft Entra token. Azure asks for the password with mysql_clear_password;',
    '// the plugin below answers with a token fetched for that connection, so every new pooled',
    '// connection signs in with a token that is valid now.',
    "const mysql = require('mysql2/promise');",
    `const { ${importName} } = require('@azure/identity');`,
    '',
    `const SCOPE = '${context.scope}';`,
    '',
    ...SETTING_HELPER,
    '',
    ...code,
    '',
    'const pool = mysql.createPool({',
    `  host: setting('${p}_HOST'),`,
    `  port: Number(process.env.${p}_PORT || 3306),`,
    `  database: setting('${p}_DATABASE'),`,
    `  user: setting('${p}_USER'),`,
    '  // The token is sent in clear text inside TLS, so the server certificate must verify.',
    '  ssl: { rejectUnauthorized: true },',
    '  enableCleartextPlugin: true,',
    '  authPlugins: {',
    '    // Called at each sign-in; the credential caches the token until shortly before expiry.',
    '    mysql_clear_password: () => async () => {',
    '      const { token } = await credential.getToken(SCOPE);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: generated JavaScript, a template literal there
    '      return Buffer.from(`${token}\\0`);',
    '    },',
    '  },',
    '});',
    '',
    "// Usage: const [rows] = await pool.query('SELECT CURRENT_USER()');",
    'module.exports = { pool };',
  );
  return {
    files: [{ path: 'db.js', language: 'javascript', content }],
    dependencies: [DEPS.npm.mysql2, DEPS.npm.identity],
    notes: [NOTE_TLS, NOTE_TOKEN_PER_CONNECTION, NOTE_MYSQL_USER],
  };
};

export const nodeSql: Template = (context) => {
  const { importName, code } = credential(context);
  const p = context.prefix;
  const content = lines(
    "'use strict';",
    '// Azure SQL with a Microsoft Entra token: tedious asks the credential for a token at every',
    '// sign-in, so each new connection gets one that is valid now.',
    "const { Connection, Request } = require('tedious');",
    `const { ${importName} } = require('@azure/identity');`,
    '',
    ...SETTING_HELPER,
    '',
    ...code,
    '',
    '// AZURE_SQL_AUTHENTICATIONTYPE is not read: the credential above decides the identity.',
    'function connect() {',
    '  const connection = new Connection({',
    `    server: setting('${p}_SERVER'),`,
    "    authentication: { type: 'token-credential', options: { credential } },",
    '    options: {',
    `      database: setting('${p}_DATABASE'),`,
    `      port: Number(process.env.${p}_PORT || 1433),`,
    '      encrypt: true,',
    '      trustServerCertificate: false,',
    '    },',
    '  });',
    '  return new Promise((resolve, reject) => {',
    '    connection.connect((error) => (error ? reject(error) : resolve(connection)));',
    '  });',
    '}',
    '',
    '/** Runs one statement and resolves with its rows as objects. */',
    'function query(connection, sql) {',
    '  return new Promise((resolve, reject) => {',
    '    const rows = [];',
    '    const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));',
    "    request.on('row', (columns) => {",
    '      rows.push(Object.fromEntries(columns.map((column) => [column.metadata.colName, column.value])));',
    '    });',
    '    connection.execSql(request);',
    '  });',
    '}',
    '',
    'module.exports = { connect, query };',
  );
  return {
    files: [{ path: 'db.js', language: 'javascript', content }],
    dependencies: [DEPS.npm.tedious, DEPS.npm.identity],
    notes: [
      'tedious encrypts and verifies the server certificate (encrypt: true, trustServerCertificate: false).',
      NOTE_TOKEN_PER_CONNECTION,
      "The database user is the identity's display name (CREATE USER [name] FROM EXTERNAL PROVIDER).",
    ],
  };
};
