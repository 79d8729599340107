import { Box, Text } from 'ink';
import type { FrontEndInput } from '../../run/front-end.ts';
import { Line } from '../components/ScrollView.tsx';
import type { SetupState } from '../state/setup-state.ts';
import { closingScreenLines } from '../text/closing.ts';
import { proseLines } from '../text/fit.ts';
import { ApplyScreen } from './ApplyScreen.tsx';
import { planLines } from './PlanScreen.tsx';
import { closingOf } from './setup-routes.tsx';

/**
 * What stays in the scrollback after a setup, once: the plan when nothing was applied (a dry run, a
 * plan backed out of), else the steps as they ended; then the closing lines. The connection code
 * follows once Ink has gone (`runInteractive` prints it raw, never wrapped).
 */
export function SetupFinal({
  state,
  input,
  now,
  columns,
}: {
  state: SetupState;
  input: FrontEndInput;
  now: number;
  columns: number;
}) {
  if (state.steps.length === 0 && !state.outcome) return null;
  const closing = closingOf(state.outcome);
  if (state.runId === null) {
    const lines = [
      ...planLines({ ...state, details: false }, columns),
      ...closingScreenLines(closing, columns),
    ];
    return (
      <Box flexDirection="column" width={columns}>
        {state.title ? <Text bold>{proseLines(`Plan · ${state.title}`, columns).join('\n')}</Text> : null}
        {lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines can repeat
          <Line key={index} line={line} color={input.color} />
        ))}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      {state.title ? <Text bold>{proseLines(`Setup · ${state.title}`, columns).join('\n')}</Text> : null}
      <ApplyScreen state={state} now={now} color={input.color} closing={closing} columns={columns} />
    </Box>
  );
}
