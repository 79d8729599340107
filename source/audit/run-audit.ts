/**
 * The audit's core: signs in, discovers through Resource Graph (servers, private endpoints and
 * identities first, then the apps page by page), finds each app's databases through ARM, and checks
 * every pair as soon as it is found, within Azure's limits. It never prints and never writes to Azure:
 * every request is a read (GET, or a POST Azure documents as a read). Results are streamed as events
 * (`audit:pair` as each pair finishes); only counters are kept, so memory stays flat in the number of
 * pairs. Front-ends (source/audit/front-ends/*, the MCP tool) listen to the events.
 */
import { armList } from '../azure/arm.ts';
import type { AzureSession } from '../azure/session.ts';
import { EventBus } from '../core/events.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
import { runChecks } from '../core/run-checks.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome } from '../core/types.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { signinCheck } from '../doctor/signin.ts';
import { SUBSCRIPTION_API_VERSION, subscriptionCheck } from '../doctor/subscription.ts';
import { NO_TARGET } from '../doctor/target.ts';
import { APP_CONFIG_API } from './app-config.ts';
import { AppQueue } from './app-queue.ts';
import { FleetReads } from './arm-reads.ts';
import { checkPair, type PairResult, type PairRun } from './check-pair.ts';
import { type AppConnections, type ConnectionContext, connectionsOf, type PairPlan } from './connections.ts';
import {
  type AppRow,
  appRowOf,
  endpointConnectionsOf,
  identityOf,
  isAppRow,
  ServerIndex,
  type SpringServiceRow,
  serverRowOf,
} from './inventory.ts';
import { appsQuery, identitiesQuery, privateEndpointsQuery, serversQuery } from './kql.ts';
import { TaskPool } from './pool.ts';
import { type ArgScope, ResourceGraphClient, ResourceGraphError } from './resource-graph.ts';
import type {
  AppEntry,
  AuditBusEvent,
  AuditEvent,
  AuditProgress,
  AuditRequest,
  AuditSummary,
  VerdictCounts,
} from './types.ts';
import { VERDICTS } from './verdict.ts';
import { holdYoungGeneration } from './young-generation.ts';

export interface AuditDeps {
  /** The run's services; their `azure` session is wrapped with the audit's transport. */
  services: Services;
  signal: AbortSignal;
  onEvent(event: AuditEvent): void;
  now?(): number;
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  random?(): number;
  /** Per-check time limit (queueing behind Azure's limits included). Default 120 s. */
  checkTimeoutMs?: number;
  /** How often `audit:progress` is sent at most, in ms. Default 250. */
  progressEveryMs?: number;
}

/** A finished (or failed) audit, with what the interactive front-end needs to check a pair again. */
export interface AuditRun {
  exitCode: number;
  summary: AuditSummary | null;
  /** Checks one pair again, emitting the doctor's events on `bus` (the detail screen). */
  recheck(app: AppRow, plan: PairPlan, bus: EventBus<AuditBusEvent>): Promise<PairResult>;
}

const KINDS: DatabaseKind[] = ['postgres', 'mysql', 'sql'];
const FAILED = exitCodeFor({ cancelled: false, audit: 'failed' });
const CANCELLED = exitCodeFor({ cancelled: true });

/** Runs an audit; never throws for anything Azure or the user can cause (`audit:failed` instead). */
export async function runAudit(request: AuditRequest, deps: AuditDeps): Promise<AuditRun> {
  // Memory flat in the size of the fleet: no room for garbage grows with it (young-generation.ts).
  holdYoungGeneration();
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const startedAt = now();
  const reads = new FleetReads({
    concurrency: request.concurrency,
    now,
    sleep,
    random,
    signal: deps.signal,
  });
  const azure: AzureSession = { ...deps.services.azure, reads: reads.transport() };
  const services: Services = { ...deps.services, azure };
  const arg = new ResourceGraphClient(azure, { now, sleep, random });
  const emit = deps.onEvent;
  const summary = emptySummary();
  const timeoutMs = deps.checkTimeoutMs ?? 120_000;

  const failed = (message: string, details: string[], outcome?: CheckOutcome): AuditRun => {
    emit({
      type: 'audit:failed',
      problem: { message, details, ...(outcome ? { outcome } : {}) },
      exitCode: FAILED,
    });
    return { exitCode: FAILED, summary: null, recheck: notReady };
  };

  emit({ type: 'audit:phase', phase: 'signin' });
  const [signin] = await runChecks([signinCheck], {
    services,
    options: { verbose: false, target: NO_TARGET },
    bus: new EventBus<AuditBusEvent>(),
    signal: deps.signal,
    announce: false,
  });
  if (!signin || (signin.status !== 'pass' && signin.status !== 'warn'))
    return failed(`Not signed in to Azure: ${signin?.message ?? 'no answer'}`, signin?.details ?? [], signin);

  const subscriptionOutcomes = new Map<string, Promise<CheckOutcome>>();
  const subscriptionOutcome = (subscriptionId: string): Promise<CheckOutcome> => {
    let outcome = subscriptionOutcomes.get(subscriptionId);
    if (!outcome) {
      const view: AzureSession = {
        ...azure,
        subscription: async () => ({ id: subscriptionId, source: 'flag' }),
      };
      outcome = runChecks([subscriptionCheck], {
        services: { ...services, azure: view },
        options: { verbose: false, target: NO_TARGET },
        bus: new EventBus<AuditBusEvent>(),
        signal: deps.signal,
        previous: [signin],
        announce: false,
      }).then((outcomes) => outcomes.find((o) => o.id === 'subscription')!);
      subscriptionOutcomes.set(subscriptionId, outcome);
    }
    return outcome;
  };
  const pairRun = async (subscriptionId: string): Promise<PairRun> => ({
    services,
    reads,
    checkUser: request.checkUser,
    connectTo: request.connectTo,
    previous: [signin, await subscriptionOutcome(subscriptionId)],
    signal: deps.signal,
    timeoutMs,
  });
  const recheck = async (app: AppRow, plan: PairPlan, bus: EventBus<AuditBusEvent>) =>
    checkPair(app, plan, await pairRun(app.subscriptionId), new Map(), bus);

  emit({ type: 'audit:phase', phase: 'discovery' });
  let scope: ArgScope;
  let scopeSubscriptions: string[];
  try {
    if (request.scope.kind === 'all') {
      scopeSubscriptions = await visibleSubscriptions(azure, deps.signal);
      if (scopeSubscriptions.length === 0)
        return failed('No subscription is visible to the signed-in account.', [
          'Ask for Reader on the subscriptions to audit, or sign in to the tenant that holds them.',
        ]);
      scope = { kind: 'subscriptions', subscriptions: scopeSubscriptions };
    } else if (request.scope.kind === 'managementGroup') {
      scopeSubscriptions = [];
      scope = { kind: 'managementGroup', managementGroup: request.scope.managementGroup };
    } else {
      scopeSubscriptions = request.scope.subscriptions.map((id) => id.toLowerCase());
      scope = { kind: 'subscriptions', subscriptions: scopeSubscriptions };
    }
    const kinds = request.kinds.length > 0 ? request.kinds : KINDS;
    const servers = new ServerIndex();
    const endpoints = { count: 0 };
    const identities = { count: 0 };
    const seenSubscriptions = new Set(scopeSubscriptions);
    await Promise.all([
      drain(arg.rows(serversQuery(kinds), scope, deps.signal), (row) => {
        const server = serverRowOf(row);
        if (server) {
          servers.add(server);
          seenSubscriptions.add(server.subscriptionId);
        }
      }),
      drain(arg.rows(privateEndpointsQuery(), scope, deps.signal), (row) => {
        endpoints.count += endpointConnectionsOf(row).length > 0 ? 1 : 0;
      }),
      drain(arg.rows(identitiesQuery(), scope, deps.signal), () => {
        identities.count += 1;
      }),
    ]);
    summary.servers = servers.size;
    summary.privateEndpoints = endpoints.count;
    summary.identities = identities.count;
    emit({
      type: 'audit:discovered',
      servers: servers.size,
      privateEndpoints: endpoints.count,
      identities: identities.count,
      subscriptions: seenSubscriptions.size,
    });

    emit({ type: 'audit:phase', phase: 'checking' });
    const cloud = await azure.cloud(deps.signal);
    const context: ConnectionContext = {
      servers,
      suffixes: cloud.suffixes,
      kinds,
      // Refreshed as apps arrive: a management group's subscriptions are learnt from its resources.
      subscriptions: [...seenSubscriptions],
      armServers: new Map(),
    };
    const progress = progressTracker(summary, now, startedAt, deps.progressEveryMs ?? 250, reads, emit);
    const pool = new TaskPool(Math.max(2, request.concurrency * 2));

    const auditApp = async (app: AppRow) => {
      if (!seenSubscriptions.has(app.subscriptionId)) {
        seenSubscriptions.add(app.subscriptionId);
        context.subscriptions = [...seenSubscriptions];
      }
      const appCache = new Map();
      const appAzure: AzureSession = {
        ...azure,
        reads: reads.transport({ owner: app.key, cache: appCache, refusals: [] }),
      };
      let connections: AppConnections;
      try {
        connections = await connectionsOf(appAzure, app, context, deps.signal);
      } catch (error) {
        if (deps.signal.aborted) return;
        connections = {
          kind: 'found',
          pairs: [],
          unplaced: [],
          undetermined: `reading its configuration failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      summary.apps.audited += 1;
      if (connections.kind === 'gone') {
        appEntry({
          app,
          status: 'gone',
          reason: 'Resource Graph still lists it, but ARM says it no longer exists.',
        });
      } else {
        progress.found(connections.pairs.length);
        const run = connections.pairs.length > 0 ? await pairRun(app.subscriptionId) : undefined;
        await Promise.all(
          connections.pairs.map(async (plan) => {
            const pair = await checkPair(app, plan, run!, appCache, new EventBus<AuditBusEvent>());
            if (deps.signal.aborted) return;
            count(summary, pair);
            emit({ type: 'audit:pair', pair });
            progress.checked(pair);
          }),
        );
        for (const host of connections.unplaced)
          appEntry({
            app,
            status: 'outside-scope',
            reason: `${host.settings.join(', ')} name${host.settings.length === 1 ? 's' : ''} ${host.host}${host.database ? `/${host.database}` : ''}, which is no server in the scope (neither Resource Graph nor ARM lists it).`,
          });
        if (connections.pairs.length === 0 && connections.unplaced.length === 0) {
          if (connections.undetermined)
            appEntry({
              app,
              status: 'undetermined',
              reason: `not determinable at this permission level: ${connections.undetermined}`,
            });
          else summary.apps.withoutDatabase += 1;
        }
      }
      progress.appDone();
    };
    const appEntry = (entry: AppEntry) => {
      if (entry.status === 'gone') summary.apps.gone += 1;
      else if (entry.status === 'undetermined') summary.apps.undetermined += 1;
      else summary.apps.outsideScope += 1;
      emit({ type: 'audit:app', entry });
    };

    // Apps are read from Resource Graph into per-subscription queues while they are audited, and
    // taken so that every subscription's ARM budget is used at once (app-queue.ts).
    const queue = new AppQueue();
    const produce = (async () => {
      const springServices: SpringServiceRow[] = [];
      try {
        for await (const page of arg.rows(appsQuery(request), scope, deps.signal, (total) =>
          progress.total(total),
        )) {
          for (const row of page) {
            const found = appRowOf(row);
            if (!found) continue;
            if (isAppRow(found)) queue.push(found);
            else springServices.push(found);
          }
          if (deps.signal.aborted) return;
        }
        // Spring apps are listed per service through ARM (Resource Graph has the services only).
        await Promise.all(
          springServices.map(async (service) => {
            const apps = await springApps(azure, service, deps.signal);
            progress.total(apps.length - 1);
            for (const app of apps) queue.push(app);
          }),
        );
      } finally {
        queue.close();
      }
    })();
    // Its failure (Resource Graph refusing the scope) is rethrown below, once the queue has drained.
    produce.catch(() => {});
    for (let app = await queue.next(); app; app = await queue.next()) {
      const next = app;
      await pool.run(() => auditApp(next).finally(() => queue.done(next)));
      if (deps.signal.aborted) break;
    }
    await produce;
    await pool.drain();
    progress.flush();
  } catch (error) {
    if (error instanceof ResourceGraphError) return failed(error.message, scopeHint(request));
    if (deps.signal.aborted) return { exitCode: CANCELLED, summary: null, recheck };
    throw error;
  }
  if (deps.signal.aborted) return { exitCode: CANCELLED, summary: null, recheck };
  summary.subscriptions = new Set(Object.keys(summary.bySubscription)).size;
  summary.resourceGraph = { ...arg.stats };
  summary.requests = { ...reads.stats };
  summary.durationMs = now() - startedAt;
  const exitCode = exitCodeFor({ cancelled: false, audit: summary.verdicts.fail > 0 ? 'failed' : 'passed' });
  emit({ type: 'audit:end', summary, exitCode });
  return { exitCode, summary, recheck };
}

function scopeHint(request: AuditRequest): string[] {
  if (request.scope.kind === 'managementGroup')
    return [
      `Check the management group's name (az account management-group list -o table) and that you may read it.`,
    ];
  return ['Check the subscription ids (az account list -o table) and that you have Reader on them.'];
}

const notReady = async (): Promise<PairResult> => {
  throw new Error('the audit did not run');
};

async function drain(
  rows: AsyncGenerator<Record<string, unknown>[]>,
  each: (row: Record<string, unknown>) => void,
): Promise<void> {
  for await (const page of rows) for (const row of page) each(row);
}

/** Every subscription `GET /subscriptions` lists for the caller (`--all`). */
async function visibleSubscriptions(azure: AzureSession, signal: AbortSignal): Promise<string[]> {
  const listed = await armList(azure, '/subscriptions', SUBSCRIPTION_API_VERSION, signal);
  if (!listed.ok)
    throw new ResourceGraphError(
      `Azure Resource Manager would not list the subscriptions (${listed.response.status}).`,
      listed.response.status,
      null,
    );
  return listed.items.flatMap((item) => {
    const id = (item as { subscriptionId?: unknown }).subscriptionId;
    return typeof id === 'string' ? [id.toLowerCase()] : [];
  });
}

/** A Spring service's apps, through ARM (Resource Graph does not index them). */
async function springApps(
  azure: AzureSession,
  service: SpringServiceRow,
  signal: AbortSignal,
): Promise<AppRow[]> {
  const listed = await armList(azure, `${service.id}/apps`, APP_CONFIG_API.spring, signal).catch(
    () => undefined,
  );
  if (!listed?.ok) return [];
  return listed.items.flatMap((item) => {
    const app = item as { id?: unknown; name?: unknown; identity?: unknown };
    if (typeof app.id !== 'string') return [];
    return [
      {
        id: app.id,
        key: app.id.toLowerCase(),
        kind: 'spring' as const,
        name: typeof app.name === 'string' ? `${service.name}/${app.name}` : app.id,
        platformKind: null,
        subscriptionId: service.subscriptionId,
        resourceGroup: service.resourceGroup,
        identity: identityOf(app.identity),
      },
    ];
  });
}

function counts(): VerdictCounts {
  return { fail: 0, unknown: 0, warn: 0, pass: 0 };
}

function emptySummary(): AuditSummary {
  return {
    pairs: 0,
    verdicts: counts(),
    causes: {},
    bySubscription: {},
    byDatabaseKind: { postgres: counts(), mysql: counts(), sql: counts() },
    apps: { audited: 0, withoutDatabase: 0, undetermined: 0, gone: 0, outsideScope: 0 },
    servers: 0,
    privateEndpoints: 0,
    identities: 0,
    subscriptions: 0,
    resourceGraph: { queries: 0, pages: 0, quotaWaitMs: 0, subscriptionLimitHit: false },
    requests: { requests: 0, cacheHits: 0, throttled: 0, retried: 0, longestPauseMs: 0, peakInFlight: 0 },
    durationMs: 0,
  };
}

function count(summary: AuditSummary, pair: PairResult): void {
  summary.pairs += 1;
  summary.verdicts[pair.verdict] += 1;
  if (pair.verdict === 'fail' || pair.verdict === 'unknown')
    for (const cause of pair.causes) summary.causes[cause] = (summary.causes[cause] ?? 0) + 1;
  const subscription = pair.app.subscriptionId;
  summary.bySubscription[subscription] ??= counts();
  summary.bySubscription[subscription]![pair.verdict] += 1;
  summary.byDatabaseKind[pair.plan.database.kind][pair.verdict] += 1;
}

function progressTracker(
  summary: AuditSummary,
  now: () => number,
  startedAt: number,
  everyMs: number,
  reads: FleetReads,
  emit: (event: AuditEvent) => void,
) {
  let appsTotal: number | null = null;
  let appsDone = 0;
  let pairsFound = 0;
  let last = 0;
  const send = (force: boolean) => {
    const at = now();
    if (!force && at - last < everyMs) return;
    last = at;
    const elapsedMs = at - startedAt;
    const progress: AuditProgress = {
      appsTotal,
      appsDone,
      pairsFound,
      pairsChecked: summary.pairs,
      failing: summary.verdicts.fail,
      unknown: summary.verdicts.unknown,
      elapsedMs,
      etaMs:
        appsTotal !== null && appsDone >= 5 && appsTotal > appsDone
          ? Math.round((elapsedMs / appsDone) * (appsTotal - appsDone))
          : appsTotal !== null && appsDone >= appsTotal
            ? 0
            : null,
      requests: reads.stats.requests,
      throttled: reads.stats.throttled,
    };
    emit({ type: 'audit:progress', progress });
  };
  return {
    total(more: number) {
      appsTotal = (appsTotal ?? 0) + more;
      send(false);
    },
    found(pairs: number) {
      pairsFound += pairs;
      send(false);
    },
    checked(_pair: PairResult) {
      send(false);
    },
    appDone() {
      appsDone += 1;
      send(false);
    },
    flush() {
      send(true);
    },
  };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export { VERDICTS };
