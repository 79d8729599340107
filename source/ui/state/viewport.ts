/**
 * Keeps the live region shorter than the terminal: estimates how many lines each row takes at the
 * current width and picks a window of rows around the selection that fits.
 */

import type { RowState } from './doctor-state.ts';
import { type NoteLine, rowNotes } from './row-notes.ts';

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

/**
 * Word-wraps `text` to `width` columns; words longer than a line break hard. The screen renders
 * these lines itself (rather than leaving it to Ink) so the height estimate is exact and a line
 * never starts with the space it broke at.
 */
export function wrapWords(text: string, width: number): string[] {
  // Check texts may carry their own line breaks; each paragraph wraps on its own.
  return text.split('\n').flatMap((paragraph) => wrapParagraph(paragraph, width));
}

function wrapParagraph(text: string, width: number): string[] {
  // A paragraph's own indent (the items of a list under its heading) is kept on every line.
  const indent = /^ */.exec(text)?.[0] ?? '';
  if (indent && width - indent.length > 0)
    return wrapParagraph(text.slice(indent.length), width - indent.length).map((line) => indent + line);
  if (width <= 0) return [text];
  const lines: string[] = [];
  let line: string[] = [];
  for (const word of text.split(' ')) {
    let chars = [...word];
    const next = line.length === 0 ? chars : [...line, ' ', ...chars];
    if (next.length <= width) {
      line = next;
      continue;
    }
    if (line.length > 0) lines.push(line.join(''));
    while (chars.length > width) {
      lines.push(chars.slice(0, width).join(''));
      chars = chars.slice(width);
    }
    line = chars;
  }
  lines.push(line.join(''));
  return lines;
}

/**
 * The screen lines of a note. Prose wraps at spaces. A command's label becomes `# ` comment lines, so
 * no part of it can run when pasted. A command too long for the width is continued with a trailing
 * backslash (` \` at a space, `\` inside a word), so a pasted block is still the one command, never
 * a runnable fragment of it.
 */
export function noteLines(note: NoteLine, width: number): string[] {
  if (note.kind === 'command-label') return wrapWords(note.text, width - 2).map((line) => `# ${line}`);
  if (note.kind === 'command') return commandLines(note.text, width);
  return wrapWords(note.text, width);
}

const CONTINUED = '  ';

/**
 * A command fitted to `width`: continued with a trailing backslash (` \` at a space, `\` inside a
 * word), so a pasted block is still the one command. Shorter commands come back as they are.
 */
export function commandLines(command: string, width: number): string[] {
  if (command.length <= width || width < 8) return [command];
  const lines: string[] = [];
  let rest = command;
  let indent = '';
  while (indent.length + rest.length > width) {
    const room = width - indent.length - 2;
    const space = rest.lastIndexOf(' ', room);
    if (space > 0) {
      lines.push(`${indent}${rest.slice(0, space)} \\`);
      rest = rest.slice(space + 1);
      indent = CONTINUED;
    } else {
      // A word longer than the line: backslash-newline joins its halves again in the shell.
      const cut = width - indent.length - 1;
      lines.push(`${indent}${rest.slice(0, cut)}\\`);
      rest = rest.slice(cut);
      indent = '';
    }
  }
  lines.push(`${indent}${rest}`);
  return lines;
}

/** Lines a text takes when wrapped by `wrapWords`. */
export function wrappedLineCount(text: string, width: number): number {
  return wrapWords(text, width).length;
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
  const message = row.outcome?.message ?? (row.slow ? (row.waitDetail ?? 'still running') : '');
  let height = wrappedLineCount(message, messageWidth(layout, row.phase !== 'done'));
  for (const note of rowNotes(row)) height += noteLines(note, noteTextWidth(layout, note)).length;
  return height;
}

export interface RowWindow {
  /** First row shown. */
  start: number;
  /** One past the last row shown (the last one may be cut off at the bottom). */
  end: number;
  /** Lines the rows may take; `null` when everything fits. */
  height: number | null;
  /** The last row shown does not fit completely. */
  cut: boolean;
}

/**
 * The rows to show in `budget` lines: the selected row completely (unless it alone is taller), as
 * many rows before it as fit, then rows after it until the space is used up, the last one cut off.
 * Two lines are kept for the "more above/below" notes whenever anything is hidden.
 */
export function visibleRows(heights: readonly number[], selected: number, budget: number): RowWindow {
  const total = heights.reduce((sum, h) => sum + h, 0);
  if (total <= budget) return { start: 0, end: heights.length, height: null, cut: false };
  const room = Math.max(1, budget - 2);
  const anchor = Math.min(Math.max(0, selected), heights.length - 1);
  let start = anchor;
  let used = heights[anchor] ?? 0;
  while (start > 0 && used + (heights[start - 1] ?? 0) <= room) {
    start -= 1;
    used += heights[start] ?? 0;
  }
  let end = anchor + 1;
  while (end < heights.length && used < room) {
    used += heights[end] ?? 0;
    end += 1;
  }
  return { start, end, height: Math.min(used, room), cut: used > room };
}
