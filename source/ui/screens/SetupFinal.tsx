import { Box, Text } from 'ink';
import type { FrontEndInput } from '../../core/front-end.ts';
import type { SetupState } from '../state/setup-state.ts';
import { ApplyScreen } from './ApplyScreen.tsx';
import { closingOf } from './setup-routes.tsx';

/**
 * What stays in the scrollback after a setup: the steps as they ended, the closing lines, and the
 * connection code printed once more so it can be copied after the screen is gone.
 */
export function SetupFinal({ state, input, now }: { state: SetupState; input: FrontEndInput; now: number }) {
  if (state.steps.length === 0 && !state.outcome) return null;
  const code = state.outcome && input.snippetsFor ? input.snippetsFor(state.outcome) : null;
  return (
    <Box flexDirection="column">
      {state.title ? <Text bold>{`Setup · ${state.title}`}</Text> : null}
      <ApplyScreen state={state} now={now} color={input.color} closing={closingOf(state.outcome)} />
      {code ? (
        <>
          <Text bold>{code.headline}</Text>
          {code.settings.map((setting) => (
            <Text key={setting.name}>{`${setting.name}=${setting.value}`}</Text>
          ))}
          {code.files.map((file) => (
            <Box key={file.title} flexDirection="column">
              <Text bold>{file.title}</Text>
              <Text>{file.content}</Text>
            </Box>
          ))}
        </>
      ) : null}
    </Box>
  );
}
