import { useInput } from 'ink';
import type { Dispatch } from 'react';
import type { DoctorAction } from '../state/doctor-state.ts';

/**
 * The doctor screen's keymap: ↑↓ (or k/j) move, enter toggles details, q quits, Ctrl-C cancels.
 * Ink's own Ctrl-C exit is off, so cancelling goes through the same exit path as q.
 */
export function useDoctorKeys(
  dispatch: Dispatch<DoctorAction>,
  options: { strict: boolean; isActive: boolean },
): void {
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') dispatch({ type: 'cancel' });
      else if (key.upArrow || input === 'k') dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow || input === 'j') dispatch({ type: 'move', delta: 1 });
      else if (key.return) dispatch({ type: 'toggle-details' });
      else if (input === 'q') dispatch({ type: 'quit', strict: options.strict });
    },
    { isActive: options.isActive },
  );
}
