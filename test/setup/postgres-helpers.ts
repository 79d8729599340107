/**
 * The PostgreSQL setup steps against the twin and its real PostgreSQL: services as the CLI builds
 * them (the stand-in az signs Dana in), facts of the server and the app as the doctor finds them,
 * and snapshots of the twin's state and PostgreSQL's roles to compare before and after a run.
 */
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ARM_WRITE_RETRY } from '../../source/azure/arm.ts';
import { createAzureSession } from '../../source/azure/session.ts';
import { parseConnectTo } from '../../source/core/connect-to.ts';
import type { Services } from '../../source/core/services.ts';
import type { ServerFacts } from '../../source/databases/facts.ts';
import { adapterOf } from '../../source/databases/index.ts';
import type { AppFacts } from '../../source/doctor/facts.ts';
import type { EngineEvent } from '../../source/engine/events.ts';
import { Journal } from '../../source/engine/journal.ts';
import { planSteps } from '../../source/engine/plan.ts';
import { runSetup, type SetupResult } from '../../source/engine/run-setup.ts';
import { nodeExec } from '../../source/services/exec.ts';
import { type PostgresSetupInput, postgresSetupSteps } from '../../source/setup/postgres/index.ts';
import { OWNER_PASSWORD_ENV } from '../../source/setup/postgres/owner-password.ts';
import { IDS, PG_PASSWORD_ADMIN, type Twin } from '../azure-twin/index.ts';
import { NAMES, RESOURCE_IDS } from '../azure-twin/scenarios.ts';

// Retries as the SDK does, without its one-second waits.
ARM_WRITE_RETRY.retryDelayInMs = 5;
ARM_WRITE_RETRY.maxRetryDelayInMs = 20;

export const DANA = 'dana@contoso.twin.test';

/**
 * The environment that gives setup (and undo) the password of the database's owner, the server's
 * password admin: the grants only the owner can give are then given as the owner, not handed off.
 */
export const OWNER_ENV: Record<string, string> = { [OWNER_PASSWORD_ENV]: PG_PASSWORD_ADMIN.password };

export function servicesFor(twin: Twin, env: Record<string, string> = {}): Services {
  const base = { exec: nodeExec, env: { ...(twin.env() as Record<string, string>), ...env }, now: Date.now };
  const azure = createAzureSession(base, { tls: { ca: twin.caPem } });
  return { ...base, azure };
}

export function serverFacts(twin: Twin): ServerFacts {
  // Described by the product's own reader of the server resource, as the `server` check does.
  return {
    ...adapterOf('postgres').serverFacts(twin.store.get(RESOURCE_IDS.postgres)),
    database: { name: NAMES.database, exists: true },
    authConfig: null,
    serverIdentities: [],
  };
}

/** The scenario's Spring app `spring-orders/orders-spring`. */
export const SPRING_APP_ID = `${RESOURCE_IDS.resourceGroup}/providers/Microsoft.AppPlatform/Spring/${NAMES.springService}/apps/${NAMES.springApp}`;

/** The ARM id of the scenario's app of each platform. */
export function appIdOf(kind: AppFacts['kind']): string {
  if (kind === 'spring') return SPRING_APP_ID;
  return kind === 'webapp' ? RESOURCE_IDS.webApp : RESOURCE_IDS.containerApp;
}

/** Takes the Spring app's system identity away, so the `app-identity` step has something to do. */
export function springWithoutIdentity(twin: Twin): void {
  const app = twin.store.get(SPRING_APP_ID)!;
  const { identity: _identity, ...rest } = app;
  twin.store.put(rest);
}

export function appFacts(twin: Twin, kind: AppFacts['kind']): AppFacts {
  const id = appIdOf(kind);
  const resource = twin.store.get(id)!;
  return {
    kind,
    id: resource.id,
    name: resource.name,
    subscriptionId: IDS.subscriptionId,
    resourceGroup: NAMES.resourceGroup,
    location: null,
    systemIdentity: null,
    userIdentities: [],
    outboundSubnetId: null,
  };
}

/** Where the runs' hand-off scripts go: never the working directory (the clone). */
const HAND_OFF_DIR = mkdtempSync(path.join(tmpdir(), 'sc-doctor-pg-handoff-'));

export function inputFor(twin: Twin, overrides: Partial<PostgresSetupInput> = {}): PostgresSetupInput {
  const server = serverFacts(twin);
  const { postgres } = twin.databaseEndpoints;
  const mapping = parseConnectTo(`${server.fqdn}:5432=${postgres!.host}:${postgres!.port}`);
  if (!mapping.ok) throw new Error('bad mapping');
  return {
    server,
    database: NAMES.database,
    app: appFacts(twin, 'webapp'),
    auth: { kind: 'system' },
    clientType: 'nodejs',
    connectionName: 'orders_pg',
    linker: true,
    signedIn: { objectId: IDS.dana, user: DANA, type: 'user' },
    connectTo: { entries: mapping.entries, source: '--connect-to' },
    grants: 'least',
    handOffDir: HAND_OFF_DIR,
    ...overrides,
  };
}

export async function tempJournal(): Promise<Journal> {
  return new Journal({ home: await mkdtemp(path.join(tmpdir(), 'sc-doctor-pg-')) });
}

/** Plans and runs the PostgreSQL steps, saying yes to every consent. */
export async function runPostgresSetup(
  twin: Twin,
  input: PostgresSetupInput,
  options: { services?: Services; journal?: Journal; stepTimeoutMs?: number } = {},
): Promise<{ result: SetupResult; journal: Journal; events: EngineEvent[] }> {
  const services = options.services ?? servicesFor(twin);
  const journal = options.journal ?? (await tempJournal());
  try {
    const plan = await planSteps(postgresSetupSteps(input, services));
    const events: EngineEvent[] = [];
    const result = await runSetup(plan, {
      journal,
      emit: (event) => events.push(event),
      target: input.server.id,
      confirm: async () => true,
      graceMs: 2000,
      ...(options.stepTimeoutMs ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    });
    return { result, journal, events };
  } finally {
    services.azure.dispose();
  }
}

/** As Dana (an Entra admin once setup ran, or seeded as one) on the twin's PostgreSQL. */
export async function asDana<T>(
  twin: Twin,
  database: string,
  body: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    ...twin.databaseEndpoints.postgres!,
    user: DANA,
    password: twin.tokens.issue(IDS.dana, 'ossrdbms'),
    database,
    ssl: { ca: twin.caPem, servername: serverFacts(twin).fqdn },
  });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Every role of the real PostgreSQL with its Entra mapping, read as the server's superuser would see it. */
export async function rolesOf(twin: Twin): Promise<string[]> {
  const hooks = twin.context.databases as { postgresQuery?: (sql: string) => Promise<{ rows: unknown[] }> };
  if (hooks.postgresQuery) {
    const { rows } = await hooks.postgresQuery(
      `select r.rolname || ':' || coalesce(p.object_id, '') as role from pg_roles r left join twin_aad.principals p on p.role_name = r.rolname order by 1`,
    );
    return rows.map((row) => (row as { role: string }).role);
  }
  throw new Error('the twin exposes no PostgreSQL query hook');
}

/**
 * The twin's whole state, minus what changes without being a change this run left behind:
 * - `operations`: the twin's log of long-running operations only grows.
 * - timestamps and etags (`systemData`, `lastModifiedTimeUtc`, `etag`): they record that a write
 *   happened, which undo does not erase on Azure either.
 * - managed-identity principals: turning a system identity off deletes its service principal in Entra;
 *   the twin keeps it in its directory (it is no longer any resource's identity).
 * - `authConfig.tenantId`: Azure keeps the tenant once Entra authentication was on.
 */
export function stateOf(twin: Twin): unknown {
  const state = twin.state();
  const resources = state.resources
    .map((resource) => strip(structuredClone(resource)))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const principals = state.world.principals.filter(
    (p) => p.kind !== 'managedIdentity' || p.alternativeId?.includes('userAssignedIdentities'),
  );
  return { world: { ...state.world, principals }, resources };
}

function strip(resource: Record<string, any>): Record<string, any> {
  delete resource.systemData;
  delete resource.etag;
  delete resource._twin;
  if (resource.properties) {
    delete resource.properties.lastModifiedTimeUtc;
    if (resource.properties.authConfig) delete resource.properties.authConfig.tenantId;
  }
  return resource;
}

/** A JSON Web Token anywhere in `text` (every token the twin issues is one). */
export const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/**
 * A stock psql's environment on this machine for a hand-off script: the server keeps its Azure name
 * (TLS checks it) while PGHOSTADDR/PGPORT send it to the twin (never DNS), and the CA comes through
 * the system bundle path (`SSL_CERT_FILE`: the system's CAs and the twin's, as Azure's CA is on a
 * real machine). The stand-in az is on PATH for the Entra admin's token.
 */
export function psqlEnv(twin: Twin, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = twin.env({
    PGHOSTADDR: '127.0.0.1',
    PGPORT: String(twin.databaseEndpoints.postgres!.port),
    SSL_CERT_FILE: twin.caBundlePath,
    PGCONNECT_TIMEOUT: '10',
  });
  delete env.PGSSLROOTCERT;
  delete env.PGPASSWORD;
  return { ...env, ...extra };
}
