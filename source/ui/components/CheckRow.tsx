import { Box, Text } from 'ink';
import type { RowState } from '../state/doctor-state.ts';
import { formatSeconds, rowNotes } from '../state/row-notes.ts';
import { messageWidth, type RowLayout, wrapWords } from '../state/viewport.ts';
import { Remediation } from './Remediation.tsx';
import { StatusBadge } from './StatusBadge.tsx';

export interface CheckRowProps {
  row: RowState;
  layout: RowLayout;
  selected: boolean;
  /** UI clock, for the elapsed time of a running check. */
  now: number;
  color: boolean;
  /** The run was cancelled: an unfinished row says so instead of spinning. */
  cancelled: boolean;
  /** The report left in scrollback after exit (see `rowNotes`). */
  final?: boolean;
}

/** One check: marker, status, title, message (or elapsed time while running), then its notes. */
export function CheckRow({ row, layout, selected, now, color, cancelled, final = false }: CheckRowProps) {
  const stopped = cancelled && row.phase !== 'done';
  const running = row.phase === 'running' && !stopped;
  const message = stopped
    ? 'cancelled'
    : (row.outcome?.message ?? (row.slow ? (row.waitDetail ?? 'still running') : ''));
  return (
    // flexShrink 0: in the height-capped list a row is cut at the bottom, never squeezed (Yoga would
    // otherwise shrink rows to fit and drop lines out of their middle).
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0}>
        <Box width={layout.marker} flexShrink={0}>
          <Text>{selected ? '❯' : ' '}</Text>
        </Box>
        <Box width={layout.badge} flexShrink={0}>
          <StatusBadge row={row} color={color} cancelled={cancelled} />
        </Box>
        <Box width={layout.title} flexShrink={0}>
          <Text bold={selected} wrap="truncate-end">
            {row.title}
          </Text>
        </Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text color={color && row.slow && running ? 'yellow' : undefined}>
            {wrapWords(message, messageWidth(layout, running)).join('\n')}
          </Text>
        </Box>
        {running && row.startedAt !== null ? (
          <Box width={layout.elapsed} flexShrink={0} justifyContent="flex-end">
            <Text dimColor={color}>{formatSeconds(now - row.startedAt)}</Text>
          </Box>
        ) : null}
      </Box>
      <Remediation notes={rowNotes(row, final)} layout={layout} color={color} />
    </Box>
  );
}
