/**
 * The audit's running totals: the summary counted pair by pair (only counters are kept, so memory
 * stays flat in the number of pairs), and the progress it reports while it runs.
 */
import type { FleetReads } from './arm-reads.ts';
import type { PairResult } from './check-pair.ts';
import type { AuditEvent, AuditProgress, AuditSummary, VerdictCounts } from './types.ts';

function counts(): VerdictCounts {
  return { fail: 0, unknown: 0, warn: 0, pass: 0 };
}

/** A summary with nothing counted yet. */
export function emptySummary(): AuditSummary {
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

/** Counts one finished pair into the summary. */
export function count(summary: AuditSummary, pair: PairResult): void {
  summary.pairs += 1;
  summary.verdicts[pair.verdict] += 1;
  if (pair.verdict === 'fail' || pair.verdict === 'unknown')
    for (const cause of pair.causes) summary.causes[cause] = (summary.causes[cause] ?? 0) + 1;
  const subscription = pair.app.subscriptionId;
  summary.bySubscription[subscription] ??= counts();
  summary.bySubscription[subscription]![pair.verdict] += 1;
  summary.byDatabaseKind[pair.plan.database.kind][pair.verdict] += 1;
}

/** Sends `audit:progress` at most every `everyMs` (and once more at the end, `flush`). */
export function progressTracker(
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
