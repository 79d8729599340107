/** Words every report uses for a pair, so the plain lines, the table, HTML and Markdown agree. */
import type { PairResult } from './check-pair.ts';
import type { AuditProgress, AuditRequest } from './types.ts';

const KIND_WORDS = { postgres: 'PostgreSQL', mysql: 'MySQL', sql: 'Azure SQL' } as const;

export function databaseKindWord(kind: keyof typeof KIND_WORDS): string {
  return KIND_WORDS[kind];
}

/** `server/database` (or the server alone). */
export function databaseLabel(pair: PairResult): string {
  const { serverName, database } = pair.plan.database;
  return database ? `${serverName}/${database}` : serverName;
}

/** The first line that explains the verdict: the first cause's message, or that all is well. */
export function reasonOf(pair: PairResult): string {
  const cause = pair.checks.find((check) => check.outcome.id === pair.causes[0]);
  if (!cause) return pair.verdict === 'pass' ? 'every check passed' : '';
  const refused = cause.refusals[0];
  const prefix = pair.verdict === 'unknown' && refused ? 'not determinable at this permission level: ' : '';
  return `${cause.outcome.id}: ${prefix}${cause.outcome.message}`;
}

/** What the run looked at, in words. */
export function scopeWords(request: Pick<AuditRequest, 'scope'>): string {
  const { scope } = request;
  if (scope.kind === 'all') return 'every subscription you can read';
  if (scope.kind === 'managementGroup') return `management group ${scope.managementGroup}`;
  return scope.subscriptions.length === 1
    ? `subscription ${scope.subscriptions[0]}`
    : `${scope.subscriptions.length} subscriptions`;
}

/** `12m 03s`, `41s`, `0.8s`. */
export function durationWords(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** One line of live progress: apps, pairs found, checked, failing, ETA (plain and the screen). */
export function progressText(progress: AuditProgress, unicode: boolean): string {
  const apps =
    progress.appsTotal === null
      ? `${progress.appsDone} apps`
      : `${progress.appsDone}/${progress.appsTotal} apps`;
  const eta = progress.etaMs === null ? '' : ` · ETA ${durationWords(progress.etaMs)}`;
  const sep = unicode ? ' · ' : ', ';
  return (
    [
      apps,
      `${progress.pairsFound} pairs found`,
      `${progress.pairsChecked} checked`,
      `${progress.failing} failing`,
      ...(progress.unknown > 0 ? [`${progress.unknown} not determinable`] : []),
      ...(progress.throttled > 0 ? [`${progress.throttled} throttled answers waited out`] : []),
    ].join(sep) + eta
  );
}
