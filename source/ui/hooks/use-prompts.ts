import { type Dispatch, useEffect } from 'react';
import type { PromptChannel } from '../../core/prompter.ts';
import type { AppAction } from '../state/app-state.ts';

/**
 * Serves the session's questions: each opens the question screen; a withdrawn one closes it again.
 * Without raw mode no key reaches a question, so it is answered "backed out" at once instead of
 * leaving the flow waiting forever.
 */
export function usePrompts(
  channel: PromptChannel | undefined,
  dispatch: Dispatch<AppAction>,
  canAnswer: boolean,
): void {
  useEffect(() => {
    if (!channel) return;
    return channel.serve((prompt) => {
      if (!canAnswer) return prompt.answer(undefined as never);
      prompt.signal?.addEventListener('abort', () => dispatch({ type: 'prompt:close', id: prompt.id }), {
        once: true,
      });
      dispatch({ type: 'prompt:open', prompt });
    });
  }, [channel, dispatch, canAnswer]);
}
