/**
 * Keeps the live region shorter than the terminal: estimates how many lines each row takes at the
 * current width and picks a window of rows around the selection that fits.
 */
import { type NoteLine, rowNotes } from './row-notes.ts';
import type { RowState } from './doctor-state.ts';

/** Column widths shared by the row view and the height estimate. */
export interface RowLayout {
  columns: number;
  /** Selection marker (`❯ `). */
  marker: number;
  /** Glyph, space, status word padded. */
  badge: number;
  title: number;
  /** Note labels (`fix`, `docs`). */
  label: number;
  /** Right-hand elapsed time of a running row. */
  elapsed: number;
}

export function rowLayout(columns: number, titles: readonly string[]): RowLayout {
  const longest = titles.reduce((max, title) => Math.max(max, [...title].length), 0);
  // Long titles must not squeeze the message to nothing on a narrow terminal.
  const title = Math.min(Math.max(longest + 2, 14), Math.max(14, Math.floor(columns / 3)));
  return { columns, marker: 2, badge: 9, title, label: 9, elapsed: 8 };
}

/** Lines a text takes when word-wrapped to `width` (long words break hard, as Ink's wrap does). */
export function wrappedLineCount(text: string, width: number): number {
  if (width <= 0) return 1;
  let lines = 1;
  let used = 0;
  for (const word of text.split(' ')) {
    let length = [...word].length;
    const needed = used === 0 ? length : used + 1 + length;
    if (needed <= width) {
      used = needed;
      continue;
    }
    if (used > 0) {
      lines += 1;
      used = 0;
    }
    while (length > width) {
      lines += 1;
      length -= width;
    }
    used = length;
  }
  return lines;
}

export function noteTextWidth(layout: RowLayout, note: NoteLine): number {
  const indent = layout.marker + layout.badge;
  return note.kind === 'detail' || note.kind === 'more'
    ? layout.columns - indent
    : layout.columns - indent - layout.label;
}

export function messageWidth(layout: RowLayout, running: boolean): number {
  return layout.columns - layout.marker - layout.badge - layout.title - (running ? layout.elapsed : 0);
}

/** Estimated height of a row with its notes. */
export function rowHeight(row: RowState, layout: RowLayout): number {
  const message = row.outcome?.message ?? (row.slow ? 'still running' : '');
  let height = wrappedLineCount(message, messageWidth(layout, row.phase !== 'done'));
  for (const note of rowNotes(row)) height += wrappedLineCount(note.text, noteTextWidth(layout, note));
  return height;
}

export interface RowWindow {
  /** First row shown. */
  start: number;
  /** One past the last row shown. */
  end: number;
}

/**
 * The rows to show so that they fit in `budget` lines and include `selected`. When rows are hidden,
 * two lines are kept for the "more above/below" notes. A selected row taller than the budget is
 * still shown on its own: hiding the row the user is looking at would be worse.
 */
export function visibleRows(heights: readonly number[], selected: number, budget: number): RowWindow {
  const total = heights.reduce((sum, h) => sum + h, 0);
  if (total <= budget) return { start: 0, end: heights.length };
  const room = budget - 2;
  const anchor = Math.min(Math.max(0, selected), heights.length - 1);
  let start = anchor;
  let end = anchor + 1;
  let used = heights[anchor] ?? 0;
  for (let grew = true; grew; ) {
    grew = false;
    const below = heights[end];
    if (below !== undefined && used + below <= room) {
      used += below;
      end += 1;
      grew = true;
    }
    const above = heights[start - 1];
    if (above !== undefined && used + above <= room) {
      used += above;
      start -= 1;
      grew = true;
    }
  }
  return { start, end };
}
