import { Box, Text } from 'ink';
import { scrollWindow } from '../state/scroll.ts';

/** How a line looks; colour is only ever added to a glyph or word that says the same. */
export type LineTone = 'plain' | 'dim' | 'bold' | 'accent' | 'good' | 'warn' | 'bad';

/** One terminal row: its text already fits the width (wrapped or cut by the screen that built it). */
export interface ScreenLine {
  text: string;
  tone?: LineTone;
}

const COLORS: Partial<Record<LineTone, string>> = {
  accent: 'cyan',
  good: 'green',
  warn: 'yellow',
  bad: 'red',
};

export function Line({ line, color }: { line: ScreenLine; color: boolean }) {
  const tone = line.tone ?? 'plain';
  return (
    <Text
      wrap="truncate-end"
      bold={tone === 'bold'}
      dimColor={color && tone === 'dim'}
      color={color ? COLORS[tone] : undefined}
    >
      {line.text === '' ? ' ' : line.text}
    </Text>
  );
}

export interface ScrollViewProps {
  lines: readonly ScreenLine[];
  /** Rows the view may take, its marks included. */
  height: number;
  /** First line shown (clamped); `FOLLOW_END` shows the last ones. */
  offset: number;
  color: boolean;
  /** What the marks count, e.g. `lines`. */
  unit?: string;
}

/**
 * Lines in a window of `height` rows, with `↑ N more above` / `↓ N more below` when some are hidden,
 * so a screen never grows taller than the terminal (a taller frame leaves copies in the scrollback).
 */
export function ScrollView({ lines, height, offset, color, unit = 'lines' }: ScrollViewProps) {
  const window = scrollWindow(lines.length, height, offset);
  return (
    <Box flexDirection="column" flexShrink={0}>
      {window.above > 0 ? <Text dimColor={color}>{`  ↑ ${window.above} more ${unit} above`}</Text> : null}
      {lines.slice(window.start, window.end).map((line, index) => (
        // Lines can repeat (blank lines, `}`): the position is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Line key={window.start + index} line={line} color={color} />
      ))}
      {window.below > 0 ? <Text dimColor={color}>{`  ↓ ${window.below} more ${unit} below`}</Text> : null}
    </Box>
  );
}
