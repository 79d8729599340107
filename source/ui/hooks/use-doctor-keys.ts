import { useInput } from 'ink';
import type { AppActions } from '../context.tsx';

/**
 * The doctor screen's keymap: ↑↓ (or k/j) move, enter toggles details, s starts a setup (when
 * `canSetup`), q quits. Live only while focused.
 */
export function useDoctorKeys(actions: AppActions, options: { isActive: boolean; canSetup?: boolean }): void {
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      if (key.upArrow || input === 'k') actions.move(-1);
      else if (key.downArrow || input === 'j') actions.move(1);
      else if (key.return) actions.toggleDetails();
      else if (input === 's' && options.canSetup) actions.startSetup();
      else if (input === 'q') actions.quit();
    },
    { isActive: options.isActive },
  );
}
