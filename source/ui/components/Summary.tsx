import { Text } from 'ink';
import { summaryText } from '../../core/status-display.ts';
import type { DoctorSummary } from '../../core/types.ts';

export interface SummaryProps {
  summary: DoctorSummary;
  unfinished: number;
  runError: string | null;
  color: boolean;
}

/** `4 passed · 1 warning · 1 failed · 1 running`, or why the doctor itself stopped. */
export function Summary({ summary, unfinished, runError, color }: SummaryProps) {
  if (runError !== null) {
    return <Text color={color ? 'magenta' : undefined}>{`the doctor itself failed: ${runError}`}</Text>;
  }
  const bad = summary.fail + summary.error + summary.timeout > 0;
  return (
    <Text bold color={color && unfinished === 0 ? (bad ? 'red' : 'green') : undefined}>
      {summaryText(summary, unfinished)}
    </Text>
  );
}
