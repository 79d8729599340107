/**
 * State and actions reach screens through two contexts, so a screen reads what it shows and calls
 * named actions; no screen ever holds the reducer's raw `dispatch`.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { AppState } from './state/app-state.ts';

/** Everything a screen can ask the UI to do. */
export interface AppActions {
  /** Doctor screen: move the selection. */
  move(delta: number): void;
  /** Doctor screen: open or close the selected row's full details. */
  toggleDetails(): void;
  /** Leave; before the results are in this cancels the run. */
  quit(): void;
  /** Ctrl-C: cancel whatever runs and leave with 130. */
  cancel(): void;
  /**
   * Answers an open question (`undefined`: backed out with esc). `label` is the choice a pick list
   * showed, remembered so the same question asked again (after esc on the next one) starts there.
   */
  answer(id: number, value: unknown, label?: string): void;
  /** Plan screen: show or hide what each step changes. */
  toggleSetupDetails(): void;
  /** Leave after a setup, with the setup's exit code (130 when it has not ended). */
  finishSetup(): void;
  /** Doctor screen: set up the checked target (`s`). */
  startSetup(): void;
}

const StateContext = createContext<AppState | null>(null);
const ActionsContext = createContext<AppActions | null>(null);

export function AppProviders({
  state,
  actions,
  children,
}: {
  state: AppState;
  actions: AppActions;
  children: ReactNode;
}) {
  return (
    <ActionsContext.Provider value={actions}>
      <StateContext.Provider value={state}>{children}</StateContext.Provider>
    </ActionsContext.Provider>
  );
}

export function useAppState(): AppState {
  const state = useContext(StateContext);
  if (!state) throw new Error('useAppState outside AppProviders');
  return state;
}

export function useAppActions(): AppActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useAppActions outside AppProviders');
  return actions;
}
