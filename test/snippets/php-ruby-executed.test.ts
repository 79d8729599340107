/**
 * The generated PHP (pgsql, mysqli) and Ruby (pg, mysql2 gems) code, run by Debian's php and ruby
 * as separate processes against the twin's real PostgreSQL and its Azure MySQL front. Their token
 * comes from the managed-identity endpoint by plain HTTP, as the code does on App Service; for a
 * service principal, from the twin's Entra token endpoint named by AZURE_AUTHORITY_HOST.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { type AppIdentities, appIdentities, assertExecuted, executeSnippet } from './harness.ts';
import { ServicePrincipalApp } from './service-principal.ts';

let twin: Twin;
let identities: AppIdentities;
let spApp: ServicePrincipalApp;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  identities = appIdentities(twin);
  spApp = new ServicePrincipalApp(twin, {
    objectId: '7c0e4b1a-2d3f-4a5b-9c6d-5e0000000d01',
    appId: '1b2c3d4e-5f60-4718-a9b0-5e0000000d02',
    displayName: 'orders-ci-scripts',
  });
});

after(async () => {
  await twin?.close();
});

const PHP_WHO = {
  postgres: "function who($c) { return pg_fetch_result(pg_query($c, 'SELECT CURRENT_USER'), 0, 0); }",
  mysql: "function who($c) { return $c->query('SELECT CURRENT_USER()')->fetch_row()[0]; }",
};
const phpRunner = (database: 'postgres' | 'mysql') => `<?php
require __DIR__ . '/db.php';
${PHP_WHO[database]}
$first = db_connect();
$a = who($first);
usleep((int) getenv('WAIT_MS') * 1000);
// The first connection stays open: this is a new connection, made after its token expired.
$second = db_connect();
$b = who($second);
echo json_encode(['first' => $a, 'second' => $b]), "\\n";
`;

const RUBY_WHO = {
  postgres: 'def who(c) = c.exec("SELECT CURRENT_USER").getvalue(0, 0)',
  mysql: 'def who(c) = c.query("SELECT CURRENT_USER() AS who").first["who"]',
};
const rubyRunner = (database: 'postgres' | 'mysql') => `require_relative "db"
${RUBY_WHO[database]}
first = db_connect
a = who(first)
sleep(Integer(ENV.fetch("WAIT_MS")) / 1000.0)
# The first connection stays open: this is a new connection, made after its token expired.
second = db_connect
b = who(second)
puts JSON.generate({ "first" => a, "second" => b })
`;

for (const database of ['postgres', 'mysql'] as const) {
  for (const auth of ['system', 'user'] as const) {
    test(`php · ${database} · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
      const run = await executeSnippet({
        twin,
        identities,
        database,
        clientType: 'php',
        auth,
        runner: { path: 'run.php', language: 'php', content: phpRunner(database) },
        command: ['php', 'run.php'],
        lifetimeSeconds: 2,
        waitMs: 3500,
      });
      assertExecuted(run, database);
    });

    test(`ruby · ${database} · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
      const run = await executeSnippet({
        twin,
        identities,
        database,
        clientType: 'ruby',
        auth,
        runner: { path: 'run.rb', language: 'ruby', content: rubyRunner(database) },
        command: ['ruby', 'run.rb'],
        lifetimeSeconds: 2,
        waitMs: 3500,
      });
      assertExecuted(run, database);
    });
  }
}

for (const database of ['postgres', 'mysql'] as const) {
  for (const language of ['php', 'ruby'] as const) {
    test(`${language} · ${database} · sp: signs in with the client secret as the service principal's user${database === 'mysql' ? ', and again after the token expired' : ''}`, async () => {
      // The twin's PostgreSQL accepts only its one deterministic token per principal; the MySQL
      // front checks exp, so there the second connection must bring a new token.
      if (database === 'mysql') twin.entra.setTokenLifetime(2);
      try {
        const { result, who } = await spApp.run({
          database,
          clientType: language,
          runner:
            language === 'php'
              ? { path: 'run.php', language: 'php', content: phpRunner(database) }
              : { path: 'run.rb', language: 'ruby', content: rubyRunner(database) },
          command: language === 'php' ? ['php', 'run.php'] : ['ruby', 'run.rb'],
          waitMs: database === 'mysql' ? 3500 : 0,
        });
        assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
        assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
      } finally {
        twin.entra.setTokenLifetime(undefined);
      }
    });
  }
}
