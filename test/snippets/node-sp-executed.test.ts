/**
 * The generated Node.js code for a service principal (`ClientSecretCredential` with the tenant,
 * client id and client secret from the app settings), run as a separate process against the twin's
 * PostgreSQL, MySQL front and Azure SQL stand-in. The credential gets its tokens from the twin's
 * Entra token endpoint through AZURE_AUTHORITY_HOST, which the SDK reads itself (as for a sovereign
 * cloud), so the generated file names no authority.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { OSSRDBMS_AUDIENCE, SQL_AUDIENCE, startTwin, type Twin } from '../azure-twin/index.ts';
import { sqlLogin } from '../azure-twin/testing/tedious-client.ts';
import { NODE_RUNNERS } from './node-runners.ts';
import { ServicePrincipalApp, type SpDatabase, SQL_SERVER } from './service-principal.ts';

let twin: Twin;
let app: ServicePrincipalApp;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  app = new ServicePrincipalApp(twin, {
    objectId: '7c0e4b1a-2d3f-4a5b-9c6d-5e0000000b01',
    appId: '1b2c3d4e-5f60-4718-a9b0-5e0000000b02',
    displayName: 'orders-ci',
  });
});

after(async () => {
  await twin?.close();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runNode(database: SpDatabase, waitMs: number, clientSecret?: string) {
  return app.run({
    database,
    clientType: 'nodejs',
    runner: { path: 'run.js', language: 'javascript', content: NODE_RUNNERS[database] },
    command: ['node', 'run.js'],
    waitMs,
    ...(clientSecret ? { clientSecret } : {}),
  });
}

test("nodejs · postgres · sp: signs in with the client secret as the service principal's role", async () => {
  // The twin's PostgreSQL accepts only its one deterministic token per principal, so the expiry
  // half runs where the server checks exp itself: the MySQL front and the SQL stand-in (below).
  const { result, who } = await runNode('postgres', 0);
  assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
  assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
});

test("nodejs · mysql · sp: signs in as the service principal's user, and again after the token expired", async () => {
  twin.entra.setTokenLifetime(2);
  try {
    const { result, who, user } = await runNode('mysql', 3500);
    assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
    assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
    // The control: a token from the same endpoint, once expired, is refused, so the second
    // connection above signed in with a new one.
    const stale = await app.token(`${OSSRDBMS_AUDIENCE}/.default`);
    await wait(3000);
    await assert.rejects(
      mysql.createConnection({
        ...twin.databaseEndpoints.mysql!,
        user,
        password: stale,
        database: 'orders',
        ssl: { ca: twin.caPem },
        enableCleartextPlugin: true,
      }),
      /Access denied/,
    );
  } finally {
    twin.entra.setTokenLifetime(undefined);
  }
});

test("nodejs · sql · sp: signs in as the service principal's contained user, and again after the token expired", async () => {
  twin.entra.setTokenLifetime(2);
  try {
    const { result, who } = await runNode('sql', 3500);
    assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
    assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
    const stale = await app.token(`${SQL_AUDIENCE}.default`);
    await wait(3000);
    const login = await sqlLogin(twin, stale, { server: SQL_SERVER });
    if (login.ok) login.close();
    assert.equal(login.ok, false, 'an expired service-principal token was accepted');
  } finally {
    twin.entra.setTokenLifetime(undefined);
  }
});

test('nodejs · sp: a wrong client secret fails with AADSTS7000215 and neither secret is printed', async () => {
  const wrong = `${app.secret.slice(0, -4)}wxyz`;
  const { result } = await runNode('mysql', 0, wrong);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /AADSTS7000215/);
  assert.ok(!(result.stdout + result.stderr).includes(app.secret));
});
