/**
 * The pick list as a pure reducer: choices arrive (possibly later, from a loader), typing narrows
 * them, arrows move the highlight among what is left. No rendering, no keys: unit-testable alone.
 */
import type { Choice } from '../../core/prompter.ts';

export interface SelectState<T> {
  /** `null` while the loader runs. */
  choices: readonly Choice<T>[] | null;
  /** Why loading failed, shown instead of the list. */
  loadError: string | null;
  /** What the loader adds under the list (a part it could not list). */
  notes: readonly string[];
  filter: string;
  /** Index into `visibleChoices(state)`. */
  highlighted: number;
  /** The label to highlight once the choices are there: what was picked here before. */
  remembered: string | null;
}

export type SelectAction<T> =
  | { type: 'loaded'; choices: readonly Choice<T>[]; notes?: readonly string[] }
  | { type: 'load-failed'; message: string }
  | { type: 'move'; delta: number }
  | { type: 'type'; text: string }
  | { type: 'erase' };

export function initialSelectState<T>(
  choices: readonly Choice<T>[] | null,
  remembered: string | null = null,
): SelectState<T> {
  return {
    choices,
    loadError: null,
    notes: [],
    filter: '',
    highlighted: indexOf(choices, remembered),
    remembered,
  };
}

/** Where `label` is in the list (0 when it is not there any more). */
function indexOf<T>(choices: readonly Choice<T>[] | null, label: string | null): number {
  if (!choices || label === null) return 0;
  return Math.max(
    0,
    choices.findIndex((choice) => choice.label === label),
  );
}

/** Choices whose label or hint contains the filter, case-insensitively. */
export function visibleChoices<T>(state: SelectState<T>): readonly Choice<T>[] {
  if (!state.choices) return [];
  const wanted = state.filter.toLowerCase();
  if (wanted === '') return state.choices;
  return state.choices.filter((choice) =>
    `${choice.label} ${choice.hint ?? ''}`.toLowerCase().includes(wanted),
  );
}

/** The choice enter would pick, if any. */
export function highlightedChoice<T>(state: SelectState<T>): Choice<T> | undefined {
  return visibleChoices(state)[state.highlighted];
}

export function selectReducer<T>(state: SelectState<T>, action: SelectAction<T>): SelectState<T> {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        choices: action.choices,
        loadError: null,
        notes: action.notes ?? [],
        highlighted: indexOf(action.choices, state.remembered),
      };
    case 'load-failed':
      return { ...state, choices: [], loadError: action.message };
    case 'move': {
      const count = visibleChoices(state).length;
      if (count === 0) return state;
      // Wraps around, as arrow keys in a menu usually do.
      return { ...state, highlighted: (state.highlighted + action.delta + count) % count };
    }
    case 'type':
      return { ...state, filter: state.filter + action.text, highlighted: 0 };
    case 'erase':
      return { ...state, filter: [...state.filter].slice(0, -1).join(''), highlighted: 0 };
  }
}
