import { Box, Text } from 'ink';
import { PLAN_FOOTER } from '../../setup/wording.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import type { SetupState } from '../state/setup-state.ts';

export const PLAN_KEY_HINTS = 'enter apply  d details  esc back';
export const DRY_RUN_KEY_HINTS = 'd details  q quit';

export interface PlanScreenProps {
  state: SetupState;
  color: boolean;
  /** False once the plan was answered, or for a dry run: no key hints for apply. */
  awaitingAnswer: boolean;
}

/**
 * Every change before anything happens: one numbered line per step, ⚠ with the reason on those that
 * need consent, the preview lines with `d`, and the promise that all of it is undone on failure.
 */
export function PlanScreen({ state, color, awaitingAnswer }: PlanScreenProps) {
  return (
    <Box flexDirection="column">
      <Text bold>{`Plan · ${state.title ?? ''}`}</Text>
      {state.steps.map((step, index) => (
        <Box key={step.id} flexDirection="column">
          <Box>
            <Box width={3} flexShrink={0}>
              <Text>{String(index + 1)}</Text>
            </Box>
            <Box flexGrow={1}>
              <Text>{step.title}</Text>
            </Box>
            {step.consent ? (
              <Box flexShrink={0} marginLeft={2}>
                <Text color={color ? 'yellow' : undefined}>{`⚠ ${step.consent}`}</Text>
              </Box>
            ) : null}
          </Box>
          {state.details
            ? step.lines.map((line) => <Text key={line} dimColor={color}>{`   ${line}`}</Text>)
            : null}
        </Box>
      ))}
      <Text>{PLAN_FOOTER}</Text>
      {state.dryRun ? <Text>Dry run: nothing will be changed.</Text> : null}
      <KeyHints hints={awaitingAnswer ? PLAN_KEY_HINTS : DRY_RUN_KEY_HINTS} color={color} />
    </Box>
  );
}
