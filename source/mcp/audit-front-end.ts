/**
 * The audit for a caller that wants one bounded answer rather than a stream (`sc-doctor mcp`'s `audit`
 * tool): the verdict counts and summary of the whole run, and at most `limit` pairs, the ones to act
 * on first (fail, then unknown, warn, pass). Pairs beyond the limit are counted and dropped as they
 * finish, so memory stays flat in the number of pairs however large the fleet is.
 */

import type { PairResult } from '../audit/check-pair.ts';
import { runAudit } from '../audit/run-audit.ts';
import type {
  AuditProblem,
  AuditProgress,
  AuditRequest,
  AuditSummary,
  VerdictCounts,
} from '../audit/types.ts';
import { VERDICTS } from '../audit/verdict.ts';
import type { Services } from '../core/services.ts';
import {
  AUDIT_SCHEMA_VERSION,
  documentHead,
  type JsonAuditAppEntry,
  type JsonAuditPair,
  jsonAppEntry,
  jsonPair,
} from '../output/audit/document.ts';

export interface ToolAuditOptions {
  services: Services;
  signal: AbortSignal;
  header: { tool: string; version: string };
  /** Pairs (and app entries) kept in the answer at most. */
  limit: number;
  /** Live counts, as the CLI's progress line shows them. */
  onProgress?(progress: AuditProgress): void;
}

/** The tool's answer: `sc-doctor audit --json`'s head, counts and summary, and the worst pairs. */
export interface ToolAuditDocument {
  [key: string]: unknown;
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  command: 'audit';
  scope: AuditRequest['scope'];
  filters: ReturnType<typeof documentHead>['audit']['filters'];
  checkUser: boolean;
  /** Pairs per verdict, over every pair found. */
  verdicts: VerdictCounts;
  /** How many pairs the audit found. */
  pairCount: number;
  /** At most `limit` pairs, fail first, then unknown, warn, pass (by app and server within each). */
  pairs: JsonAuditPair[];
  /** How many apps make no pair to check (gone, not determinable, a server outside the scope). */
  appCount: number;
  /** At most `limit` of those apps, not determinable first. */
  apps: JsonAuditAppEntry[];
  /** Null when the audit could not run or was cancelled. */
  summary: AuditSummary | null;
  /** Why the audit could not run (sign-in, Resource Graph refused the scope); null otherwise. */
  problem: Pick<AuditProblem, 'message' | 'details'> | null;
  /** What `sc-doctor audit` would exit with: 0 every pair passes, 1 one fails, 130 cancelled. */
  exitCode: number;
}

const RANK: Record<string, number> = Object.fromEntries(VERDICTS.map((verdict, index) => [verdict, index]));
const APP_RANK: Record<JsonAuditAppEntry['status'], number> = {
  undetermined: 0,
  gone: 1,
  'outside-scope': 2,
};

/** Runs the audit and answers with the counts and at most `limit` pairs, the worst first. */
export async function auditForTool(
  request: AuditRequest,
  options: ToolAuditOptions,
): Promise<ToolAuditDocument> {
  const head = documentHead(options.header, request);
  const pairs = new Worst<PairResult>(options.limit, pairOrder);
  const apps = new Worst<JsonAuditAppEntry>(options.limit, appOrder);
  const verdicts: VerdictCounts = { fail: 0, unknown: 0, warn: 0, pass: 0 };
  let summary: AuditSummary | null = null;
  let problem: ToolAuditDocument['problem'] = null;
  const run = await runAudit(request, {
    services: options.services,
    signal: options.signal,
    onEvent(event) {
      if (event.type === 'audit:pair') {
        verdicts[event.pair.verdict] += 1;
        pairs.offer(event.pair);
      } else if (event.type === 'audit:app') apps.offer(jsonAppEntry(event.entry));
      else if (event.type === 'audit:progress') options.onProgress?.(event.progress);
      else if (event.type === 'audit:end') summary = event.summary;
      else if (event.type === 'audit:failed')
        problem = { message: event.problem.message, details: [...event.problem.details] };
    },
  });
  const cancelled = options.signal.aborted;
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    tool: head.tool,
    command: 'audit',
    scope: head.audit.scope,
    filters: head.audit.filters,
    checkUser: head.audit.checkUser,
    verdicts,
    pairCount: pairs.offered,
    pairs: pairs.kept().map(jsonPair),
    appCount: apps.offered,
    apps: apps.kept(),
    summary: cancelled ? null : summary,
    problem,
    exitCode: cancelled ? 130 : run.exitCode,
  };
}

function pairOrder(a: PairResult, b: PairResult): number {
  return (
    RANK[a.verdict]! - RANK[b.verdict]! ||
    compare(a.app.key, b.app.key) ||
    compare(a.plan.database.serverId.toLowerCase(), b.plan.database.serverId.toLowerCase()) ||
    compare(a.plan.database.database ?? '', b.plan.database.database ?? '')
  );
}

function appOrder(a: JsonAuditAppEntry, b: JsonAuditAppEntry): number {
  return APP_RANK[a.status] - APP_RANK[b.status] || compare(a.app.id.toLowerCase(), b.app.id.toLowerCase());
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The first `limit` items by `order` of everything offered, without keeping the rest: when full, a
 * new item replaces the last one kept if it comes before it.
 */
class Worst<T> {
  offered = 0;
  readonly #items: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    this.offered += 1;
    if (this.limit <= 0) return;
    if (this.#items.length < this.limit) {
      this.#items.push(item);
      return;
    }
    let last = 0;
    for (let i = 1; i < this.#items.length; i++)
      if (this.order(this.#items[i]!, this.#items[last]!) > 0) last = i;
    if (this.order(item, this.#items[last]!) < 0) this.#items[last] = item;
  }

  kept(): T[] {
    return [...this.#items].sort(this.order);
  }
}
