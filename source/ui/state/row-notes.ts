/**
 * What appears under a check row: detail lines, the fix, its commands, the docs link. Built once as
 * data so the view renders exactly what the viewport measures.
 */
import type { RowState } from './doctor-state.ts';

/** Collapsed rows show at most this many detail lines; enter shows the rest. */
export const COLLAPSED_DETAIL_LINES = 4;

export type NoteKind = 'detail' | 'more' | 'fix' | 'command-label' | 'command' | 'docs' | 'fact' | 'meta';

export interface NoteLine {
  kind: NoteKind;
  /** Left column (`fix`, `docs`, `lookup`, `facts`...), one style, no colon; empty for lines that span the whole width. */
  label: string;
  text: string;
}

/**
 * Lines under a row: nothing for a collapsed pass or an unfinished check. `final` is the report left
 * in scrollback after exit: no key can open a row there, so every detail line is shown.
 */
export function rowNotes(row: RowState, final = false): NoteLine[] {
  const outcome = row.outcome;
  if (!outcome) return [];
  const open = row.expanded;
  if (outcome.status === 'pass' && !open) return [];

  const lines: NoteLine[] = [];
  const details = open || final ? outcome.details : outcome.details.slice(0, COLLAPSED_DETAIL_LINES);
  for (const text of details) lines.push(detailLine(text));
  const hidden = outcome.details.length - details.length;
  if (hidden > 0) {
    lines.push({
      kind: 'more',
      label: '',
      text: `… ${hidden} more ${hidden === 1 ? 'line' : 'lines'} · enter shows all`,
    });
  }

  const remediation = outcome.remediation;
  if (remediation) {
    lines.push({ kind: 'fix', label: 'fix', text: remediation.summary });
    for (const command of remediation.commands) {
      const platform = remediation.commandLabels?.[command];
      if (platform) lines.push({ kind: 'command-label', label: '', text: platform });
      lines.push({ kind: 'command', label: '', text: command });
    }
    if (remediation.docsUrl) lines.push({ kind: 'docs', label: 'docs', text: remediation.docsUrl });
  }
  if (open) {
    // What the row itself never shows: the facts the check found, then how long it took.
    for (const [index, fact] of factLines(outcome.data).entries())
      lines.push({ kind: 'fact', label: index === 0 ? 'facts' : '', text: fact });
    lines.push({
      kind: 'meta',
      label: 'took',
      text: `${formatSeconds(outcome.durationMs)} · id ${outcome.id}`,
    });
  }
  return lines;
}

/**
 * A detail written as `word: text` (`lookup: https://…`) puts its word in the label column, like
 * `fix` and `docs`, so every label on screen has one style.
 */
function detailLine(text: string): NoteLine {
  const labelled = /^([a-z][a-z-]{1,8}): (\S.*)$/s.exec(text);
  if (labelled) return { kind: 'docs', label: labelled[1]!, text: labelled[2]! };
  return { kind: 'detail', label: '', text };
}

/** `key  value` for each plain fact in a check's `data` (nested objects are left to `--json`). */
export function factLines(data: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    const shown = factValue(value);
    if (shown !== undefined) lines.push(`${key}  ${shown}`);
  }
  return lines;
}

function factValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item)))
    return value.length > 0 ? value.join(', ') : undefined;
  return undefined;
}

/** `1.2s`, one decimal: precise enough to see a slow check, short enough for a column. */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
