/**
 * The whole interactive UI's state: the doctor screen's state, the open questions, and the router's
 * stack of screens. The focused screen is the top of the stack; only its keys are live.
 */
import type { OpenPrompt } from '../../core/prompter.ts';
import { type DoctorAction, type DoctorState, doctorReducer, initialDoctorState } from './doctor-state.ts';

/** Screens in the order a session goes through them; plan, apply and code join with setup. */
export type ScreenName = 'doctor' | 'question';

export interface AppState {
  doctor: DoctorState;
  /** Questions asked and not answered yet, oldest first; the first one is on screen. */
  prompts: OpenPrompt[];
  /** Bottom is the first screen; the last entry has the focus. */
  screens: ScreenName[];
}

export type AppAction =
  | DoctorAction
  | { type: 'prompt:open'; prompt: OpenPrompt }
  /** Answered, backed out of, or withdrawn by the flow. */
  | { type: 'prompt:close'; id: number };

export function initialAppState(options: { verbose?: boolean } = {}): AppState {
  return { doctor: initialDoctorState(options), prompts: [], screens: ['doctor'] };
}

/** The screen whose keys are live. */
export function focusedScreen(state: AppState): ScreenName {
  return state.screens.at(-1) ?? 'doctor';
}

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'prompt:open': {
      if (state.doctor.exitCode !== null) return state;
      const prompts = [...state.prompts, action.prompt];
      return { ...state, prompts, screens: withQuestion(state.screens, true) };
    }
    case 'prompt:close': {
      const prompts = state.prompts.filter((prompt) => prompt.id !== action.id);
      if (prompts.length === state.prompts.length) return state;
      return { ...state, prompts, screens: withQuestion(state.screens, prompts.length > 0) };
    }
    default: {
      const doctor = doctorReducer(state.doctor, action);
      if (doctor === state.doctor) return state;
      // Leaving the program closes every screen above the doctor: its last frame is what stays.
      if (doctor.exitCode !== null) return { ...state, doctor, screens: ['doctor'] };
      return { ...state, doctor };
    }
  }
}

function withQuestion(screens: ScreenName[], open: boolean): ScreenName[] {
  const has = screens.at(-1) === 'question';
  if (open === has) return screens;
  return open ? [...screens, 'question'] : screens.slice(0, -1);
}
