import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AadStatementContext, rewriteAadStatements, splitStatements } from './mysql-aad-statements.ts';
import { directory, ordersIdentity } from './testing/world.ts';

function context(validateOids = true): AadStatementContext {
  return {
    validateOids,
    principal: directory([ordersIdentity]),
    passwordHashFor: (user, id) => `*HASH(${user}|${id})`,
  };
}

test('ordinary SQL is left alone, even when it mentions AADUSER inside a string', () => {
  assert.equal(rewriteAadStatements('SELECT 1', context()), undefined);
  assert.equal(rewriteAadStatements("SELECT 'CREATE AADUSER x'", context()), undefined);
});

test('the validation switch becomes a no-op and is remembered for the session', () => {
  const ctx = context();
  assert.equal(rewriteAadStatements('SET aad_auth_validate_oids_in_tenant = OFF;', ctx), 'DO 0;');
  assert.equal(ctx.validateOids, false);
  assert.equal(rewriteAadStatements('set @@session.aad_auth_validate_oids_in_tenant=ON', ctx), 'DO 0');
  assert.equal(ctx.validateOids, true);
});

test('CREATE AADUSER ... IDENTIFIED BY becomes CREATE USER with the internal password for (user, id)', () => {
  assert.equal(
    rewriteAadStatements(
      `CREATE AADUSER 'aad_orders' IDENTIFIED BY '${ordersIdentity.appId}';`,
      context(false),
    ),
    `CREATE USER 'aad_orders'@'%' IDENTIFIED BY PASSWORD '*HASH(aad_orders|${ordersIdentity.appId})';`,
  );
});

test('an unknown id fails only while validation is on', () => {
  const unknown = "CREATE AADUSER 'x' IDENTIFIED BY '99999999-9999-4999-8999-999999999999'";
  assert.match(
    rewriteAadStatements(unknown, context(true))!,
    /^SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1396/,
  );
  assert.match(rewriteAadStatements(unknown, context(false))!, /^CREATE USER 'x'@'%'/);
});

test('the name form resolves the principal, and AS names the login', () => {
  assert.equal(
    rewriteAadStatements(`CREATE AADUSER '${ordersIdentity.objectId}' AS 'orders'`, context()),
    `CREATE USER 'orders'@'%' IDENTIFIED BY PASSWORD '*HASH(orders|${ordersIdentity.appId})'`,
  );
});

test('statements split on semicolons outside quotes and comments only', () => {
  assert.deepEqual(splitStatements('SELECT \';\' ; SELECT "a;b" /* ; */; -- ;\nSELECT `c;`'), [
    "SELECT ';' ",
    ' SELECT "a;b" /* ; */',
    ' -- ;\nSELECT `c;`',
  ]);
  assert.deepEqual(splitStatements("SELECT 'it\\'s;'; DO 1"), ["SELECT 'it\\'s;'", ' DO 1']);
});

test('names quoted with escapes (as mysql2 quotes them) are read back exactly', () => {
  const name = 'o\'; DROP USER root; -- \\`é"';
  const quoted = `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"')}'`;
  const rewritten = rewriteAadStatements(
    `CREATE AADUSER ${quoted} IDENTIFIED BY '${ordersIdentity.appId}'`,
    context(false),
  );
  assert.equal(
    rewritten,
    `CREATE USER 'o''; DROP USER root; -- \\\\\`é"'@'%' IDENTIFIED BY PASSWORD '*HASH(${name}|${ordersIdentity.appId})'`,
  );
  assert.equal(
    rewriteAadStatements(`CREATE AADUSER 'it''s' IDENTIFIED BY '${ordersIdentity.appId}'`, context(false)),
    `CREATE USER 'it''s'@'%' IDENTIFIED BY PASSWORD '*HASH(it's|${ordersIdentity.appId})'`,
  );
});
