import { useInput } from 'ink';

export interface DoneKeyHandlers {
  move(delta: number): void;
  copy(): void;
  save(): void;
  quit(): void;
}

/** The connection-code screen's keymap: ←→ language, c copy, w save, q quit. */
export function useDoneKeys(handlers: DoneKeyHandlers, options: { isActive: boolean }): void {
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      if (key.leftArrow) handlers.move(-1);
      else if (key.rightArrow) handlers.move(1);
      else if (input === 'c') handlers.copy();
      else if (input === 'w') handlers.save();
      else if (input === 'q') handlers.quit();
    },
    { isActive: options.isActive },
  );
}
