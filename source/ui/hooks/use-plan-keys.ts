import { useInput } from 'ink';
import type { ScrollKey } from '../state/scroll.ts';
import { scrollKeyOf } from './scroll-keys.ts';

export interface PlanKeyHandlers {
  apply(): void;
  back(): void;
  toggleDetails(): void;
  scroll(key: ScrollKey): void;
}

/** The plan screen's keymap: enter applies, d shows what each step changes, ↑↓ scroll, esc goes back. */
export function usePlanKeys(handlers: PlanKeyHandlers, options: { isActive: boolean }): void {
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      const scroll = scrollKeyOf(input, key);
      if (scroll) handlers.scroll(scroll);
      else if (key.return) handlers.apply();
      else if (key.escape) handlers.back();
      else if (input === 'd') handlers.toggleDetails();
    },
    { isActive: options.isActive },
  );
}
