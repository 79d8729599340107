import { type Dispatch, useEffect } from 'react';
import type { PromptChannel } from '../../core/prompter.ts';
import type { AppAction } from '../state/app-state.ts';

/** Serves the session's questions: each opens the question screen; a withdrawn one closes it again. */
export function usePrompts(channel: PromptChannel | undefined, dispatch: Dispatch<AppAction>): void {
  useEffect(() => {
    if (!channel) return;
    return channel.serve((prompt) => {
      prompt.signal?.addEventListener('abort', () => dispatch({ type: 'prompt:close', id: prompt.id }), {
        once: true,
      });
      dispatch({ type: 'prompt:open', prompt });
    });
  }, [channel, dispatch]);
}
