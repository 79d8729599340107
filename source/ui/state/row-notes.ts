/**
 * What appears under a check row: detail lines, the fix, its commands, the docs link. Built once as
 * data so the view renders exactly what the viewport measures.
 */
import type { RowState } from './doctor-state.ts';

/** Collapsed rows show at most this many detail lines; enter shows the rest. */
export const COLLAPSED_DETAIL_LINES = 4;

export type NoteKind = 'detail' | 'more' | 'fix' | 'command-label' | 'command' | 'docs' | 'meta';

export interface NoteLine {
  kind: NoteKind;
  /** Left column (`fix`, `docs`...); empty for lines that span the whole width. */
  label: string;
  text: string;
}

/** Lines under a row: nothing for a collapsed pass or an unfinished check. */
export function rowNotes(row: RowState): NoteLine[] {
  const outcome = row.outcome;
  if (!outcome) return [];
  const open = row.expanded;
  if (outcome.status === 'pass' && !open) return [];

  const lines: NoteLine[] = [];
  const details = open ? outcome.details : outcome.details.slice(0, COLLAPSED_DETAIL_LINES);
  for (const text of details) lines.push({ kind: 'detail', label: '', text });
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
  if (open)
    lines.push({
      kind: 'meta',
      label: 'took',
      text: `${formatSeconds(outcome.durationMs)} · id ${outcome.id}`,
    });
  return lines;
}

/** `1.2s`, one decimal: precise enough to see a slow check, short enough for a column. */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
