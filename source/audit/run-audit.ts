/**
 * The audit's core: signs in, discovers through Resource Graph (servers, private endpoints and
 * identities first, then the apps page by page), finds each app's databases through ARM, and checks
 * every pair as soon as it is found, within Azure's limits. It never prints and never writes to Azure:
 * every request is a read (GET, or a POST Azure documents as a read). Results are streamed as events
 * (`audit:pair` as each pair finishes); only counters are kept, so memory stays flat in the number of
 * pairs. Front-ends (output/audit/, ui/audit/, mcp/audit-front-end.ts) listen to the events.
 */
import type { AzureSession } from '../azure/session.ts';
import { EventBus } from '../core/events.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
import { runChecks } from '../core/run-checks.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome } from '../core/types.ts';
import { DATABASE_KINDS } from '../databases/kind.ts';
import { signinCheck } from '../doctor/signin.ts';
import { subscriptionCheck } from '../doctor/subscription.ts';
import { NO_TARGET } from '../doctor/target.ts';
import { type AppAuditRun, auditApp } from './app-audit.ts';
import { AppQueue } from './app-queue.ts';
import { drain, springApps, visibleSubscriptions } from './arm-lists.ts';
import { FleetReads } from './arm-reads.ts';
import { checkPair, type PairResult, type PairRun } from './check-pair.ts';
import type { ConnectionContext, PairPlan } from './connections.ts';
import {
  type AppRow,
  appRowOf,
  endpointConnectionsOf,
  isAppRow,
  ServerIndex,
  type SpringServiceRow,
  serverRowOf,
} from './inventory.ts';
import { appsQuery, identitiesQuery, privateEndpointsQuery, serversQuery } from './kql.ts';
import { TaskPool } from './pool.ts';
import { type ArgScope, ResourceGraphClient, ResourceGraphError } from './resource-graph.ts';
import { emptySummary, progressTracker } from './summary.ts';
import type { AuditBusEvent, AuditEvent, AuditRequest, AuditSummary } from './types.ts';
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
    const kinds = request.kinds.length > 0 ? request.kinds : [...DATABASE_KINDS];
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

    const appRun: AppAuditRun = {
      azure,
      reads,
      context,
      seenSubscriptions,
      summary,
      progress,
      emit,
      signal: deps.signal,
      pairRun,
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
      await pool.run(() => auditApp(next, appRun).finally(() => queue.done(next)));
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
