/** The connection-code screen's own state: which file is shown and what the last key did. */
export interface DoneState {
  selected: number;
  /** `copied (pbcopy)`, `saved to ./db.js`, or why that did not work. */
  notice: string | null;
}

export type DoneAction = { type: 'select'; delta: number; count: number } | { type: 'notice'; text: string };

export const initialDoneState: DoneState = { selected: 0, notice: null };

export function doneReducer(state: DoneState, action: DoneAction): DoneState {
  switch (action.type) {
    case 'select': {
      if (action.count === 0) return state;
      const selected = (state.selected + action.delta + action.count) % action.count;
      return { selected, notice: null };
    }
    case 'notice':
      return { ...state, notice: action.text };
  }
}
