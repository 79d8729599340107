/**
 * The audit's closing lines, as plain text: the plain front-end prints them, the screen leaves them
 * in the scrollback on the way out.
 */
import { DATABASE_KINDS } from '../databases/kind.ts';
import type { AuditSummary } from './types.ts';
import { VERDICT_WORDS, VERDICTS } from './verdict.ts';
import { databaseKindWord, durationWords } from './words.ts';

/** The closing lines: totals, then per verdict, cause, subscription and kind. */
export function summaryLines(summary: AuditSummary, exitCode: number): string[] {
  const verdicts = VERDICTS.map((verdict) => `${summary.verdicts[verdict]} ${VERDICT_WORDS[verdict]}`).join(
    ', ',
  );
  const lines = [
    `Summary: ${summary.pairs} pairs (${verdicts}) from ${summary.apps.audited} apps and ${summary.servers} servers in ${durationWords(summary.durationMs)}.`,
  ];
  const causes = Object.entries(summary.causes).sort(([, a], [, b]) => b - a);
  if (causes.length > 0) lines.push(`By cause: ${causes.map(([cause, n]) => `${cause} ${n}`).join(', ')}`);
  for (const [subscription, counts] of Object.entries(summary.bySubscription).sort(([a], [b]) =>
    a.localeCompare(b),
  ))
    lines.push(
      `Subscription ${subscription}: ${VERDICTS.map((verdict) => `${counts[verdict]} ${VERDICT_WORDS[verdict]}`).join(', ')}`,
    );
  for (const kind of DATABASE_KINDS) {
    const counts = summary.byDatabaseKind[kind];
    if (counts && VERDICTS.some((verdict) => counts[verdict] > 0))
      lines.push(
        `${databaseKindWord(kind)}: ${VERDICTS.map((verdict) => `${counts[verdict]} ${VERDICT_WORDS[verdict]}`).join(', ')}`,
      );
  }
  const { apps } = summary;
  lines.push(
    `Apps: ${apps.withoutDatabase} without a database connection, ${apps.undetermined} not determinable at this permission level, ${apps.gone} gone since indexed, ${apps.outsideScope} naming a server outside the scope.`,
  );
  lines.push(
    `Azure: ${summary.requests.requests} requests (${summary.requests.cacheHits} reads from the run's cache, ${summary.requests.throttled} throttled), ${summary.resourceGraph.pages} Resource Graph pages.`,
  );
  lines.push(
    exitCode === 0 ? 'Exit code 0: no pair failed.' : `Exit code ${exitCode}: at least one pair failed.`,
  );
  return lines;
}
