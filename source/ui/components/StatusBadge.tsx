import { Text } from 'ink';
import { STATUS_LOOK } from '../../core/status-display.ts';
import type { RowState } from '../state/doctor-state.ts';
import { Spinner } from './Spinner.tsx';

/** Word column width: the longest word (`TIMEOUT`) plus room. */
const WORD_WIDTH = 7;

/**
 * Glyph and word of a row's status; colour only repeats what the word already says. Once the run is
 * cancelled an unfinished row stops spinning, so scrollback never keeps a frozen spinner.
 */
export function StatusBadge({
  row,
  color,
  cancelled,
}: {
  row: RowState;
  color: boolean;
  cancelled: boolean;
}) {
  if (cancelled && row.phase !== 'done') {
    return <Text color={color ? 'yellow' : undefined}>{`○ ${'halted'.padEnd(WORD_WIDTH)}`}</Text>;
  }
  if (row.phase === 'running') {
    return (
      <Text>
        <Spinner color={color} /> {'...'.padEnd(WORD_WIDTH)}
      </Text>
    );
  }
  if (!row.outcome) {
    return <Text dimColor={color}>{`· ${'wait'.padEnd(WORD_WIDTH)}`}</Text>;
  }
  const look = STATUS_LOOK[row.outcome.status];
  return (
    <Text color={color ? look.color : undefined}>{`${look.glyph} ${look.word.padEnd(WORD_WIDTH)}`}</Text>
  );
}
