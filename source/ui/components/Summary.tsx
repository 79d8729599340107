import { Box, Text } from 'ink';
import { summaryText } from '../../core/status-display.ts';
import type { DoctorSummary } from '../../core/types.ts';

export interface SummaryProps {
  summary: DoctorSummary;
  running: number;
  waiting: number;
  /** The user left before the checks finished. */
  cancelled: boolean;
  runError: string | null;
  /** With `runError`: it is a usage or configuration error and these are its hints (the fix). */
  usageHints?: string[] | null;
  color: boolean;
  /** No check announced yet (the first frames, while the session starts). */
  starting?: boolean;
}

/**
 * `4 passed · 1 warning · 1 failed · 1 running · 1 waiting`, `cancelled · …`, a usage error with its
 * fix (as plain mode prints it), or why the doctor itself stopped.
 */
export function Summary({
  summary,
  running,
  waiting,
  cancelled,
  runError,
  usageHints,
  color,
  starting,
}: SummaryProps) {
  if (runError !== null && usageHints) {
    return (
      <Box flexDirection="column">
        <Text bold color={color ? 'red' : undefined}>{`sc-doctor: ${runError}`}</Text>
        {usageHints.map((hint) => (
          <Text key={hint}>{hint}</Text>
        ))}
      </Box>
    );
  }
  if (runError !== null) {
    return <Text color={color ? 'magenta' : undefined}>{`the doctor itself failed: ${runError}`}</Text>;
  }
  if (cancelled) {
    const stopped = running + waiting;
    const done = summaryText(summary);
    return (
      <Text bold color={color ? 'yellow' : undefined}>
        {`cancelled · ${stopped} not finished${done === 'no checks' ? '' : ` · ${done}`}`}
      </Text>
    );
  }
  // Before doctor:start there is nothing to count; "no checks" would read as a result.
  if (starting) return <Text dimColor={color}>starting…</Text>;
  const bad = summary.fail + summary.error + summary.timeout > 0;
  const unfinished = running + waiting;
  return (
    <Text bold color={color && unfinished === 0 ? (bad ? 'red' : 'green') : undefined}>
      {summaryText(summary, running, waiting)}
    </Text>
  );
}
