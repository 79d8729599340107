/**
 * The generated Node.js code (pg, mysql2, @azure/identity from this repository's node_modules), run
 * as a separate process against the twin's real PostgreSQL and its Azure MySQL front (MariaDB),
 * signing in with tokens from the managed-identity endpoint exactly as on App Service.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { startTwin, type Twin } from '../azure-twin/index.ts';
import { type AppIdentities, appIdentities, assertExecuted, executeSnippet } from './harness.ts';
import { NODE_RUNNERS } from './node-runners.ts';

let twin: Twin;
let identities: AppIdentities;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  identities = appIdentities(twin);
});

after(async () => {
  await twin?.close();
});

for (const database of ['postgres', 'mysql'] as const) {
  for (const auth of ['system', 'user'] as const) {
    test(`nodejs · ${database} · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
      const run = await executeSnippet({
        twin,
        identities,
        database,
        clientType: 'nodejs',
        auth,
        runner: { path: 'run.js', language: 'javascript', content: NODE_RUNNERS[database] },
        command: ['node', 'run.js'],
        lifetimeSeconds: 2,
        waitMs: 3500,
      });
      assertExecuted(run, database);
      if (database === 'mysql') {
        // The control: the first token, reused now, is refused, so a static token would have failed.
        await assert.rejects(
          mysql.createConnection({
            ...twin.databaseEndpoints.mysql!,
            user: run.user,
            password: run.issued[0]!,
            database: 'orders',
            ssl: { ca: twin.caPem },
            enableCleartextPlugin: true,
          }),
          /Access denied/,
        );
      }
    });
  }
}
