/**
 * Fitting text to a terminal width without letting the terminal wrap it: prose wraps at spaces under
 * its own indent, commands continue with a backslash (still one command when pasted), and code is
 * never wrapped: a line too long for the screen is cut and marked, and the copy keeps it whole.
 */
import { commandLines, wrapWords } from '../state/viewport.ts';

/** Ends a line of code that was cut at the screen's edge. */
export const CUT_MARK = '›';

/** Tab stops for showing code (the copied and saved bytes keep their tabs). */
const TAB = 4;

/** Tabs as spaces to the next stop, so a line's width on screen is its length. */
export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const char of line) {
    if (char === '\t') out += ' '.repeat(TAB - ([...out].length % TAB));
    else out += char;
  }
  return out;
}

/** A line of code as the screen shows it: tabs expanded, cut with `›` when wider than `width`. */
export function cutLine(line: string, width: number): { text: string; cut: boolean } {
  const chars = [...expandTabs(line)];
  if (chars.length <= width) return { text: chars.join(''), cut: false };
  return { text: `${chars.slice(0, Math.max(0, width - 1)).join('')}${CUT_MARK}`, cut: true };
}

/** The lines of a text as the generator wrote them (a final newline ends the last line, no more). */
export function codeLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Prose wrapped at spaces to `width`; lines after the first start with `hanging` (a detail under a
 * row's title), so no line starts at the left edge mid-sentence.
 */
export function proseLines(text: string, width: number, indent = '', hanging = indent): string[] {
  const room = Math.max(8, width - Math.max(indent.length, hanging.length));
  return wrapWords(text, room).map((line, index) => `${index === 0 ? indent : hanging}${line}`);
}

/** A command under `indent`, continued with backslashes when it is wider than the rest of the line. */
export function commandRows(command: string, width: number, indent = ''): string[] {
  return commandLines(command, Math.max(8, width - indent.length)).map((line) => `${indent}${line}`);
}
