/**
 * What the executed-snippet tests share: the app identities of the twin's healthy scenario, the
 * database users the setup would create for them, and running generated files as a separate process.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Snippet, SnippetFile } from '../../source/snippets/types.ts';
import type { Principal } from '../azure-twin/api.ts';
import { IDS, type Twin } from '../azure-twin/index.ts';
import { RESOURCE_IDS } from '../azure-twin/scenarios.ts';

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
