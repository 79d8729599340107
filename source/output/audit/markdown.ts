/**
 * The Markdown report: the same content as the HTML one, for a wiki or a pull request. Text is
 * escaped for Markdown (`mdText`), commands go in code spans long enough for what they hold (`mdCode`).
 */

import type { PairResult } from '../../audit/check-pair.ts';
import type { AppEntry, AuditRequest, AuditSummary } from '../../audit/types.ts';
import { VERDICT_GLYPHS, VERDICT_WORDS, VERDICTS, type Verdict } from '../../audit/verdict.ts';
import { databaseKindWord, databaseLabel, durationWords, reasonOf, scopeWords } from '../../audit/words.ts';
import { DATABASE_KINDS } from '../../databases/kind.ts';

/** Text that Markdown shows as written: its punctuation escaped, line breaks flattened. */
export function mdText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

/** A code span holding `text` exactly, whatever backticks it contains. */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${flat} ${fence}`;
}

export function mdHead(request: AuditRequest, version: string, startedAt: Date): string {
  const filters = [
    request.resourceGroup ? `resource group ${mdCode(request.resourceGroup)}` : null,
    ...request.tags.map((tag) => `tag ${mdCode(`${tag.key}=${tag.value}`)}`),
  ].filter(Boolean);
  return `# sc-doctor audit\n\n${mdText(scopeWords(request))}${filters.length ? ` · ${filters.join(' · ')}` : ''} · databases: ${mdText(request.kinds.map(databaseKindWord).join(', '))}${request.checkUser ? ' · database users checked' : ''} · started ${mdText(startedAt.toISOString())} · sc\\-doctor ${mdText(version)}\n\n`;
}

function countsTable(rows: [string, Record<Verdict, number>][]): string {
  const head = `| | ${VERDICTS.map((verdict) => `${VERDICT_GLYPHS[verdict]} ${VERDICT_WORDS[verdict]}`).join(' | ')} | pairs |\n|---|${VERDICTS.map(() => '---:').join('|')}|---:|\n`;
  return (
    head +
    rows
      .map(
        ([label, counts]) =>
          `| ${mdText(label)} | ${VERDICTS.map((verdict) => counts[verdict]).join(' | ')} | ${VERDICTS.reduce((sum, verdict) => sum + counts[verdict], 0)} |`,
      )
      .join('\n') +
    '\n\n'
  );
}

export function mdSummary(
  summary: AuditSummary | null,
  problem: { message: string; details: string[] } | null,
  exitCode: number,
): string {
  if (!summary)
    return `## The audit could not run\n\n${mdText(problem?.message ?? 'cancelled')}\n\n${(problem?.details ?? []).map((line) => `${mdText(line)}\n\n`).join('')}Exit code ${exitCode}.\n\n`;
  const causes = Object.entries(summary.causes).sort(([, a], [, b]) => b - a);
  return `## Summary\n\n${summary.pairs} pairs from ${summary.apps.audited} apps and ${summary.servers} servers · exit code ${exitCode}\n\n${countsTable([['all pairs', summary.verdicts]])}### Per subscription\n\n${countsTable(Object.entries(summary.bySubscription).sort(([a], [b]) => a.localeCompare(b)))}### Per database kind\n\n${countsTable(DATABASE_KINDS.map((kind) => [databaseKindWord(kind), summary.byDatabaseKind[kind]]))}### Causes\n\n| check | pairs |\n|---|---:|\n${causes.map(([cause, n]) => `| ${mdText(cause)} | ${n} |`).join('\n')}\n\nApps without a database connection: ${summary.apps.withoutDatabase} · not determinable at this permission level: ${summary.apps.undetermined} · gone since Resource Graph indexed them: ${summary.apps.gone} · naming a server outside the scope: ${summary.apps.outsideScope}\n\n${summary.requests.requests} Azure requests (${summary.requests.cacheHits} answered from the run's cache, ${summary.requests.throttled} throttled), ${summary.resourceGraph.pages} Resource Graph pages, ${mdText(durationWords(summary.durationMs))}\\.\n\n`;
}

export function mdGroupHead(verdict: Verdict, count: number): string {
  return `## ${VERDICT_GLYPHS[verdict]} ${VERDICT_WORDS[verdict]} (${count})\n\n`;
}

export function mdPair(pair: PairResult): string {
  const lines = [
    `- **${mdText(pair.app.name)}** (${mdText(`${pair.app.kind} · ${pair.app.resourceGroup} · ${pair.app.subscriptionId}`)}) → ${mdText(databaseKindWord(pair.plan.database.kind))} ${mdCode(databaseLabel(pair))}: ${mdText(reasonOf(pair))}`,
  ];
  for (const { outcome } of pair.checks) {
    if (outcome.status === 'pass' || outcome.status === 'skip' || !outcome.remediation) continue;
    lines.push(`  - ${mdText(`${outcome.title}: ${outcome.remediation.summary}`)}`);
    for (const command of outcome.remediation.commands) lines.push(`    - ${mdCode(command)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function mdApps(entries: readonly AppEntry[]): string {
  if (entries.length === 0) return '';
  return `## Apps without a checkable pair (${entries.length})\n\n${entries.map((entry) => `- **${mdText(entry.app.name)}** (${mdText(`${entry.app.kind} · ${entry.app.resourceGroup}`)}) · ${mdText(entry.status)}: ${mdText(entry.reason)}`).join('\n')}\n\n`;
}
