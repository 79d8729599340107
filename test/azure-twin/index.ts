/**
 * The local Azure twin: one HTTPS server on 127.0.0.1 (ARM at https://127.0.0.1:PORT, Graph at
 * https://localhost:PORT/v1.0), its own CA, a plain-HTTP App Service managed-identity endpoint and a
 * stand-in `az` on PATH. See docs/architecture.md, "The local Azure twin".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type {
  ArmResource,
  DatabaseHooks,
  Principal,
  ResourceStore,
  RouteSpec,
  TwinContext,
  World,
} from './api.ts';
import { startTwinDnsServer } from './dns-server.ts';
import { ArgIndex } from './framework/arg-index.ts';
import { armCoreRoutes } from './framework/arm-core.ts';
import { ArmLimits } from './framework/arm-limits.ts';
import {
  ARM_AUDIENCE,
  issuedAudience,
  OSSRDBMS_AUDIENCE,
  SQL_AUDIENCE,
  sameAudience,
} from './framework/audiences.ts';
import { TwinClock } from './framework/clock.ts';
import { type CloudJson, cloudJson } from './framework/cloud.ts';
import { EntraTokenEndpoint } from './framework/entra-token.ts';
import { FaultInjector } from './framework/faults.ts';
import { internalRoutes } from './framework/internal.ts';
import { LroManager } from './framework/lro.ts';
import { MsiEndpoint } from './framework/msi.ts';
import { createPipeline } from './framework/pipeline.ts';
import { providerRegistrationRoutes } from './framework/providers-registration.ts';
import { Router } from './framework/router.ts';
import { MemoryResourceStore } from './framework/store.ts';
import { issueServerCert, sharedTls } from './framework/tls.ts';
import { findPrincipal } from './framework/world.ts';
import { providers } from './providers/index.ts';
import { PG_PASSWORD_ADMIN } from './providers/postgres.ts';
import { lazyScenarios, scenarios, scenarioWorld } from './scenarios.ts';
import { emptyCatalog, type SqlCatalogState } from './tds/catalog.ts';
import { startTdsStandIn, type TdsStandIn } from './tds/server.ts';
import { issueToken, type TokenConfig, type TokenSubject } from './tokens.ts';

export { ARM_AUDIENCE, OSSRDBMS_AUDIENCE, SQL_AUDIENCE } from './framework/audiences.ts';
export type { FaultSpec } from './framework/faults.ts';
export { ADMIN_HEADER } from './framework/pipeline.ts';
export { issueServerCert } from './framework/tls.ts';
export { GRAPH_APP_ID, IDS } from './framework/world.ts';
export { PG_PASSWORD_ADMIN } from './providers/postgres.ts';

/** Directory of the stand-in `az`. */
export const AZ_BIN_DIR = fileURLToPath(new URL('./bin/', import.meta.url)).replace(/\/$/, '');
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface TwinOptions {
  /** Scenario name from scenarios.ts (default `empty`: tenant, Dana as Owner, subscription, rg-orders; no resources). */
  scenario?: string;
  /** Fields replacing the scenario's world fields. */
  world?: Partial<World>;
  /**
   * Start the database servers behind the twin: `true` for all (real PostgreSQL and MariaDB from
   * test/servers, and the SQL stand-in of ./tds), or a list of engines to start only those.
   */
  databases?: boolean | DatabaseEngine[];
  /** Delay added to every ARM/Graph request. */
  latencyMs?: number;
  /** How long each long-running operation takes before its work runs (default 0). */
  lroDelayMs?: number;
  /** `az version` of the stand-in (default 2.67.0). */
  cliVersion?: string;
  /**
   * Add the twin CA to this process's default CAs so in-process SDK clients verify the twin (default
   * true). Child processes get it through `env()` (NODE_EXTRA_CA_CERTS) instead.
   */
  trustInProcess?: boolean;
  /** Routes added next to the providers' (tests of the framework itself). */
  extraRoutes?: RouteSpec[];
}

/** The database engines a twin can run behind its ARM servers. */
export type DatabaseEngine = 'postgres' | 'mysql' | 'sql';

/** Audience shorthands for `tokens.issue`. */
export type AudienceName = 'arm' | 'graph' | 'ossrdbms' | 'sql';

export interface TwinTokens {
  config: TokenConfig;
  /** Issues the token `principal` (object id, app id, UPN or MI resource id) would get for `audience`. */
  issue(principal: string, audience: AudienceName | string): string;
  /** A TokenCredential (structural) that returns twin tokens for `principal` whatever scope is asked. */
  credential(principal: string): {
    getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>;
  };
}

export interface TwinState {
  world: World;
  resources: ArmResource[];
  operations: ReturnType<LroManager['list']>;
  /** Users, role members and permissions of every Azure SQL database (the TDS stand-in's catalogue). */
  sql: SqlCatalogState;
}

export interface Twin {
  /** `https://127.0.0.1:PORT` (ARM). */
  baseUrl: string;
  /** `https://localhost:PORT` (Graph under `/v1.0`). Graph tokens have audience `graphUrl + '/'`. */
  graphUrl: string;
  /** App Service MI endpoint (`IDENTITY_ENDPOINT`) and the header of the default app (`orders-api`). */
  msiEndpoint: string;
  msiHeader: string;
  /** IDENTITY_ENDPOINT/IDENTITY_HEADER for the app with this ARM id (its system identity and UAMIs). */
  msiFor(appResourceId: string): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /**
   * Microsoft Entra's token endpoint for a service principal's client secret (client-credentials
   * grant): `authorityHost` is the value for AZURE_AUTHORITY_HOST.
   */
  entra: {
    authorityHost: string;
    /** Adds a client secret to the app `appId` (a service principal in the world) and returns it. */
    addClientSecret(appId: string, secret?: string): string;
    /** Issue tokens that expire `seconds` after they are issued (undefined: the twin's usual lifetime). */
    setTokenLifetime(seconds: number | undefined): void;
  };
  caPath: string;
  caPem: string;
  /** System CA bundle + twin CA, for NODE_EXTRA_CA_CERTS. */
  caBundlePath: string;
  /** Server certificate (with database SANs) and key, for servers that share the twin's CA. */
  tls: { cert: string; key: string; ca: string };
  cloud: CloudJson;
  /** Value of the admin header (`x-twin-admin`) for `/_twin/*`. */
  adminKey: string;
  /** Environment for a child process: stand-in az first on PATH, AZ_TWIN_*, NODE_EXTRA_CA_CERTS. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  world: World;
  store: ResourceStore;
  tokens: TwinTokens;
  faults: FaultInjector;
  clock: TwinClock;
  context: TwinContext;
  /**
   * `127.0.0.1:PORT` of the twin's DNS server (dns-server.ts): its database host names as a machine
   * on the internet sees them. `env()` hands it to sc-doctor as SC_DOCTOR_DNS_SERVER.
   */
  dnsServer: string;
  /** Database endpoints when started with `databases: true`. */
  databaseEndpoints: {
    postgres?: { host: string; port: number };
    mysql?: { host: string; port: number };
    /** The TDS endpoint of every Microsoft.Sql server (LOGIN7 ServerName picks the server). */
    sql?: { host: string; port: number };
  };
  /** The SQL databases' catalogue (live; `state().sql` is a copy). */
  sqlCatalog: SqlCatalogState;
  state(): TwinState;
  /** TLS connections the ARM and Graph server has accepted so far (a client that keeps them alive opens few). */
  connections(): number;
  close(): Promise<void>;
}

function subjectOf(principal: Principal): TokenSubject {
  return {
    objectId: principal.objectId,
    tenantId: principal.tenantId,
    idtyp: principal.kind === 'user' ? 'user' : 'app',
    // A guest's token names its home account, not its `#EXT#` name in this tenant.
    ...((principal.signInName ?? principal.userPrincipalName)
      ? { upn: principal.signInName ?? principal.userPrincipalName }
      : {}),
    ...(principal.appId ? { appId: principal.appId } : {}),
    name: principal.displayName,
  };
}

/** Starts a twin. Everything listens on 127.0.0.1 ephemeral ports; `close()` stops it all. */
export async function startTwin(options: TwinOptions = {}): Promise<Twin> {
  const scenarioName = options.scenario ?? 'empty';
  // Large generated scenarios (`fleet`) are loaded only when asked for: other twins start as fast as before.
  const lazy = lazyScenarios[scenarioName];
  const scenario = scenarios[scenarioName] ?? (lazy ? await lazy() : undefined);
  if (!scenario)
    throw new Error(
      `Unknown twin scenario '${scenarioName}'. Known: ${[...Object.keys(scenarios), ...Object.keys(lazyScenarios)].join(', ')}`,
    );

  const { ca, server: serverCert } = await sharedTls();
  const dir = await mkdtemp(join(tmpdir(), 'azure-twin-'));
  const caPath = join(dir, 'twin-ca.pem');
  const caBundlePath = join(dir, 'ca-bundle.pem');
  let systemBundle = '';
  try {
    systemBundle = readFileSync(SYSTEM_CA_BUNDLE, 'utf8');
  } catch {
    // No system bundle on this machine: the twin CA alone.
  }
  await writeFile(caPath, ca.caPem);
  if (options.trustInProcess !== false) trustInProcess(ca.caPem);
  await writeFile(caBundlePath, `${systemBundle.trimEnd()}\n${ca.caPem}`);

  const clock = new TwinClock();
  let world: World;
  // Resource Graph's index follows the store with the world's lag (framework/arg-index.ts).
  const argIndex = new ArgIndex(
    () => clock.nowMs(),
    () => world.resourceGraph?.indexLagMs ?? 0,
  );
  const tokenConfig: TokenConfig = {
    secret: randomBytes(32).toString('hex'),
    t0: clock.nowSeconds() - 60,
    lifetimeSeconds: 3600 * 4,
  };
  const store = new MemoryResourceStore((id, before) => argIndex.changed(id, before));
  world = scenarioWorld();
  const principal = (id: string) => findPrincipal(world, id);
  const addPrincipal = (added: Principal) => {
    // A managed identity made while replication lag is on reaches Entra's directory only later.
    const lag = world.entraReplicationLagMs ?? 0;
    const p =
      lag > 0 && added.kind !== 'user' && added.replicatedAtMs === undefined
        ? { ...added, replicatedAtMs: clock.nowMs() + lag }
        : added;
    const existing = world.principals.findIndex((q) => q.objectId.toLowerCase() === p.objectId.toLowerCase());
    if (existing >= 0) world.principals[existing] = p;
    else world.principals.push(p);
    return p;
  };
  scenario({ world, store, addPrincipal });
  Object.assign(world, options.world ?? {});
  // What the scenario seeded is history Resource Graph has indexed long ago.
  argIndex.start();

  const faults = new FaultInjector();
  faults.latencyMs = options.latencyMs ?? 0;
  faults.lroDelayMs = options.lroDelayMs ?? 0;
  let baseUrl = '';
  let graphUrl = '';
  const lro = new LroManager(
    () => baseUrl,
    faults,
    () => randomUUID(),
    () => clock.nowIso(),
  );

  const issue = (who: Principal, audience: string, config: TokenConfig = tokenConfig): string => {
    const aud = issuedAudience(audience);
    const withProfile = sameAudience(aud, ARM_AUDIENCE) || sameAudience(aud, `${graphUrl}/`);
    return issueToken(config, subjectOf(who), aud, withProfile);
  };
  const expiry = tokenConfig.t0 + tokenConfig.lifetimeSeconds;

  const context: TwinContext = {
    world,
    store,
    baseUrl: '',
    startLro: (req, lroOptions) => lro.start(req, lroOptions),
    principal,
    addPrincipal,
    nowMs: () => clock.nowMs(),
    uuid: () => randomUUID(),
    nowIso: () => clock.nowIso(),
    databases: {} as DatabaseHooks,
    takeLroFault: (resourceId) => faults.takeLro(resourceId),
    indexed: () => argIndex.view(store),
  };

  const router = new Router();
  router.add(...armCoreRoutes(lro), ...providerRegistrationRoutes);
  for (const provider of providers) router.add(...provider.routes);
  router.add(...(options.extraRoutes ?? []));
  // A finished PUT or PATCH answers its result URL with what a GET of its own URL answers.
  lro.readResource = async (path, apiVersion, caller) => {
    const match = router.match('GET', path);
    if (!match || match === 'method') return undefined;
    const url = new URL(`${baseUrl}${path}?api-version=${encodeURIComponent(apiVersion)}`);
    try {
      return await match.spec.handler(
        {
          method: 'GET',
          url,
          path,
          params: match.params,
          query: url.searchParams,
          headers: {},
          body: undefined,
          apiVersion,
          caller,
        },
        context,
      );
    } catch {
      return undefined;
    }
  };

  const adminKey = randomBytes(16).toString('hex');
  const cloudFor = () => cloudJson(baseUrl, graphUrl);
  const server: Server = createServer(
    { cert: serverCert.cert, key: serverCert.key },
    createPipeline({
      router,
      context,
      tokenConfig,
      clock,
      faults,
      graphAudience: () => `${graphUrl}/`,
      adminKey,
      limits: new ArmLimits(),
      internal: internalRoutes({
        state: () => state(),
        faults,
        az: () => ({
          world,
          cloud: cloudFor(),
          graphUrl,
          cliVersion: options.cliVersion ?? '2.67.0',
          principal,
          token: (who, audience) => ({ token: issue(who, audience), exp: expiry }),
        }),
      }),
    }),
  );
  // No idle timeout, so no `Keep-Alive: timeout=N` hint, as ARM answers (SOURCES.md, "Connections"): with
  // a 1 s hint Node's agent may not reuse a socket at all, and every request paid a TLS handshake.
  // close() ends every connection itself.
  server.keepAliveTimeout = 0;
  let connections = 0;
  server.on('secureConnection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;
  graphUrl = `https://localhost:${port}`;
  context.baseUrl = baseUrl;

  const msi = new MsiEndpoint({
    principal,
    resource: (id) => store.get(id),
    token: (who, resource) => ({ token: issue(who, resource), exp: expiry }),
  });
  await msi.listen();
  let entraLifetimeSeconds: number | undefined;
  const entra = new EntraTokenEndpoint({
    tenantId: world.tenantId,
    principal,
    tls: { cert: serverCert.cert, key: serverCert.key },
    token: (who, resource) => {
      if (entraLifetimeSeconds === undefined) {
        return { token: issue(who, resource), expiresIn: expiry - clock.nowSeconds() };
      }
      // A token issued now that expires soon, signed as every other: for tests that outlive a token.
      const config = { ...tokenConfig, t0: clock.nowSeconds(), lifetimeSeconds: entraLifetimeSeconds };
      return { token: issue(who, resource, config), expiresIn: entraLifetimeSeconds };
    },
  });
  await entra.listen();
  const dnsServer = await startTwinDnsServer({ store });
  const defaultApp = `/subscriptions/${world.defaultSubscriptionId}/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api`;

  let databasesHandle: { close(): Promise<void> } | undefined;
  let databaseEndpoints: Twin['databaseEndpoints'] = {};
  const engines = new Set<DatabaseEngine>(
    options.databases === true ? ['postgres', 'mysql', 'sql'] : options.databases || [],
  );
  const sqlCatalog = emptyCatalog();
  let tds: TdsStandIn | undefined;
  const stopListeners = async () => {
    lro.close();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await msi.close();
    await entra.close();
    await dnsServer.close();
  };
  // Databases asked for that cannot start end the twin: what started so far stops (an open listener
  // would keep the caller's process alive for ever) and the caller gets the reason.
  const failed = async (error: unknown): Promise<never> => {
    await databasesHandle?.close().catch(() => {});
    await tds?.close().catch(() => {});
    await stopListeners();
    await rm(dir, { recursive: true, force: true });
    throw error;
  };
  if (engines.has('sql')) {
    tds = await startTdsStandIn({
      store,
      world,
      catalog: sqlCatalog,
      tokenConfig,
      sqlAudience: SQL_AUDIENCE,
      now: () => clock.nowSeconds(),
      tls: { cert: serverCert.cert, key: serverCert.key },
    }).catch(failed);
  }
  if (engines.has('postgres') || engines.has('mysql')) {
    const modulePath = new URL('../servers/databases.ts', import.meta.url).href;
    const { attachDatabases } = (await import(modulePath)) as {
      attachDatabases(
        opts: unknown,
      ): Promise<{ hooks: DatabaseHooks; endpoints: Twin['databaseEndpoints']; close(): Promise<void> }>;
    };
    const attached = await attachDatabases({
      engines: [...engines].filter((engine) => engine !== 'sql'),
      tokenConfig,
      tenantId: world.tenantId,
      ossrdbmsAudience: OSSRDBMS_AUDIENCE,
      principal,
      tls: { cert: serverCert.cert, key: serverCert.key, ca: ca.caPem },
      now: () => clock.nowSeconds(),
      // The databases read ARM (this store and world) on every login attempt.
      arm: { store, world },
    }).catch(failed);
    context.databases = attached.hooks;
    databasesHandle = attached;
    await replaySeedIntoDatabases(store, world, attached.hooks).catch(failed);
    databaseEndpoints = attached.endpoints;
  }

  if (tds) databaseEndpoints = { ...databaseEndpoints, sql: { host: tds.host, port: tds.port } };

  const state = (): TwinState =>
    structuredClone({ world, resources: store.all(), operations: lro.list(), sql: sqlCatalog });

  const resolve = (who: string): Principal => {
    const found = principal(who);
    if (!found) throw new Error(`The twin knows no principal '${who}'`);
    return found;
  };
  const audienceOf = (name: AudienceName | string): string =>
    ({ arm: ARM_AUDIENCE, graph: `${graphUrl}/`, ossrdbms: OSSRDBMS_AUDIENCE, sql: SQL_AUDIENCE })[name] ??
    name;

  const twin: Twin = {
    baseUrl,
    graphUrl,
    msiEndpoint: msi.endpoint,
    msiHeader: msi.headerFor(defaultApp),
    msiFor: (app) => ({ IDENTITY_ENDPOINT: msi.endpoint, IDENTITY_HEADER: msi.headerFor(app) }),
    entra: {
      authorityHost: entra.authorityHost,
      addClientSecret: (appId, secret) => entra.addClientSecret(appId, secret),
      setTokenLifetime: (seconds) => {
        entraLifetimeSeconds = seconds;
      },
    },
    caPath,
    caPem: ca.caPem,
    caBundlePath,
    tls: { cert: serverCert.cert, key: serverCert.key, ca: ca.caPem },
    cloud: cloudFor(),
    adminKey,
    env: (extra = {}) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${AZ_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
        AZ_TWIN_URL: baseUrl,
        AZ_TWIN_KEY: adminKey,
        AZ_TWIN_CA: caPath,
        NODE_EXTRA_CA_CERTS: caBundlePath,
        SC_DOCTOR_DNS_SERVER: dnsServer.address,
      };
      for (const [key, value] of Object.entries(extra)) {
        if (value === undefined) delete env[key];
        else env[key] = value;
      }
      return env;
    },
    world,
    store,
    tokens: {
      config: tokenConfig,
      issue: (who, audience) => issue(resolve(who), audienceOf(audience)),
      credential: (who) => ({
        getToken: async (scopes) => {
          const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
          return { token: issue(resolve(who), scope), expiresOnTimestamp: expiry * 1000 };
        },
      }),
    },
    faults,
    clock,
    context,
    dnsServer: dnsServer.address,
    databaseEndpoints,
    sqlCatalog,
    state,
    connections: () => connections,
    close: async () => {
      await stopListeners();
      await databasesHandle?.close();
      await tds?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return twin;
}

/**
 * Seed helpers write ARM state only; with real servers behind the twin, the seeded Entra admins and
 * databases must exist in them too, exactly as if they had been created through ARM.
 */
async function replaySeedIntoDatabases(
  store: ResourceStore,
  world: World,
  hooks: DatabaseHooks,
): Promise<void> {
  const backed = world.dataPlaneServers?.map((id) => id.toLowerCase());
  const servers = store
    .all()
    .filter((r) => /^Microsoft\.DBfor(PostgreSQL|MySQL)\/flexibleServers$/i.test(r.type))
    // A generated estate (`fleet`) backs only a few servers with a real database.
    .filter((r) => !backed || backed.includes(r.id.toLowerCase()));
  const databaseSeeds = world.postgresDatabases ?? [];
  const seedOf = (server: ArmResource, name: string) =>
    databaseSeeds.find((d) => d.serverId.toLowerCase() === server.id.toLowerCase() && d.name === name);
  for (const server of servers) {
    const postgres = /PostgreSQL/i.test(server.type);
    const login = server.properties?.administratorLogin;
    // The password admin is made with the server, before any admin or database.
    if (postgres && typeof login === 'string' && login)
      await hooks.postgresPasswordAdmin?.(server, login, PG_PASSWORD_ADMIN.password);
    for (const admin of store.children(server.id, `${server.type}/administrators`)) {
      const props = (admin.properties ?? {}) as Record<string, string>;
      if (postgres) {
        await hooks.postgresAdminAdded?.(server, {
          objectId: props.objectId ?? '',
          principalName: props.principalName ?? admin.name,
          principalType: props.principalType ?? 'User',
        });
      } else {
        await hooks.mysqlAdminSet?.(server, { login: props.login ?? '', sid: props.sid ?? '' });
      }
    }
    for (const database of store.children(server.id, `${server.type}/databases`)) {
      if (['postgres', 'information_schema', 'mysql', 'performance_schema', 'sys'].includes(database.name))
        continue;
      const seed = postgres ? seedOf(server, database.name) : undefined;
      await hooks.databaseCreated?.(server, database.name, seed?.owner);
      if (seed?.sqlAsOwner)
        await hooks.postgresRunAs?.(
          server,
          database.name,
          seed.owner ?? (typeof login === 'string' && login ? login : 'azuresu'),
          seed.sqlAsOwner,
        );
    }
  }
  for (const role of world.postgresRoles ?? []) {
    const server = store.get(role.serverId);
    if (server) await hooks.postgresRoleSeeded?.(server, role);
  }
}

/** Adds `caPem` to the process's default trusted CAs (the system/bundled ones stay). Idempotent. */
export function trustInProcess(caPem: string): void {
  const current = getCACertificates('default');
  if (current.some((cert) => cert.trim() === caPem.trim())) return;
  setDefaultCACertificates([...current, caPem]);
}

/** Issues a server certificate from the process-wide twin CA (for database servers started separately). */
export async function issueTwinServerCert(
  sans: string[],
): Promise<{ cert: string; key: string; ca: string }> {
  const { ca } = await sharedTls();
  return { ...(await issueServerCert(ca, sans)), ca: ca.caPem };
}
