/**
 * One app of the audit: its connections found through ARM (linkers and settings), each pair checked
 * with the doctor's checks as soon as it is found, and the app counted: without a database, not
 * determinable at this permission level, gone since Resource Graph indexed it, or naming a server
 * outside the scope. Its own reads are cached for its pairs and dropped with it.
 */
import type { AzureSession } from '../azure/session.ts';
import { EventBus } from '../core/events.ts';
import type { FleetReads } from './arm-reads.ts';
import { checkPair, type PairRun } from './check-pair.ts';
import { type AppConnections, type ConnectionContext, connectionsOf } from './connections.ts';
import type { AppRow } from './inventory.ts';
import { count, type progressTracker } from './summary.ts';
import type { AppEntry, AuditBusEvent, AuditEvent, AuditSummary } from './types.ts';

/** What every app of one audit shares. */
export interface AppAuditRun {
  /** The run's session (its transport paces every read). */
  azure: AzureSession;
  reads: FleetReads;
  context: ConnectionContext;
  /** Subscriptions seen so far (a management group's are learnt from its resources). */
  seenSubscriptions: Set<string>;
  summary: AuditSummary;
  progress: ReturnType<typeof progressTracker>;
  emit(event: AuditEvent): void;
  signal: AbortSignal;
  /** What a pair of `subscriptionId` is checked with (sign-in and subscription outcomes included). */
  pairRun(subscriptionId: string): Promise<PairRun>;
}

export async function auditApp(app: AppRow, run: AppAuditRun): Promise<void> {
  const { azure, reads, context, seenSubscriptions, summary, progress, emit, signal } = run;
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
    connections = await connectionsOf(appAzure, app, context, signal);
  } catch (error) {
    if (signal.aborted) return;
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
    const pairRun = connections.pairs.length > 0 ? await run.pairRun(app.subscriptionId) : undefined;
    await Promise.all(
      connections.pairs.map(async (plan) => {
        const pair = await checkPair(app, plan, pairRun!, appCache, new EventBus<AuditBusEvent>());
        if (signal.aborted) return;
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

  function appEntry(entry: AppEntry): void {
    if (entry.status === 'gone') summary.apps.gone += 1;
    else if (entry.status === 'undetermined') summary.apps.undetermined += 1;
    else summary.apps.outsideScope += 1;
    emit({ type: 'audit:app', entry });
  }
}
