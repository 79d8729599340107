import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoSecrets, redactSecrets, SecretInJournalError } from '../../source/engine/secret-scrubber.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJl';

const refused: [string, unknown, string][] = [
  ['a JWT anywhere in a string', { note: `got ${JWT}` }, 'journal.note'],
  ['a JWT in an array', { lines: ['ok', JWT] }, 'journal.lines[1]'],
  ['a connection string password', { value: 'Server=x;Password=hunter2;' }, 'journal.value'],
  ['pwd= in a connection string', { value: 'Uid=a;Pwd=hunter2' }, 'journal.value'],
  ['a bearer header', { header: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz' }, 'journal.header'],
  ['a key named password', { adminPassword: 'x' }, 'journal.adminPassword'],
  [
    'a key named client secret',
    { settings: { AZURE_POSTGRESQL_CLIENTSECRET: 'x' } },
    'journal.settings.AZURE_POSTGRESQL_CLIENTSECRET',
  ],
  ['a key named token', { accessToken: 'x' }, 'journal.accessToken'],
  ['a key named secret', { secret: { value: 1 } }, 'journal.secret'],
];

for (const [name, value, where] of refused) {
  test(`the scrubber refuses ${name}, naming where but not the value`, () => {
    assert.throws(
      () => assertNoSecrets(value),
      (error: unknown) =>
        error instanceof SecretInJournalError && error.path === where && !error.message.includes('hunter2'),
    );
  });
}

test('the scrubber lets through what only looks near a secret', () => {
  assertNoSecrets({
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled', tenantId: 't' },
    message: 'password authentication failed for user "aad_orders"',
    tokenEndpoint: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
    clientSecret: '',
    password: null,
    lines: ['Add dana@contoso.com as an Entra admin of pg-orders'],
  });
});

test('redaction leaves text that passes the scrubber', () => {
  const text = `Server=x;Password=hunter2;User Id=a Authorization: Bearer abcdefghijklmnopqrstuvwxyz ${JWT}`;
  const redacted = redactSecrets(text);
  assert.ok(
    !redacted.includes('hunter2') && !redacted.includes(JWT) && !redacted.includes('abcdefghijklmnop'),
  );
  assert.match(redacted, /Password=\[redacted\];User Id=a/);
  assertNoSecrets({ message: redacted });
});
