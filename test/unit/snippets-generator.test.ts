/** The generator over every combination: support status, names, TLS, identities, secrets, versions. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DATABASE_KINDS } from '../../source/databases/kind.ts';
import { generateAllSnippets, generateSnippet } from '../../source/snippets/index.ts';
import { CLIENT_TYPES, SNIPPET_AUTHS, type Snippet } from '../../source/snippets/types.ts';

const all = generateAllSnippets();
const codeOf = (snippet: Snippet) => snippet.files.map((file) => file.content).join('\n');
const label = (s: Snippet) => `${s.database} ${s.clientType} ${s.auth}`;

test('every database × client type × auth type is generated once', () => {
  assert.equal(all.length, DATABASE_KINDS.length * CLIENT_TYPES.length * SNIPPET_AUTHS.length);
  assert.equal(new Set(all.map(label)).size, all.length);
  for (const snippet of all) {
    assert.ok(snippet.settings.length > 0, label(snippet));
    assert.ok(snippet.notes.length > 0, label(snippet));
    assert.equal(snippet.files.length === 0, snippet.clientType === 'none', label(snippet));
  }
});

test('support follows Azure: Azure SQL from go, php and django is outside Service Connector; from ruby there is no passwordless path', () => {
  for (const snippet of all) {
    const expected =
      snippet.database !== 'sql'
        ? 'supported'
        : snippet.clientType === 'ruby'
          ? 'unsupported'
          : ['go', 'php', 'django'].includes(snippet.clientType)
            ? 'outside-service-connector'
            : 'supported';
    assert.equal(snippet.support, expected, label(snippet));
  }
  const ruby = generateSnippet({ database: 'sql', clientType: 'ruby', auth: 'system' });
  assert.match(ruby.files[0]!.content, /^# NOT PASSWORDLESS\./);
  assert.match(ruby.notes[0]!, /No passwordless path/);
});

test('the names given fill the settings; without them, visible placeholders', () => {
  const names = {
    server: 'pg-orders.postgres.database.azure.com',
    databaseName: 'orders',
    user: 'aad_orders',
    clientId: '1b2c3d4e-0000-4000-8000-000000000001',
  };
  for (const clientType of CLIENT_TYPES) {
    const filled = generateSnippet({ database: 'postgres', clientType, auth: 'user', ...names });
    const text = JSON.stringify(filled.settings);
    for (const value of Object.values(names)) assert.ok(text.includes(value), `${clientType}: ${value}`);
    assert.doesNotMatch(text, /<(server|database|database-user|client-id)>/);
    const placeholders = JSON.stringify(
      generateSnippet({ database: 'postgres', clientType, auth: 'user' }).settings,
    );
    assert.match(placeholders, /<server>\.postgres\.database\.azure\.com/);
    assert.match(placeholders, /<client-id>/);
  }
});

test('Service Connector setting names: the Node.js PostgreSQL set, the Spring credential keys, the SQL Python quirk', () => {
  const names = (s: Snippet) => s.settings.map((setting) => setting.name);
  assert.deepEqual(names(generateSnippet({ database: 'postgres', clientType: 'nodejs', auth: 'sp' })), [
    'AZURE_POSTGRESQL_HOST',
    'AZURE_POSTGRESQL_USER',
    'AZURE_POSTGRESQL_DATABASE',
    'AZURE_POSTGRESQL_PORT',
    'AZURE_POSTGRESQL_SSL',
    'AZURE_POSTGRESQL_CLIENTID',
    'AZURE_POSTGRESQL_CLIENTSECRET',
    'AZURE_POSTGRESQL_TENANTID',
  ]);
  assert.deepEqual(names(generateSnippet({ database: 'mysql', clientType: 'springBoot', auth: 'user' })), [
    'spring.datasource.azure.passwordless-enabled',
    'spring.datasource.url',
    'spring.datasource.username',
    'spring.cloud.azure.credential.client-id',
    'spring.cloud.azure.credential.managed-identity-enabled',
  ]);
  const python = generateSnippet({ database: 'sql', clientType: 'python', auth: 'sp' });
  assert.ok(python.settings.some((s) => 'value' in s && s.value === 'ActiveDirectoryServerPrincipal'));
  assert.doesNotMatch(
    codeOf(python),
    /environ[^\n]*AZURE_SQL_AUTHENTICATION/,
    'the misspelled value is never spliced in',
  );
  assert.match(codeOf(python), /Authentication=ActiveDirectoryServicePrincipal;/);
});

test('production code names its credential: never DefaultAzureCredential', () => {
  for (const snippet of all) assert.doesNotMatch(codeOf(snippet), /DefaultAzureCredential/, label(snippet));
});

test('TLS is never weakened, and PostgreSQL/MySQL code always asks for verified TLS', () => {
  const weak = [
    /rejectUnauthorized:\s*false/,
    /TrustServerCertificate\s*=\s*(True|yes)/i,
    /trustServerCertificate:\s*true/,
    /sslmode=(disable|allow|prefer)\b/,
    /ssl_mode:\s*:disabled/,
    /verify=False|CERT_NONE|check_hostname\s*=\s*False/,
    /InsecureSkipVerify/,
  ];
  const verified =
    /rejectUnauthorized: true|verify-full|VerifyFull|VERIFY_IDENTITY|verify_identity|ssl\.create_default_context\(\)|MYSQLI_OPT_SSL_VERIFY_SERVER_CERT|TLSConfig = "true"/;
  for (const snippet of all) {
    const text = codeOf(snippet);
    for (const pattern of weak) assert.doesNotMatch(text, pattern, label(snippet));
    if (snippet.database !== 'sql' && !['none', 'springBoot'].includes(snippet.clientType)) {
      assert.match(text, verified, label(snippet));
    }
    // Spring Boot has no code: its URL setting is what asks for verified TLS.
    if (snippet.database !== 'sql' && snippet.clientType === 'springBoot') {
      const url = snippet.settings.find((setting) => setting.name === 'spring.datasource.url');
      assert.match(
        url && 'value' in url ? url.value : '',
        /sslmode=verify-full&sslfactory=org\.postgresql\.ssl\.DefaultJavaSSLFactory$|sslMode=VERIFY_IDENTITY$/,
        label(snippet),
      );
    }
  }
});

test('a user-assigned identity is always named by its client id in the code (or in the setting the driver reads)', () => {
  for (const snippet of all.filter(
    (s) => s.auth === 'user' && s.files.length > 0 && s.support !== 'unsupported',
  )) {
    const text = codeOf(snippet);
    const inCode = /CLIENTID|client_id|clientId|_USER'\]|_USER"\]|"USER": os\.environ/.test(text);
    const inSetting = snippet.settings.some(
      (s) => 'value' in s && /msiClientId=|User ID=<client-id>|client-id$/.test(`${s.value}${s.name}`),
    );
    assert.ok(inCode || inSetting, label(snippet));
  }
});

test('secrets are named, never valued: every secret setting has a secretRef, and code reads it from the setting', () => {
  for (const snippet of all) {
    for (const setting of snippet.settings) {
      if (/SECRET$|PASSWORD$|client-secret$|datasource\.password$/i.test(setting.name)) {
        assert.ok('secretRef' in setting && !('value' in setting), `${label(snippet)}: ${setting.name}`);
      } else if ('secretRef' in setting) {
        // Only a service principal's Azure SQL connection string, which Service Connector writes
        // with the secret inside.
        assert.equal(snippet.auth, 'sp', label(snippet));
        assert.match(setting.secretRef, /holds the service principal secret/, label(snippet));
      }
    }
    if (
      snippet.auth === 'sp' &&
      snippet.files.length > 0 &&
      snippet.support !== 'unsupported' &&
      snippet.clientType !== 'springBoot'
    ) {
      const secretNames = snippet.settings.filter((s) => 'secretRef' in s).map((s) => s.name);
      const text = codeOf(snippet);
      assert.ok(
        secretNames.some((name) => text.includes(name)),
        `${label(snippet)} reads ${secretNames}`,
      );
    }
  }
});

test('npm versions are the ones this repository installs (and runs the Node.js snippets with)', () => {
  const installed = (name: string) =>
    JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8'))
      .version;
  for (const snippet of all) {
    for (const dependency of snippet.dependencies.filter((d) => d.manifest === 'package.json')) {
      assert.equal(dependency.version, installed(dependency.name), dependency.name);
    }
  }
});

test('the token audience follows the cloud', () => {
  const china = generateSnippet({
    database: 'postgres',
    clientType: 'nodejs',
    auth: 'system',
    ossrdbmsResource: 'https://ossrdbms-aad.database.chinacloudapi.cn/',
  });
  assert.match(codeOf(china), /'https:\/\/ossrdbms-aad\.database\.chinacloudapi\.cn\/\.default'/);
  assert.doesNotMatch(codeOf(china), /database\.windows\.net/);
});

test('MySQL: a user in the single-server form user@server loses the suffix (only when it names this server)', () => {
  const server = 'mysql-orders.mysql.database.azure.com';
  const stripped = generateSnippet({
    database: 'mysql',
    clientType: 'nodejs',
    auth: 'system',
    server,
    user: 'aad_orders@mysql-orders',
  });
  assert.ok(
    stripped.settings.some((s) => s.name === 'AZURE_MYSQL_USER' && 'value' in s && s.value === 'aad_orders'),
  );
  assert.match(stripped.notes.at(-1)!, /single-server form; flexible server takes the bare name aad_orders/);
  const upn = generateSnippet({
    database: 'mysql',
    clientType: 'nodejs',
    auth: 'system',
    server,
    user: 'dana@contoso.com',
  });
  assert.ok(
    upn.settings.some((s) => s.name === 'AZURE_MYSQL_USER' && 'value' in s && s.value === 'dana@contoso.com'),
  );
  const postgres = generateSnippet({
    database: 'postgres',
    clientType: 'nodejs',
    auth: 'system',
    server: 'pg.postgres.database.azure.com',
    user: 'a@pg',
  });
  assert.ok(
    postgres.settings.some((s) => s.name === 'AZURE_POSTGRESQL_USER' && 'value' in s && s.value === 'a@pg'),
  );
});
