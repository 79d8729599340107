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

let twin: Twin;
let identities: AppIdentities;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  identities = appIdentities(twin);
});

after(async () => {
  await twin?.close();
});

const RUNNERS = {
  postgres: `'use strict';
const { pool } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await pool.connect();
  const a = await first.query('SELECT CURRENT_USER AS who');
  await wait(Number(process.env.WAIT_MS));
  // The first connection is still checked out, so this one is a new physical connection.
  const second = await pool.connect();
  const b = await second.query('SELECT CURRENT_USER AS who');
  first.release();
  second.release();
  await pool.end();
  console.log(JSON.stringify({ first: a.rows[0].who, second: b.rows[0].who }));
})().catch((error) => { console.error(error.message); process.exit(1); });
`,
  mysql: `'use strict';
const { pool } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await pool.getConnection();
  const [a] = await first.query('SELECT CURRENT_USER() AS who');
  await wait(Number(process.env.WAIT_MS));
  const second = await pool.getConnection();
  const [b] = await second.query('SELECT CURRENT_USER() AS who');
  first.release();
  second.release();
  await pool.end();
  console.log(JSON.stringify({ first: a[0].who, second: b[0].who }));
})().catch((error) => { console.error(error.message); process.exit(1); });
`,
};

for (const database of ['postgres', 'mysql'] as const) {
  for (const auth of ['system', 'user'] as const) {
    test(`nodejs · ${database} · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
      const run = await executeSnippet({
        twin,
        identities,
        database,
        clientType: 'nodejs',
        auth,
        runner: { path: 'run.js', language: 'javascript', content: RUNNERS[database] },
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
