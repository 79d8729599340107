import { useInput } from 'ink';
import type { ScrollKey } from '../state/scroll.ts';
import { scrollKeyOf } from './scroll-keys.ts';

export interface DoneKeyHandlers {
  move(delta: number): void;
  scroll(key: ScrollKey): void;
  copy(): void;
  save(): void;
  quit(): void;
  /** y or n to "replace the file?", while that question is open. */
  answer(replace: boolean): void;
}

/**
 * The connection-code screen's keymap: ←→ page, ↑↓ PgUp PgDn Home End scroll, c copy, w save, q quit;
 * while a save asks whether to replace a file, only y, n and esc.
 */
export function useDoneKeys(
  handlers: DoneKeyHandlers,
  options: { isActive: boolean; asking: boolean },
): void {
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      if (options.asking) {
        if (input === 'y') handlers.answer(true);
        else if (input === 'n' || key.escape) handlers.answer(false);
        return;
      }
      const scroll = scrollKeyOf(input, key);
      if (scroll) handlers.scroll(scroll);
      else if (key.leftArrow) handlers.move(-1);
      else if (key.rightArrow) handlers.move(1);
      else if (input === 'c') handlers.copy();
      else if (input === 'w') handlers.save();
      else if (input === 'q') handlers.quit();
    },
    { isActive: options.isActive },
  );
}
