import { useInput } from 'ink';

export interface PlanKeyHandlers {
  apply(): void;
  back(): void;
  toggleDetails(): void;
}

/** The plan screen's keymap: enter applies, d shows what each step changes, esc goes back. */
export function usePlanKeys(handlers: PlanKeyHandlers, options: { isActive: boolean }): void {
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      if (key.return) handlers.apply();
      else if (key.escape) handlers.back();
      else if (input === 'd') handlers.toggleDetails();
    },
    { isActive: options.isActive },
  );
}
