/**
 * Each defect of the official Service Connector samples (the connection-code reference lists
 * fifteen) has a test here that the generated code for that combination does not have it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { ClientType, SnippetAuth } from '../../source/snippets/types.ts';

function code(database: DatabaseKind, clientType: ClientType, auth: SnippetAuth): string {
  return generateSnippet({ database, clientType, auth })
    .files.map((file) => file.content)
    .join('\n');
}

const AUTHS = ['system', 'user', 'sp'] as const;

test('1 · .NET PostgreSQL and MySQL: no object-initializer line ending in ";", and the client id is passed', () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const auth of AUTHS) {
      const text = code(database, 'dotnet', auth);
      assert.doesNotMatch(text, /ManagedIdentityClientId\s*=[^\n]*;/);
      assert.equal((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length, 'braces balance');
    }
    const prefix = database === 'postgres' ? 'AZURE_POSTGRESQL' : 'AZURE_MYSQL';
    assert.match(
      code(database, 'dotnet', 'user'),
      new RegExp(`new ManagedIdentityCredential\\(Setting\\("${prefix}_CLIENTID"\\)\\)`),
    );
  }
});

test('2 · Java PostgreSQL: the plugin class is spelled com.azure (lower case), as the jar has it', () => {
  for (const auth of AUTHS) {
    const text = code('postgres', 'java', auth);
    assert.match(
      text,
      /"com\.azure\.identity\.extensions\.jdbc\.postgresql\.AzurePostgresqlAuthenticationPlugin"/,
    );
    assert.doesNotMatch(text, /com\.Azure/);
  }
});

test('3 · Java PostgreSQL: the user-assigned identity and the service principal are passed to the plugin', () => {
  const user = code('postgres', 'java', 'user');
  assert.match(user, /setProperty\("azure\.clientId", setting\("AZURE_POSTGRESQL_CLIENTID"\)\)/);
  assert.match(user, /setProperty\("azure\.managedIdentityEnabled", "true"\)/);
  const sp = code('postgres', 'java', 'sp');
  for (const [property, setting] of [
    ['azure.clientId', 'CLIENTID'],
    ['azure.clientSecret', 'CLIENTSECRET'],
    ['azure.tenantId', 'TENANTID'],
  ]) {
    assert.match(
      sp,
      new RegExp(`setProperty\\("${property}", setting\\("AZURE_POSTGRESQL_${setting}"\\)\\)`),
    );
  }
});

test('4 · Python and Django PostgreSQL: os and the credential class are imported; one credential name throughout', () => {
  for (const clientType of ['python', 'django'] as const) {
    for (const auth of AUTHS) {
      const text = code('postgres', clientType, auth);
      assert.match(text, /^import os$/m);
      const credentialClass = auth === 'sp' ? 'ClientSecretCredential' : 'ManagedIdentityCredential';
      assert.match(text, new RegExp(`^from azure\\.identity import ${credentialClass}$`, 'm'));
      assert.doesNotMatch(text, /\bcred\./);
      assert.match(text, /^credential = /m);
    }
  }
});

test('5 · Go PostgreSQL and MySQL: slice literal, azidentity.ClientID, and every import used', () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const auth of AUTHS) {
      const text = code(database, 'go', auth);
      assert.doesNotMatch(text, /\[\]string\("/);
      assert.match(text, /\[\]string\{"https:\/\/ossrdbms-aad\.database\.windows\.net\/\.default"\}/);
      assert.doesNotMatch(text, /ManagedIdentityCredentialOptions\.ID\s*:=/);
      assert.doesNotMatch(text, /\bcancel\b/);
      const imports = [...(text.match(/import \(([\s\S]*?)\)/)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map(
        (m) => m[1]!,
      );
      for (const path of imports) {
        const name = path === 'github.com/jackc/pgx/v5' ? 'pgx' : path.split('/').pop()!;
        assert.match(text.replace(/import \([\s\S]*?\)/, ''), new RegExp(`\\b${name}\\.`), `${path} is used`);
      }
      for (const used of new Set(
        [...text.matchAll(/\b(time|context|os|sql|fmt)\.[A-Z]/g)].map((m) => m[1]!),
      )) {
        assert.ok(
          imports.some((path) => path.split('/').pop() === used),
          `${used} is imported`,
        );
      }
    }
    assert.match(
      code(database, 'go', 'user'),
      /ID: azidentity\.ClientID\(os\.Getenv\("AZURE_(POSTGRESQL|MYSQL)_CLIENTID"\)\)/,
    );
  }
});

test('6 · Go MySQL: the token goes into Passwd of a parsed DSN, with cleartext allowed', () => {
  for (const auth of AUTHS) {
    const text = code('mysql', 'go', auth);
    assert.doesNotMatch(text, /;Password=/i);
    assert.match(text, /mysql\.ParseDSN\(/);
    assert.match(text, /AllowCleartextPasswords = true/);
    assert.match(text, /c\.Passwd = token\.Token/);
  }
});

test('7 · Node.js PostgreSQL: one token name, and no await outside an async function (valid CommonJS)', () => {
  for (const auth of AUTHS) {
    const text = code('postgres', 'nodejs', auth);
    assert.doesNotMatch(text, /accesstoken/);
    // A classic script rejects top-level await, as CommonJS does.
    assert.doesNotThrow(() => new vm.Script(text));
    assert.match(text, /password: async \(\) => \(await credential\.getToken\(SCOPE\)\)\.token/);
  }
});

test('8 · Node.js MySQL: ssl is an object, cleartext is enabled, the port is a number', () => {
  for (const auth of AUTHS) {
    const text = code('mysql', 'nodejs', auth);
    assert.doesNotMatch(text, /ssl:\s*process\.env/);
    assert.match(text, /ssl: \{ rejectUnauthorized: true \}/);
    assert.match(text, /enableCleartextPlugin: true/);
    assert.match(text, /port: Number\(process\.env\.AZURE_MYSQL_PORT \|\| 3306\)/);
  }
});

test('9 · PHP PostgreSQL: the token is appended to the connection string', () => {
  for (const auth of AUTHS) {
    const text = code('postgres', 'php', auth);
    assert.doesNotMatch(text, /sprintf/);
    assert.match(text, /\. " password='" \. addcslashes\(\$token, /);
    assert.match(text, /pg_connect\(\$conninfo/);
  }
});

test('10 · Ruby PostgreSQL: ENV is read with quoted names, Net::HTTP classes are spelled right', () => {
  for (const auth of AUTHS) {
    const text = code('postgres', 'ruby', auth);
    assert.doesNotMatch(text, /ENV\[[A-Z_]+\]/);
    assert.doesNotMatch(text, /Net::HTTP::POST/);
    assert.equal(
      (text.match(/^\s*def /gm) ?? []).length,
      (text.match(/^end$/gm) ?? []).length,
      'every def has an end',
    );
  }
});

test('11 · Java MySQL: settings are read with double-quoted strings', () => {
  for (const auth of AUTHS) {
    const text = code('mysql', 'java', auth);
    assert.doesNotMatch(text, /getenv\('/);
    assert.match(text, /System\.getenv\(name\)/);
  }
  assert.match(code('mysql', 'java', 'user'), /setting\("AZURE_MYSQL_CLIENTID"\)/);
});

test('12 · Node.js Azure SQL: a tedious authentication type that exists, with the identity inside it', () => {
  for (const auth of AUTHS) {
    const text = code('sql', 'nodejs', auth);
    assert.doesNotMatch(text, /authenticationType/);
    assert.match(text, /authentication: \{ type: 'token-credential', options: \{ credential \} \}/);
    assert.doesNotMatch(text, /options: \{[^}]*clientId/);
  }
  assert.match(
    code('sql', 'nodejs', 'user'),
    /new ManagedIdentityCredential\(\{ clientId: setting\('AZURE_SQL_CLIENTID'\) \}\)/,
  );
  assert.match(code('sql', 'nodejs', 'sp'), /new ClientSecretCredential\(/);
});

test('13 · Java Azure SQL: SQLException is imported', () => {
  for (const auth of AUTHS) assert.match(code('sql', 'java', auth), /^import java\.sql\.SQLException;$/m);
});

test('14 · Django PostgreSQL and MySQL: the token is fetched per connection, not once when settings load', () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const auth of AUTHS) {
      const snippet = generateSnippet({ database, clientType: 'django', auth });
      const settings = snippet.files.find((file) => file.path === 'settings_database.py')!;
      assert.doesNotMatch(settings.content, /get_token|PASSWORD/);
      const backend = snippet.files.find((file) => file.path.endsWith('/base.py'))!;
      assert.match(
        backend.content,
        /def get_connection_params\(self\):\n[^\n]*\n\s+params\["password"\] = credential\.get_token\(SCOPE\)\.token/,
      );
    }
  }
});

test('15 · PostgreSQL and MySQL: the token scope is the ossrdbms audience, never a server name', () => {
  for (const database of ['postgres', 'mysql'] as const) {
    for (const clientType of ['nodejs', 'python', 'django', 'dotnet', 'go', 'php', 'ruby'] as const) {
      const text = code(database, clientType, 'system');
      assert.doesNotMatch(text, /server-name\.database\.windows\.net/);
      assert.match(text, /https:\/\/ossrdbms-aad\.database\.windows\.net/);
    }
  }
});
