import { useInput } from 'ink';

/**
 * Ctrl-C on every screen, whatever has the focus: Ink's own Ctrl-C exit is off, so cancelling goes
 * through the same single exit path as q.
 */
export function useCancelKey(cancel: () => void, isActive: boolean): void {
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') cancel();
    },
    { isActive },
  );
}
