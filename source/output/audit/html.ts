/**
 * The HTML report: one self-contained file a platform team can attach to a ticket. Inline CSS only,
 * no script, no external asset, and a Content-Security-Policy that forbids loading anything; every
 * piece of text (names come from Azure and are not trusted) goes through `escapeHtml`.
 */

import type { PairResult } from '../../audit/check-pair.ts';
import type { AppEntry, AuditRequest, AuditSummary } from '../../audit/types.ts';
import { VERDICT_GLYPHS, VERDICT_WORDS, VERDICTS, type Verdict } from '../../audit/verdict.ts';
import { databaseKindWord, databaseLabel, durationWords, reasonOf, scopeWords } from '../../audit/words.ts';
import { DATABASE_KINDS } from '../../databases/kind.ts';

/** The one escaping function of the report: text and attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}
table{border-collapse:collapse;margin:.4rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b42318}.unknown{color:#7a5af8}.warn{color:#b54708}.pass{color:#067647}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:#f6f8fa;padding:.4rem;white-space:pre-wrap;word-break:break-all;margin:.3rem 0}
details{margin:.2rem 0}summary{cursor:pointer}small{color:#57606a}.meta{color:#57606a}
`;

export function htmlHead(request: AuditRequest, version: string, startedAt: Date): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sc-doctor audit</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>sc-doctor audit</h1>
<p class="meta">${e(scopeWords(request))}${request.resourceGroup ? ` · resource group ${e(request.resourceGroup)}` : ''}${request.tags.map((tag) => ` · tag ${e(tag.key)}=${e(tag.value)}`).join('')} · databases: ${e(request.kinds.map(databaseKindWord).join(', '))}${request.checkUser ? ' · database users checked' : ''} · started ${e(startedAt.toISOString())} · sc-doctor ${e(version)}</p>
</header>
`;
}

function countsRow(label: string, counts: Record<Verdict, number>, id?: string): string {
  const total = VERDICTS.reduce((sum, verdict) => sum + counts[verdict], 0);
  return `<tr${id ? ` data-key="${e(id)}"` : ''}><th scope="row">${e(label)}</th>${VERDICTS.map((verdict) => `<td class="n ${verdict}">${counts[verdict]}</td>`).join('')}<td class="n">${total}</td></tr>`;
}

const COUNT_HEAD = `<thead><tr><th></th>${VERDICTS.map((verdict) => `<th class="${verdict}">${e(`${VERDICT_GLYPHS[verdict]} ${VERDICT_WORDS[verdict]}`)}</th>`).join('')}<th>pairs</th></tr></thead>`;

/** Counts per verdict, per subscription, per database kind, per cause, and the run's facts. */
export function htmlSummary(
  summary: AuditSummary | null,
  problem: { message: string; details: string[] } | null,
  exitCode: number,
): string {
  if (!summary)
    return `<section id="problem"><h2>The audit could not run</h2><p>${e(problem?.message ?? 'cancelled')}</p>${(problem?.details ?? []).map((line) => `<p>${e(line)}</p>`).join('')}<p>Exit code ${exitCode}.</p></section>\n`;
  const subscriptions = Object.entries(summary.bySubscription).sort(([a], [b]) => a.localeCompare(b));
  const causes = Object.entries(summary.causes).sort(([, a], [, b]) => b - a);
  return `<section id="summary">
<h2>Summary</h2>
<p id="totals">${summary.pairs} pair${summary.pairs === 1 ? '' : 's'} from ${summary.apps.audited} apps and ${summary.servers} servers · exit code ${exitCode}</p>
<table id="by-verdict">${COUNT_HEAD}<tbody>${countsRow('all pairs', summary.verdicts, 'all')}</tbody></table>
<h2>Per subscription</h2>
<table id="by-subscription">${COUNT_HEAD}<tbody>${subscriptions.map(([id, counts]) => countsRow(id, counts, id)).join('')}</tbody></table>
<h2>Per database kind</h2>
<table id="by-kind">${COUNT_HEAD}<tbody>${DATABASE_KINDS.map((kind) => countsRow(databaseKindWord(kind), summary.byDatabaseKind[kind], kind)).join('')}</tbody></table>
<h2>Causes</h2>
<table id="by-cause"><thead><tr><th>check</th><th>pairs</th></tr></thead><tbody>${causes.map(([cause, n]) => `<tr data-key="${e(cause)}"><th scope="row">${e(cause)}</th><td class="n">${n}</td></tr>`).join('')}</tbody></table>
<p class="meta">Apps without a database connection: ${summary.apps.withoutDatabase} · not determinable at this permission level: ${summary.apps.undetermined} · gone since Resource Graph indexed them: ${summary.apps.gone} · naming a server outside the scope: ${summary.apps.outsideScope}</p>
<p class="meta">${summary.requests.requests} Azure requests (${summary.requests.cacheHits} reads answered from the run's cache, ${summary.requests.throttled} throttled), ${summary.resourceGraph.pages} Resource Graph pages, ${e(durationWords(summary.durationMs))}.</p>
</section>
`;
}

/** One table row of a pair: verdict, app, database, reason, and every check that did not pass. */
export function htmlPairRow(pair: PairResult): string {
  const open = pair.checks.filter(
    (check) => check.outcome.status !== 'pass' && check.outcome.status !== 'skip',
  );
  const checks = open
    .map(({ outcome, refusals }) => {
      const lines = [
        ...outcome.details.map((line) => `<li>${e(line)}</li>`),
        ...refusals.map(
          (refusal) =>
            `<li>Azure refused ${e(refusal.method)} ${e(refusal.path)} (${refusal.status}${refusal.code ? ` ${e(refusal.code)}` : ''})</li>`,
        ),
      ];
      const remedy = outcome.remediation
        ? `<p>${e(outcome.remediation.summary)}</p>${outcome.remediation.commands.map((command) => `<pre><code>${e(command)}</code></pre>`).join('')}`
        : '';
      return `<details><summary>${e(outcome.title)}: ${e(outcome.message)}</summary>${lines.length ? `<ul>${lines.join('')}</ul>` : ''}${remedy}</details>`;
    })
    .join('');
  const app = pair.app;
  return `<tr class="pair ${pair.verdict}" data-verdict="${pair.verdict}" data-app="${e(app.id.toLowerCase())}" data-server="${e(pair.plan.database.serverId.toLowerCase())}" data-database="${e(pair.plan.database.database ?? '')}" data-causes="${e(pair.causes.join(' '))}"><td class="${pair.verdict}">${e(`${VERDICT_GLYPHS[pair.verdict]} ${VERDICT_WORDS[pair.verdict]}`)}</td><td>${e(app.name)}<br><small>${e(app.kind)} · ${e(app.resourceGroup)} · ${e(app.subscriptionId)}</small></td><td>${e(databaseKindWord(pair.plan.database.kind))} ${e(databaseLabel(pair))}</td><td>${e(reasonOf(pair))}${checks}</td></tr>\n`;
}

export function htmlGroupHead(verdict: Verdict, count: number): string {
  return `<section id="pairs-${verdict}" data-verdict="${verdict}">
<h2 class="${verdict}">${e(`${VERDICT_GLYPHS[verdict]} ${VERDICT_WORDS[verdict]}`)} (${count})</h2>
<table class="pairs"><thead><tr><th>verdict</th><th>app</th><th>database</th><th>why, and the fix</th></tr></thead><tbody>
`;
}

export const HTML_GROUP_END = '</tbody></table>\n</section>\n';

export function htmlApps(entries: readonly AppEntry[]): string {
  if (entries.length === 0) return '';
  return `<section id="apps"><h2>Apps without a checkable pair (${entries.length})</h2>
<table><thead><tr><th>app</th><th>status</th><th>why</th></tr></thead><tbody>
${entries.map((entry) => `<tr class="app" data-status="${e(entry.status)}" data-app="${e(entry.app.id.toLowerCase())}"><td>${e(entry.app.name)}<br><small>${e(entry.app.kind)} · ${e(entry.app.resourceGroup)} · ${e(entry.app.subscriptionId)}</small></td><td>${e(entry.status)}</td><td>${e(entry.reason)}</td></tr>`).join('\n')}
</tbody></table></section>
`;
}

export const HTML_END =
  '<footer class="meta"><p>Generated by sc-doctor audit. Values of settings are never shown: only their names.</p></footer>\n</body>\n</html>\n';
