/**
 * `sc-doctor audit --plain` (and without a terminal): a line per pair on stdout as pairs finish
 * (details and fixes under the ones that did not pass with `--verbose`), a progress line on stderr
 * every few seconds, then the summary: counts per verdict, per cause, per subscription, per kind.
 */

import type { PairResult } from '../../audit/check-pair.ts';
import type { AuditFrontEnd } from '../../audit/front-end.ts';
import { runAudit } from '../../audit/run-audit.ts';
import { summaryLines } from '../../audit/summary-lines.ts';
import type { AuditEvent, AuditSummary } from '../../audit/types.ts';
import { VERDICT_GLYPHS, VERDICT_WORDS, type Verdict } from '../../audit/verdict.ts';
import { databaseKindWord, databaseLabel, progressText, reasonOf, scopeWords } from '../../audit/words.ts';
import { exitCodeFor } from '../../core/exit-codes.ts';
import { clean } from '../plain.ts';
import { paint, unicodeSupported } from '../terminal.ts';

const COLORS: Record<Verdict, 'red' | 'magenta' | 'yellow' | 'green'> = {
  fail: 'red',
  unknown: 'magenta',
  warn: 'yellow',
  pass: 'green',
};
const WORD_WIDTH = 7;
const PROGRESS_EVERY_MS = 2_000;

export interface PlainAuditStyle {
  color: boolean;
  unicode: boolean;
  verbose: boolean;
}

/** `✖ FAIL    webapp orders-api → PostgreSQL pg-orders/orders · server: ...` */
export function pairLine(pair: PairResult, style: PlainAuditStyle): string {
  const glyph = style.unicode ? `${VERDICT_GLYPHS[pair.verdict]} ` : '';
  const word = paint(
    `${glyph}${VERDICT_WORDS[pair.verdict].padEnd(WORD_WIDTH)}`,
    COLORS[pair.verdict],
    style.color,
  );
  const arrow = style.unicode ? '→' : '->';
  const reason = reasonOf(pair);
  return clean(
    `${word} ${pair.app.kind} ${pair.app.name} (${pair.app.resourceGroup}) ${arrow} ${databaseKindWord(pair.plan.database.kind)} ${databaseLabel(pair)}${reason ? ` · ${reason}` : ''}`,
  );
}

/** Under a pair that did not pass (`--verbose`): each open check, its details and its fix. */
export function pairDetailLines(pair: PairResult): string[] {
  const lines: string[] = [];
  for (const { outcome, refusals } of pair.checks) {
    if (outcome.status === 'pass' || outcome.status === 'skip') continue;
    lines.push(`    ${outcome.id}: ${outcome.message}`);
    for (const detail of outcome.details) lines.push(`      ${detail}`);
    for (const refusal of refusals)
      lines.push(
        `      Azure refused ${refusal.method} ${refusal.path} (${refusal.status}${refusal.code ? ` ${refusal.code}` : ''})`,
      );
    if (outcome.remediation) {
      lines.push(`      fix: ${outcome.remediation.summary}`);
      for (const command of outcome.remediation.commands) lines.push(`        ${command}`);
    }
  }
  return lines.map(clean);
}

export const runAuditPlain: AuditFrontEnd = async (input) => {
  const style: PlainAuditStyle = {
    color: input.color,
    unicode: unicodeSupported(process.env, process.platform),
    verbose: input.verbose,
  };
  const out = (lines: string[]) => input.stdout.write(lines.map((line) => `${line}\n`).join(''));
  const err = (line: string) => input.stderr.write(`${paint(line, 'dim', style.color)}\n`);
  let lastProgress = 0;
  let summary: AuditSummary | null = null;
  let problem: { message: string; details: string[] } | null = null;
  err(`audit: ${scopeWords(input.request)}`);
  const onEvent = (event: AuditEvent) => {
    switch (event.type) {
      case 'audit:phase':
        err(
          event.phase === 'signin'
            ? 'audit: signing in'
            : event.phase === 'discovery'
              ? 'audit: asking Resource Graph for apps, servers, private endpoints and identities'
              : 'audit: checking each app and its databases',
        );
        break;
      case 'audit:discovered':
        err(
          `audit: ${event.servers} database servers, ${event.privateEndpoints} private endpoints, ${event.identities} user-assigned identities in ${event.subscriptions} subscriptions`,
        );
        break;
      case 'audit:progress': {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) break;
        lastProgress = now;
        err(`audit: ${progressText(event.progress, style.unicode)}`);
        break;
      }
      case 'audit:pair':
        out([
          pairLine(event.pair, style),
          ...(style.verbose && event.pair.verdict !== 'pass' ? pairDetailLines(event.pair) : []),
        ]);
        input.report?.pair(event.pair);
        break;
      case 'audit:app':
        out([
          clean(
            `${style.unicode ? '? ' : ''}${VERDICT_WORDS.unknown.padEnd(WORD_WIDTH)} ${event.entry.app.kind} ${event.entry.app.name} (${event.entry.app.resourceGroup}): ${event.entry.reason}`,
          ),
        ]);
        input.report?.app(event.entry);
        break;
      case 'audit:end':
        summary = event.summary;
        break;
      case 'audit:failed':
        problem = event.problem;
        input.stderr.write(`sc-doctor: ${clean(event.problem.message)}\n`);
        for (const line of event.problem.details) input.stderr.write(`  ${clean(line)}\n`);
        for (const command of event.problem.outcome?.remediation?.commands ?? [])
          input.stderr.write(`  ${clean(command)}\n`);
        break;
    }
  };
  const run = await runAudit(input.request, {
    services: input.services,
    signal: input.cancel.signal,
    onEvent,
  });
  if (input.cancel.signal.aborted) {
    input.report?.discard();
    out(['', 'Cancelled: exit code 130.']);
    return exitCodeFor({ cancelled: true });
  }
  input.report?.finish(summary, problem, run.exitCode);
  if (summary) out(['', ...summaryLines(summary, run.exitCode)]);
  if (input.reportPath && (summary || problem)) out([`Report: ${input.reportPath}`]);
  return run.exitCode;
};
