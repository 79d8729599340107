/**
 * The interactive audit's state as a pure reducer: the core's events go in (progress, each finished
 * pair as a compact row), then the table's keys (type to filter, move, open a pair). Rows keep only
 * what the table shows and what a recheck needs (the app and the plan), never the checks themselves:
 * a pair's full doctor is run again when it is opened.
 */
import type { PairResult } from '../../audit/check-pair.ts';
import type { PairPlan } from '../../audit/connections.ts';
import type { AppRow } from '../../audit/inventory.ts';
import type { AppEntry, AuditEvent, AuditProblem, AuditProgress, AuditSummary } from '../../audit/types.ts';
import { VERDICT_WORDS, VERDICTS, type Verdict } from '../../audit/verdict.ts';
import { databaseKindWord, databaseLabel, reasonOf } from '../../audit/words.ts';

export interface AuditRow {
  verdict: Verdict;
  app: AppRow;
  plan: PairPlan;
  /** `PostgreSQL pg-orders/orders`. */
  database: string;
  reason: string;
  /** Lower-case text the filter searches. */
  haystack: string;
}

export interface AuditState {
  phase: 'signin' | 'discovery' | 'checking' | 'done' | 'failed';
  progress: AuditProgress | null;
  discovered: { servers: number; subscriptions: number } | null;
  /** Every pair's row, in verdict order once the run is done (arrival order until then). */
  rows: AuditRow[];
  entries: AppEntry[];
  summary: AuditSummary | null;
  exitCode: number | null;
  problem: AuditProblem | null;
  filter: string;
  /** Index into `visibleRows(state)`. */
  selected: number;
}

export type AuditAction =
  | { type: 'events'; events: AuditEvent[] }
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'clear-filter' }
  | { type: 'move'; delta: number };

export function initialAuditState(): AuditState {
  return {
    phase: 'signin',
    progress: null,
    discovered: null,
    rows: [],
    entries: [],
    summary: null,
    exitCode: null,
    problem: null,
    filter: '',
    selected: 0,
  };
}

export function rowOf(pair: PairResult): AuditRow {
  const database = `${databaseKindWord(pair.plan.database.kind)} ${databaseLabel(pair)}`;
  const reason = reasonOf(pair);
  return {
    verdict: pair.verdict,
    app: pair.app,
    plan: pair.plan,
    database,
    reason,
    haystack: [
      VERDICT_WORDS[pair.verdict],
      pair.app.name,
      pair.app.kind,
      pair.app.resourceGroup,
      pair.app.subscriptionId,
      database,
      reason,
    ]
      .join(' ')
      .toLowerCase(),
  };
}

/** The rows the filter lets through (every word must match), in table order. */
export function visibleRows(state: AuditState): AuditRow[] {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return state.rows;
  return state.rows.filter((row) => words.every((word) => row.haystack.includes(word)));
}

function sorted(rows: AuditRow[]): AuditRow[] {
  const rank = (verdict: Verdict) => VERDICTS.indexOf(verdict);
  return [...rows].sort(
    (a, b) =>
      rank(a.verdict) - rank(b.verdict) ||
      a.app.name.localeCompare(b.app.name) ||
      a.database.localeCompare(b.database),
  );
}

export function auditReducer(state: AuditState, action: AuditAction): AuditState {
  switch (action.type) {
    case 'events': {
      let next = state;
      const rows: AuditRow[] = [];
      for (const event of action.events) {
        if (event.type === 'audit:pair') rows.push(rowOf(event.pair));
        else next = applyEvent(next, event);
      }
      if (rows.length > 0) next = { ...next, rows: [...next.rows, ...rows] };
      if (next.phase === 'done' && state.phase !== 'done')
        next = { ...next, rows: sorted(next.rows), selected: 0 };
      return next;
    }
    case 'type':
      return { ...state, filter: state.filter + action.text, selected: 0 };
    case 'erase':
      return { ...state, filter: [...state.filter].slice(0, -1).join(''), selected: 0 };
    case 'clear-filter':
      return { ...state, filter: '', selected: 0 };
    case 'move': {
      const count = visibleRows(state).length;
      if (count === 0) return state;
      return { ...state, selected: Math.min(count - 1, Math.max(0, state.selected + action.delta)) };
    }
  }
}

function applyEvent(state: AuditState, event: AuditEvent): AuditState {
  switch (event.type) {
    case 'audit:phase':
      return { ...state, phase: event.phase };
    case 'audit:discovered':
      return { ...state, discovered: { servers: event.servers, subscriptions: event.subscriptions } };
    case 'audit:progress':
      return { ...state, progress: event.progress };
    case 'audit:app':
      return { ...state, entries: [...state.entries, event.entry] };
    case 'audit:end':
      return { ...state, phase: 'done', summary: event.summary, exitCode: event.exitCode };
    case 'audit:failed':
      return { ...state, phase: 'failed', problem: event.problem, exitCode: event.exitCode };
    default:
      return state;
  }
}
