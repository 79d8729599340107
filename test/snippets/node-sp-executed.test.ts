/**
 * The generated Node.js code for a service principal (`ClientSecretCredential` with the tenant,
 * client id and client secret from the app settings), run as a separate process against the twin's
 * PostgreSQL, MySQL front and Azure SQL stand-in. The credential gets its tokens from the twin's
 * Entra token endpoint: the process has AZURE_AUTHORITY_HOST set to it, which the SDK reads itself
 * (as it does for a sovereign cloud), so the generated file names no authority.
 *
 * Two test-only preloads, explained in their files: `private-cloud-authority.cjs` turns off MSAL's
 * instance discovery (the twin is an authority Microsoft does not know), and `resolve-one-host.cjs`
 * resolves the SQL server's Azure-style name to the stand-in's address.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { Principal } from '../azure-twin/api.ts';
import { IDS, OSSRDBMS_AUDIENCE, startTwin, type Twin } from '../azure-twin/index.ts';
import { sqlLogin } from '../azure-twin/testing/tedious-client.ts';
import { createMysqlUser, createPostgresUser, createSqlUser, runFiles, settingsEnv } from './harness.ts';
import { NODE_RUNNERS } from './node-runners.ts';

const PRIVATE_CLOUD_AUTHORITY = fileURLToPath(new URL('./private-cloud-authority.cjs', import.meta.url));
const RESOLVE_ONE_HOST = fileURLToPath(new URL('./resolve-one-host.cjs', import.meta.url));
const SQL_SERVER = 'sql-orders.database.twin.test';
const JWT_START = 'eyJ';

let twin: Twin;
let sp: Principal;
let secret: string;

before(async () => {
  twin = await startTwin({ scenario: 'healthy', databases: true });
  sp = twin.context.addPrincipal({
    objectId: '7c0e4b1a-2d3f-4a5b-9c6d-5e0000000b01',
    appId: '1b2c3d4e-5f60-4718-a9b0-5e0000000b02',
    tenantId: IDS.tenantId,
    kind: 'servicePrincipal',
    displayName: 'orders-ci',
  });
  secret = twin.entra.addClientSecret(sp.appId!);
});

after(async () => {
  await twin?.close();
});

type Database = 'postgres' | 'mysql' | 'sql';

const created = new Map<Database, { user: string; who: string }>();

/** The service principal's database user, created once as the setup would; the name it signs in as. */
async function userFor(database: Database): Promise<{ user: string; who: string }> {
  let names = created.get(database);
  if (!names) {
    names = await createUser(database);
    created.set(database, names);
  }
  return names;
}

async function createUser(database: Database): Promise<{ user: string; who: string }> {
  if (database === 'postgres') {
    await createPostgresUser(twin, 'aad_snip_sp', sp);
    return { user: 'aad_snip_sp', who: 'aad_snip_sp' };
  }
  if (database === 'mysql') {
    await createMysqlUser(twin, 'aad_snip_sp', sp);
    return { user: 'aad_snip_sp', who: 'aad_snip_sp@%' };
  }
  await createSqlUser(twin, sp.displayName);
  return { user: sp.displayName, who: sp.displayName };
}

async function runSpSnippet(database: Database, clientSecret: string, waitMs: number) {
  const endpoint = twin.databaseEndpoints[database]!;
  const { user, who } = await userFor(database);
  const snippet = generateSnippet({
    database,
    clientType: 'nodejs',
    auth: 'sp',
    server: database === 'sql' ? SQL_SERVER : endpoint.host,
    databaseName: 'orders',
    user,
    clientId: sp.appId!,
    tenantId: IDS.tenantId,
    ossrdbmsResource: OSSRDBMS_AUDIENCE,
  });
  const prefix = { postgres: 'AZURE_POSTGRESQL', mysql: 'AZURE_MYSQL', sql: 'AZURE_SQL' }[database];
  const result = await runFiles(
    [...snippet.files, { path: 'run.js', language: 'javascript', content: NODE_RUNNERS[database] }],
    [
      'node',
      '--require',
      PRIVATE_CLOUD_AUTHORITY,
      ...(database === 'sql' ? ['--require', RESOLVE_ONE_HOST] : []),
      'run.js',
    ],
    {
      ...settingsEnv(snippet),
      // The secret comes from the app settings (or Key Vault), never from the generated code.
      [`${prefix}_CLIENTSECRET`]: clientSecret,
      [`${prefix}_PORT`]: String(endpoint.port),
      ...(database === 'sql' ? { SNIPPET_TEST_RESOLVE: `${SQL_SERVER}=${endpoint.host}` } : {}),
      AZURE_AUTHORITY_HOST: twin.entra.authorityHost,
      NODE_EXTRA_CA_CERTS: twin.caBundlePath,
      WAIT_MS: String(waitMs),
    },
  );
  const output = result.stdout + result.stderr;
  assert.ok(!output.includes(clientSecret), 'the client secret was printed');
  assert.ok(!output.includes(JWT_START), 'a token was printed');
  for (const file of snippet.files) assert.ok(!file.content.includes(clientSecret));
  return { result, user, who };
}

for (const database of ['postgres', 'mysql', 'sql'] as const) {
  test(`nodejs · ${database} · sp: signs in with the client secret as the service principal's user${database === 'postgres' ? '' : ', and again after the token expired'}`, async () => {
    // The twin's PostgreSQL accepts only its one deterministic token per principal, so the
    // expiry half runs where the server checks exp itself: the MySQL front and the SQL stand-in.
    const expiring = database !== 'postgres';
    if (expiring) twin.entra.setTokenLifetime(2);
    try {
      const { result, who, user } = await runSpSnippet(database, secret, expiring ? 3500 : 0);
      assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
      assert.deepEqual(JSON.parse(result.stdout.trim()), { first: who, second: who });
      if (database === 'mysql') {
        // The control: a token from the same endpoint, once expired, is refused, so the second
        // connection above must have signed in with a new one.
        const stale = await fetchShortLived(`${OSSRDBMS_AUDIENCE}/.default`);
        await new Promise((resolve) => setTimeout(resolve, 3000));
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
      }
      if (database === 'sql') {
        const stale = await fetchShortLived('https://database.twin.test/.default');
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const login = await sqlLogin(twin, stale, { server: SQL_SERVER });
        if (login.ok) login.close();
        assert.equal(login.ok, false, 'an expired service-principal token was accepted');
      }
    } finally {
      twin.entra.setTokenLifetime(undefined);
    }
  });
}

/** A 2-second token for the service principal from the twin's Entra endpoint, the way MSAL asks. */
async function fetchShortLived(scope: string): Promise<string> {
  const response = await fetch(`${twin.entra.authorityHost}/${IDS.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sp.appId!,
      client_secret: secret,
      scope,
    }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

test('nodejs · sp: a wrong client secret fails with AADSTS7000215 and neither secret is printed', async () => {
  const wrong = `${secret.slice(0, -4)}wxyz`;
  const { result } = await runSpSnippet('mysql', wrong, 0);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /AADSTS7000215/);
  assert.ok(!(result.stdout + result.stderr).includes(secret));
});
