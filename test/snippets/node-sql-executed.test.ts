/**
 * The generated Node.js code for Azure SQL (tedious with an `@azure/identity` credential), run as a
 * separate process against the twin's TDS stand-in, signing in with tokens from the managed-identity
 * endpoint exactly as on App Service.
 *
 * How the process reaches the stand-in: the generated code reads AZURE_SQL_SERVER and AZURE_SQL_PORT,
 * so the server stays the Azure-style name (`sql-orders.database.twin.test`, which the stand-in's
 * certificate covers and LOGIN7 names) and the port is the stand-in's. The name itself must resolve
 * to 127.0.0.1: the test preloads `resolve-one-host.cjs`, which answers `dns.lookup` for that one name
 * the way a hosts file line would. The generated file is unchanged: TLS verified, no
 * trustServerCertificate, no connector.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateSnippet } from '../../source/snippets/index.ts';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { sqlLogin } from '../azure-twin/testing/tedious-client.ts';
import { type AppIdentities, appIdentities, createSqlUser, runFiles, settingsEnv } from './harness.ts';
import { NODE_RUNNERS } from './node-runners.ts';
import { startShortLivedMsi } from './short-lived-msi.ts';

const RESOLVE_ONE_HOST = fileURLToPath(new URL('./resolve-one-host.cjs', import.meta.url));
const SERVER = 'sql-orders.database.twin.test';

let twin: Twin;
let identities: AppIdentities;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: ['sql'] });
  identities = appIdentities(twin);
});

after(async () => {
  await twin?.close();
});

for (const auth of ['system', 'user'] as const) {
  test(`nodejs · sql · ${auth}: signs in as the identity's contained user, and again after the token expired`, async () => {
    const identity = identities[auth];
    const user = identity.displayName;
    await createSqlUser(twin, user);
    const endpoint = twin.databaseEndpoints.sql!;
    const snippet = generateSnippet({
      database: 'sql',
      clientType: 'nodejs',
      auth,
      server: SERVER,
      databaseName: 'orders',
      user,
      ...(auth === 'user' ? { clientId: identity.appId! } : {}),
    });
    const relay = await startShortLivedMsi({
      target: twin.msiEndpoint,
      config: twin.tokens.config,
      lifetimeSeconds: 2,
      // The stand-in checks exp, so a reused first token would be refused.
      mode: 'remint',
    });
    try {
      const result = await runFiles(
        [...snippet.files, { path: 'run.js', language: 'javascript', content: NODE_RUNNERS.sql }],
        ['node', '--require', RESOLVE_ONE_HOST, 'run.js'],
        {
          ...settingsEnv(snippet),
          AZURE_SQL_PORT: String(endpoint.port),
          SNIPPET_TEST_RESOLVE: `${SERVER}=${endpoint.host}`,
          IDENTITY_ENDPOINT: relay.endpoint,
          IDENTITY_HEADER: twin.msiFor(RESOURCE_IDS.webApp).IDENTITY_HEADER,
          NODE_EXTRA_CA_CERTS: twin.caBundlePath,
          WAIT_MS: '3500',
        },
      );
      assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
      assert.deepEqual(JSON.parse(result.stdout.trim()), { first: user, second: user });
      const issued = relay.issued;
      assert.ok(
        issued.length >= 2,
        `expected a token per sign-in; the endpoint was asked ${issued.length} time(s)`,
      );
      assert.notEqual(issued[0], issued[1]);
      for (const token of issued) {
        assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'a token was printed');
      }
      // The control: the first token, reused now, is refused, so a static token would have failed.
      const reused = await sqlLogin(twin, issued[0]!, { server: SERVER });
      if (reused.ok) reused.close();
      assert.equal(reused.ok, false, 'the expired first token was still accepted');
      if (!reused.ok)
        assert.ok(
          reused.diagnostics.some((d) => d.number === 18456),
          reused.message,
        );
    } finally {
      await relay.close();
    }
  });
}
