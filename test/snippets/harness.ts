/**
 * What the executed-snippet tests share: the app identities of the twin's healthy scenario, the
 * database users the setup would create for them, and running generated files as a separate process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { Snippet, SnippetFile } from '../../source/snippets/types.ts';
import type { Principal } from '../azure-twin/api.ts';
import { IDS, OSSRDBMS_AUDIENCE, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';
import { sqlLogin } from '../azure-twin/testing/tedious-client.ts';
import { startShortLivedMsi } from './short-lived-msi.ts';

const REPO_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

export interface AppIdentities {
  /** The web app orders-api's system-assigned identity. */
  system: Principal;
  /** The user-assigned identity id-orders, attached to orders-api. */
  user: Principal;
}

export function appIdentities(twin: Twin): AppIdentities {
  const byResource = (id: string) => {
    const found = twin.world.principals.find((p) => p.alternativeId?.toLowerCase() === id.toLowerCase());
    if (!found) throw new Error(`no identity for ${id} in the twin`);
    return found;
  };
  return { system: byResource(RESOURCE_IDS.webApp), user: byResource(RESOURCE_IDS.identity) };
}

const DANA_UPN = 'dana@contoso.twin.test';

/** PostgreSQL: the role for `principal`, made as the setup makes it (Dana, the Entra admin, in `postgres`; grants in `orders`). */
export async function createPostgresUser(twin: Twin, role: string, principal: Principal): Promise<void> {
  const connect = async (database: string) => {
    const client = new pg.Client({
      ...twin.databaseEndpoints.postgres!,
      user: DANA_UPN,
      password: twin.tokens.issue(IDS.dana, 'ossrdbms'),
      database,
      ssl: { ca: twin.caPem },
    });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    await admin.query("SELECT * FROM pgaadauth_create_principal_with_oid($1, $2, 'service', false, false)", [
      role,
      principal.objectId,
    ]);
  } finally {
    await admin.end();
  }
  const target = await connect('orders');
  try {
    const quoted = `"${role.replace(/"/g, '""')}"`;
    await target.query(`GRANT CONNECT ON DATABASE orders TO ${quoted}`);
    await target.query(`GRANT USAGE ON SCHEMA public TO ${quoted}`);
  } finally {
    await target.end();
  }
}

/** MySQL: the user for `principal`, made as the setup makes it (Dana, the Entra admin, through the Azure front). */
export async function createMysqlUser(twin: Twin, user: string, principal: Principal): Promise<void> {
  const admin = await mysql.createConnection({
    ...twin.databaseEndpoints.mysql!,
    user: DANA_UPN,
    password: twin.tokens.issue(IDS.dana, 'ossrdbms'),
    database: 'orders',
    ssl: { ca: twin.caPem },
    enableCleartextPlugin: true,
  });
  try {
    await admin.query('SET aad_auth_validate_oids_in_tenant = OFF;');
    await admin.query(
      `CREATE AADUSER ${admin.escape(user)} IDENTIFIED BY ${admin.escape(principal.appId ?? principal.objectId)};`,
    );
    await admin.query(`GRANT ALL PRIVILEGES ON \`orders\`.* TO ${admin.escape(user)}@'%';`);
    await admin.query('FLUSH privileges;');
  } finally {
    await admin.end();
  }
}

/**
 * Azure SQL: the contained user for `displayName`, made as the setup makes it (Dana, the server's
 * Entra admin, signs in with her SQL token; the user is resolved in Entra by its display name).
 */
export async function createSqlUser(twin: Twin, displayName: string): Promise<void> {
  const login = await sqlLogin(twin, twin.tokens.issue(IDS.dana, 'sql'));
  if (!login.ok) throw new Error(`the Entra admin could not sign in: ${login.message}`);
  try {
    const name = `[${displayName.replace(/]/g, ']]')}]`;
    await login.query(`CREATE USER ${name} FROM EXTERNAL PROVIDER`);
    await login.query(`ALTER ROLE db_datareader ADD MEMBER ${name}`);
    await login.query(`ALTER ROLE db_datawriter ADD MEMBER ${name}`);
  } finally {
    login.close();
  }
}

/** The snippet's settings as environment variables (only those with values; secrets are set by the caller). */
export function settingsEnv(snippet: Snippet): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of snippet.settings) if ('value' in setting) env[setting.name] = setting.value;
  return env;
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Writes `files` into a fresh folder (with this repository's node_modules linked in, for the Node
 * snippets) and runs `command` there with exactly `env` (nothing inherited but PATH).
 */
export async function runFiles(
  files: readonly SnippetFile[],
  command: [string, ...string[]],
  env: Record<string, string>,
): Promise<ProcessResult> {
  const dir = await mkdtemp(join(tmpdir(), 'snippet-run-'));
  try {
    await symlink(REPO_NODE_MODULES, join(dir, 'node_modules'), 'dir');
    for (const file of files) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content);
    }
    const [program, ...args] = command;
    return await new Promise<ProcessResult>((resolve) => {
      execFile(
        program,
        args,
        { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ExecutedRun {
  result: ProcessResult;
  /** The database user the identity signed in as. */
  user: string;
  /** Tokens the managed-identity endpoint handed out, in order. */
  issued: string[];
  /** What the runner printed: the current user of the first and of the second connection. */
  who?: { first: string; second: string };
}

/**
 * The whole executed check for one combination: create the identity's database user, generate the
 * code for the twin's server, run it beside `runner` as its own process with the app's environment
 * (settings, IDENTITY_ENDPOINT/IDENTITY_HEADER through a short-lived-token relay, the twin's CA),
 * and return what happened. The only mapping is the port: Azure's 5432/3306 to the twin's.
 */
export async function executeSnippet(options: {
  twin: Twin;
  identities: AppIdentities;
  database: 'postgres' | 'mysql';
  clientType: 'nodejs' | 'python' | 'django' | 'php' | 'ruby';
  auth: 'system' | 'user';
  runner: SnippetFile;
  command: [string, ...string[]];
  lifetimeSeconds: number;
  waitMs: number;
}): Promise<ExecutedRun> {
  const { twin, database, clientType, auth } = options;
  const identity = options.identities[auth];
  const user = `aad_snip_${clientType}_${auth}`;
  if (database === 'postgres') await createPostgresUser(twin, user, identity);
  else await createMysqlUser(twin, user, identity);
  const endpoint = twin.databaseEndpoints[database]!;
  const snippet = generateSnippet({
    database,
    clientType,
    auth,
    server: endpoint.host,
    databaseName: 'orders',
    user,
    // The twin is a custom cloud (as `az cloud register` makes one) with its own token audience.
    ossrdbmsResource: OSSRDBMS_AUDIENCE,
    ...(auth === 'user' ? { clientId: identity.appId! } : {}),
  });
  const azurePort = database === 'postgres' ? 5432 : 3306;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(settingsEnv(snippet))) {
    env[name] = name.endsWith('_PORT')
      ? String(endpoint.port)
      : value.replace(`port=${azurePort}`, `port=${endpoint.port}`);
  }
  env[`${database === 'postgres' ? 'AZURE_POSTGRESQL' : 'AZURE_MYSQL'}_PORT`] = String(endpoint.port);
  const relay = await startShortLivedMsi({
    target: twin.msiEndpoint,
    config: twin.tokens.config,
    lifetimeSeconds: options.lifetimeSeconds,
    // The twin's PostgreSQL accepts only its deterministic token; its MySQL front checks expiry.
    mode: database === 'mysql' ? 'remint' : 'report',
  });
  try {
    const result = await runFiles([...snippet.files, options.runner], options.command, {
      ...env,
      IDENTITY_ENDPOINT: relay.endpoint,
      IDENTITY_HEADER: twin.msiFor(RESOURCE_IDS.webApp).IDENTITY_HEADER,
      // Verified TLS against the twin's CA, the way each runtime takes extra CAs.
      NODE_EXTRA_CA_CERTS: twin.caBundlePath,
      PGSSLROOTCERT: twin.caPath,
      SSL_CERT_FILE: twin.caBundlePath,
      WAIT_MS: String(options.waitMs),
    });
    let who: ExecutedRun['who'];
    try {
      who = JSON.parse(result.stdout.trim());
    } catch {
      who = undefined;
    }
    return { result, user, issued: [...relay.issued], ...(who ? { who } : {}) };
  } finally {
    await relay.close();
  }
}

/**
 * What every executed run must show: exit 0, no token printed, a token per connection (the second
 * one fetched after the first expired; a different token where the twin re-mints), and both
 * connections signed in as the identity's user.
 */
export function assertExecuted(run: ExecutedRun, database: 'postgres' | 'mysql'): void {
  const { result, issued } = run;
  assert.equal(result.code, 0, `the snippet failed: ${result.stderr}${result.stdout}`);
  for (const token of issued) {
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'a token was printed');
  }
  assert.ok(
    issued.length >= 2,
    `expected a token per connection; the endpoint was asked ${issued.length} time(s)`,
  );
  if (database === 'mysql') assert.notEqual(issued[0], issued[1]);
  const expected = database === 'postgres' ? run.user : `${run.user}@%`;
  assert.deepEqual(run.who, { first: expected, second: expected });
}
