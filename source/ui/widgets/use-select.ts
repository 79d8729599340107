import { useInput } from 'ink';
import { type Dispatch, useEffect, useReducer } from 'react';
import type { Choice, ChoiceLoader } from '../../core/prompter.ts';
import {
  highlightedChoice,
  initialSelectState,
  type SelectAction,
  type SelectState,
  selectReducer,
} from './select-state.ts';

export interface UseSelectOptions<T> {
  /** A list, or a loader run once per mount (aborted on unmount). */
  choices: readonly Choice<T>[] | ChoiceLoader<T>;
  /** Only the focused screen's widget listens to keys. */
  isActive: boolean;
  /** enter: the chosen value, and its label (what the list remembers for next time). */
  onSubmit(value: T, label: string): void;
  /** esc: go back without choosing. */
  onBack(): void;
  /** The label picked here before: highlighted when the list opens again. */
  remembered?: string | undefined;
}

/** State plus keys of a pick list: ↑↓ move, typing filters, backspace erases, enter picks, esc goes back. */
export function useSelect<T>(options: UseSelectOptions<T>): SelectState<T> {
  const { choices } = options;
  const [state, dispatch] = useReducer(selectReducer<T>, null, () =>
    initialSelectState<T>(typeof choices === 'function' ? null : choices, options.remembered ?? null),
  );
  useChoiceLoader(choices, dispatch);
  useInput(
    (input, key) => {
      if (key.upArrow) dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow) dispatch({ type: 'move', delta: 1 });
      else if (key.escape) options.onBack();
      else if (key.return) {
        const choice = highlightedChoice(state);
        if (choice) options.onSubmit(choice.value, choice.label);
      } else if (key.backspace || key.delete) dispatch({ type: 'erase' });
      else if (input && !key.ctrl && !key.meta && !key.tab) dispatch({ type: 'type', text: input });
    },
    { isActive: options.isActive },
  );
  return state;
}

function useChoiceLoader<T>(
  choices: UseSelectOptions<T>['choices'],
  dispatch: Dispatch<SelectAction<T>>,
): void {
  useEffect(() => {
    if (typeof choices !== 'function') return;
    const controller = new AbortController();
    choices(controller.signal).then(
      (loaded) => {
        if (controller.signal.aborted) return;
        if ('choices' in loaded) dispatch({ type: 'loaded', choices: loaded.choices, notes: loaded.notes });
        else dispatch({ type: 'loaded', choices: loaded });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        dispatch({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [choices, dispatch]);
}
