/**
 * What the executed service-principal snippet tests share: a service principal with a client secret
 * in the twin's Entra, its database users (created once, as the setup creates them), and running the
 * generated code as its own process with the app settings, the secret and AZURE_AUTHORITY_HOST.
 *
 * Test-only preloads, each explained in its file: `private-cloud-authority.cjs` (Node) and
 * `python-private-cloud/sitecustomize.py` (Python) turn off MSAL's instance discovery, since the twin
 * is an authority Microsoft does not know; `resolve-one-host.cjs` resolves the SQL server's
 * Azure-style name to the stand-in's address.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { generateSnippet } from '../../source/snippets/index.ts';
import type { SnippetFile } from '../../source/snippets/types.ts';
import type { Principal } from '../azure-twin/api.ts';
import { IDS, OSSRDBMS_AUDIENCE, type Twin } from '../azure-twin/index.ts';
import {
  createMysqlUser,
  createPostgresUser,
  createSqlUser,
  type ProcessResult,
  runFiles,
  settingsEnv,
} from './harness.ts';

const PRIVATE_CLOUD_AUTHORITY = fileURLToPath(new URL('./private-cloud-authority.cjs', import.meta.url));
const PYTHON_PRIVATE_CLOUD = fileURLToPath(new URL('./python-private-cloud', import.meta.url));
const RESOLVE_ONE_HOST = fileURLToPath(new URL('./resolve-one-host.cjs', import.meta.url));
/** The SQL server's name as the app's settings carry it (the stand-in's certificate covers it). */
export const SQL_SERVER = 'sql-orders.database.twin.test';
/** Every JWT starts so (`{"` in base64url): no output may contain one. */
const JWT_START = 'eyJ';
const PREFIX = { postgres: 'AZURE_POSTGRESQL', mysql: 'AZURE_MYSQL', sql: 'AZURE_SQL' } as const;
const AZURE_PORT = { postgres: 5432, mysql: 3306, sql: 1433 } as const;

export type SpDatabase = 'postgres' | 'mysql' | 'sql';

export interface SpRun {
  result: ProcessResult;
  /** The user the code is configured with, and the name the server reports for it. */
  user: string;
  who: string;
}

export class ServicePrincipalApp {
  readonly principal: Principal;
  /** The client secret the twin's Entra accepts (never printed). */
  readonly secret: string;
  private readonly users = new Map<string, { user: string; who: string }>();

  constructor(
    private readonly twin: Twin,
    id: { objectId: string; appId: string; displayName: string },
  ) {
    this.principal = twin.context.addPrincipal({ ...id, tenantId: IDS.tenantId, kind: 'servicePrincipal' });
    this.secret = twin.entra.addClientSecret(id.appId);
  }

  /**
   * Generates the sp code for `database` and `clientType`, runs `runner` beside it with `command`,
   * and checks that neither the secret nor a token was printed nor the secret written into the code.
   */
  async run(options: {
    database: SpDatabase;
    clientType: 'nodejs' | 'python' | 'django' | 'php' | 'ruby';
    runner: SnippetFile;
    command: [string, ...string[]];
    clientSecret?: string;
    waitMs: number;
  }): Promise<SpRun> {
    const { twin } = this;
    const { database, clientType } = options;
    const clientSecret = options.clientSecret ?? this.secret;
    const endpoint = twin.databaseEndpoints[database]!;
    const { user, who } = await this.userFor(database, clientType);
    const snippet = generateSnippet({
      database,
      clientType,
      auth: 'sp',
      server: database === 'sql' ? SQL_SERVER : endpoint.host,
      databaseName: 'orders',
      user,
      clientId: this.principal.appId!,
      tenantId: IDS.tenantId,
      ossrdbmsResource: OSSRDBMS_AUDIENCE,
    });
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(settingsEnv(snippet))) {
      env[name] = value.replace(`port=${AZURE_PORT[database]}`, `port=${endpoint.port}`);
    }
    const [program, ...args] = options.command;
    const preloads =
      program === 'node'
        ? [
            '--require',
            PRIVATE_CLOUD_AUTHORITY,
            ...(database === 'sql' ? ['--require', RESOLVE_ONE_HOST] : []),
          ]
        : [];
    const result = await runFiles([...snippet.files, options.runner], [program, ...preloads, ...args], {
      ...env,
      // The secret comes from the app settings (or Key Vault), never from the generated code.
      [`${PREFIX[database]}_CLIENTSECRET`]: clientSecret,
      [`${PREFIX[database]}_PORT`]: String(endpoint.port),
      ...(database === 'sql' ? { SNIPPET_TEST_RESOLVE: `${SQL_SERVER}=${endpoint.host}` } : {}),
      // The SDKs read the authority host themselves, as for a sovereign cloud.
      AZURE_AUTHORITY_HOST: twin.entra.authorityHost,
      PYTHONPATH: PYTHON_PRIVATE_CLOUD,
      // No __pycache__ beside the preload in the repository.
      PYTHONDONTWRITEBYTECODE: '1',
      NODE_EXTRA_CA_CERTS: twin.caBundlePath,
      REQUESTS_CA_BUNDLE: twin.caBundlePath,
      SSL_CERT_FILE: twin.caBundlePath,
      PGSSLROOTCERT: twin.caPath,
      WAIT_MS: String(options.waitMs),
    });
    const output = result.stdout + result.stderr;
    assert.ok(!output.includes(clientSecret), 'the client secret was printed');
    assert.ok(!output.includes(JWT_START), 'a token was printed');
    for (const file of snippet.files) assert.ok(!file.content.includes(clientSecret));
    return { result, user, who };
  }

  /** A 2-second-or-so token from the twin's Entra endpoint, asked for the way MSAL asks. */
  async token(scope: string): Promise<string> {
    const response = await fetch(`${this.twin.entra.authorityHost}/${IDS.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.principal.appId!,
        client_secret: this.secret,
        scope,
      }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** The principal's database user for one database and runtime, created the first time. */
  private async userFor(database: SpDatabase, clientType: string): Promise<{ user: string; who: string }> {
    const key = `${database}/${clientType}`;
    const known = this.users.get(key);
    if (known) return known;
    let names: { user: string; who: string };
    if (database === 'sql') {
      // A contained user is named by the principal's display name, one per database.
      const existing = [...this.users.entries()].find(([k]) => k.startsWith('sql/'));
      if (!existing) await createSqlUser(this.twin, this.principal.displayName);
      names = { user: this.principal.displayName, who: this.principal.displayName };
    } else {
      const user = `aad_snip_sp_${clientType}`;
      if (database === 'postgres') await createPostgresUser(this.twin, user, this.principal);
      else await createMysqlUser(this.twin, user, this.principal);
      names = { user, who: database === 'mysql' ? `${user}@%` : user };
    }
    this.users.set(key, names);
    return names;
  }
}
