import { type Dispatch, useMemo } from 'react';
import type { OpenPrompt } from '../../core/prompter.ts';
import type { SetupOutcome } from '../../setup/flow-types.ts';
import { setupOutcomeExitCode } from '../../setup/outcome-exit.ts';
import type { AppActions } from '../context.tsx';
import type { AppAction } from '../state/app-state.ts';

/** Named actions over the reducer: the only place that touches `dispatch`. */
export function useAppActionsFor(
  prompts: readonly OpenPrompt[],
  dispatch: Dispatch<AppAction>,
  strict: boolean,
  setupOutcome: SetupOutcome | null = null,
): AppActions {
  return useMemo(
    () => ({
      move: (delta) => dispatch({ type: 'move', delta }),
      toggleDetails: () => dispatch({ type: 'toggle-details' }),
      quit: () => dispatch({ type: 'quit', strict }),
      cancel: () => dispatch({ type: 'cancel' }),
      answer: (id, value, label) => {
        const prompt = prompts.find((open) => open.id === id);
        dispatch({ type: 'prompt:close', id, ...(label !== undefined ? { picked: label } : {}) });
        prompt?.answer(value as never);
      },
      toggleSetupDetails: () => dispatch({ type: 'setup:toggle-details' }),
      startSetup: () => dispatch({ type: 'setup:start' }),
      finishSetup: () =>
        dispatch({
          type: 'setup:quit',
          exitCode: setupOutcome ? setupOutcomeExitCode(setupOutcome, false) : 130,
        }),
    }),
    [prompts, dispatch, strict, setupOutcome],
  );
}
