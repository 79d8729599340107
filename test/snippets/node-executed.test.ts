/**
 * The generated Node.js code, run as a separate process against the twin's real PostgreSQL and its
 * Azure MySQL front (MariaDB), signing in with tokens from the managed-identity endpoint exactly as
 * on App Service. Each run connects as the identity's database user, queries, waits until the
 * first token has expired and opens a second connection, which must sign in with a new token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { SnippetAuth, SnippetDatabase } from '../../source/snippets/types.ts';
import { OSSRDBMS_AUDIENCE, startTwin, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import {
  type AppIdentities,
  appIdentities,
  createMysqlUser,
  createPostgresUser,
  runFiles,
  settingsEnv,
} from './harness.ts';
import { startShortLivedMsi } from './short-lived-msi.ts';

const LIFETIME_SECONDS = 2;
const WAIT_MS = 3500;

let twin: Twin;
let identities: AppIdentities;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  identities = appIdentities(twin);
});

after(async () => {
  await twin?.close();
});

const RUNNERS: Record<'postgres' | 'mysql', string> = {
  postgres: `'use strict';
const { pool } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await pool.connect();
  const a = await first.query('SELECT current_user AS who');
  await wait(Number(process.env.WAIT_MS));
  // The first connection is still checked out, so this one is a new physical connection.
  const second = await pool.connect();
  const b = await second.query('SELECT current_user AS who');
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

async function runNodeSnippet(database: 'postgres' | 'mysql', auth: Exclude<SnippetAuth, 'sp'>) {
  const identity = identities[auth];
  const user = `aad_snippet_node_${auth}`;
  if (database === 'postgres') await createPostgresUser(twin, user, identity);
  else await createMysqlUser(twin, user, identity);
  const endpoint = twin.databaseEndpoints[database]!;
  const snippet = generateSnippet({
    database,
    clientType: 'nodejs',
    auth,
    server: endpoint.host,
    databaseName: 'orders',
    user,
    // The twin is a custom cloud (as `az cloud register` makes one) with its own token audience.
    ossrdbmsResource: OSSRDBMS_AUDIENCE,
    ...(auth === 'user' ? { clientId: identity.appId! } : {}),
  });
  const relay = await startShortLivedMsi({
    target: twin.msiEndpoint,
    config: twin.tokens.config,
    lifetimeSeconds: LIFETIME_SECONDS,
    mode: database === 'mysql' ? 'remint' : 'report',
  });
  try {
    const prefix = database === 'postgres' ? 'AZURE_POSTGRESQL' : 'AZURE_MYSQL';
    const result = await runFiles(
      [...snippet.files, { path: 'run.js', language: 'javascript', content: RUNNERS[database] }],
      ['node', 'run.js'],
      {
        ...settingsEnv(snippet),
        [`${prefix}_PORT`]: String(endpoint.port),
        IDENTITY_ENDPOINT: relay.endpoint,
        IDENTITY_HEADER: twin.msiFor(RESOURCE_IDS.webApp).IDENTITY_HEADER,
        NODE_EXTRA_CA_CERTS: twin.caBundlePath,
        WAIT_MS: String(WAIT_MS),
      },
    );
    return { result, user, issued: [...relay.issued] };
  } finally {
    await relay.close();
  }
}

function assertRun(
  run: Awaited<ReturnType<typeof runNodeSnippet>>,
  database: SnippetDatabase,
): { first: string; second: string } {
  const { result, issued } = run;
  assert.equal(result.code, 0, `the snippet failed: ${result.stderr}`);
  for (const token of issued) {
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'a token was printed');
  }
  // One token per connection: the second connection fetched its own after the first had expired.
  assert.ok(
    issued.length >= 2,
    `expected a token per connection, the endpoint was asked ${issued.length} time(s)`,
  );
  if (database === 'mysql') assert.notEqual(issued[0], issued[1]);
  return JSON.parse(result.stdout.trim()) as { first: string; second: string };
}

for (const auth of ['system', 'user'] as const) {
  test(`nodejs · postgres · ${auth}: signs in as the identity's role, and again after the token expired`, async () => {
    const run = await runNodeSnippet('postgres', auth);
    const who = assertRun(run, 'postgres');
    assert.deepEqual(who, { first: run.user, second: run.user });
  });

  test(`nodejs · mysql · ${auth}: signs in as the identity's user, and again after the token expired`, async () => {
    const run = await runNodeSnippet('mysql', auth);
    const who = assertRun(run, 'mysql');
    assert.deepEqual(who, { first: `${run.user}@%`, second: `${run.user}@%` });
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
  });
}
