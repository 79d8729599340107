/**
 * The closing lines of a run (source/setup/wording.ts) fitted to the screen: sentences wrap under
 * their indent, and a command is continued with backslashes, never broken at a space, so pasting
 * the lines still runs exactly that command.
 */
import type { ScreenLine } from '../components/ScrollView.tsx';
import { commandRows, proseLines } from './fit.ts';

/** Programs whose commands wording.ts prints two spaces in (left to do, hand-off). */
const COMMAND_AT_TWO = /^ {2}(?:sh|sc-doctor|az|psql|sqlcmd|mysql) /;

export function closingScreenLines(lines: readonly string[], columns: number): ScreenLine[] {
  return lines.flatMap((line) => {
    const indent = /^ */.exec(line)?.[0] ?? '';
    // wording.ts puts commands four spaces in (left in place), or two after a heading (left to do).
    if (indent.length >= 4 || COMMAND_AT_TWO.test(line))
      return commandRows(line.slice(indent.length), columns, indent).map((text) => ({ text }));
    // Sentences under a heading continue at their own indent: never in the commands' column.
    const hanging = indent === '' ? '  ' : indent;
    return proseLines(line.slice(indent.length), columns, indent, hanging).map((text) => ({ text }));
  });
}
