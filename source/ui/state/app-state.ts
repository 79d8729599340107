/**
 * The whole interactive UI's state: the doctor screen's state, the open questions, and the router's
 * stack of screens. The focused screen is the top of the stack; only its keys are live.
 */
import type { OpenPrompt } from '../../core/prompter.ts';
import type { SetupOutcome } from '../../setup/flow-types.ts';
import { PLAN_QUESTION_ID } from '../../setup/plan-question.ts';
import { type DoctorAction, type DoctorState, doctorReducer, initialDoctorState } from './doctor-state.ts';
import { initialSetupState, type SetupState, setupReducer } from './setup-state.ts';

/** Screens in the order a session goes through them: the doctor, then for setup plan, apply, done. */
export type ScreenName = 'doctor' | 'question' | 'plan' | 'apply' | 'done';

export interface AppState {
  doctor: DoctorState;
  /** The setup screens' state (empty for a doctor-only run). */
  setup: SetupState;
  /** `s` on the doctor screen asked for a setup of the checked target. */
  setupRequested: boolean;
  /** Questions asked and not answered yet, oldest first; the first one is on screen. */
  prompts: OpenPrompt[];
  /** Bottom is the first screen; the last entry has the focus. */
  screens: ScreenName[];
  /** What was picked per question (`pickKey`), so asking it again starts on that choice. */
  picked: Readonly<Record<string, string>>;
}

export type AppAction =
  | DoctorAction
  | { type: 'prompt:open'; prompt: OpenPrompt }
  /** Answered (`picked`: the label chosen from a list), backed out of, or withdrawn by the flow. */
  | { type: 'prompt:close'; id: number; picked?: string }
  | { type: 'setup:finished'; outcome: SetupOutcome }
  | { type: 'setup:toggle-details' }
  | { type: 'setup:interrupted' }
  | { type: 'setup:start' }
  /** Leave a setup run with its own exit code. */
  | { type: 'setup:quit'; exitCode: number };

export function initialAppState(options: { verbose?: boolean } = {}): AppState {
  return {
    doctor: initialDoctorState(options),
    setup: initialSetupState(),
    setupRequested: false,
    prompts: [],
    screens: ['doctor'],
    picked: {},
  };
}

/** Identifies a question across askings: the same message and flag is the same question. */
export function pickKey(question: OpenPrompt['question']): string {
  return `${question.flag}\u0000${question.message}`;
}

/** The screen whose keys are live. */
export function focusedScreen(state: AppState): ScreenName {
  return state.screens.at(-1) ?? 'doctor';
}

/** The plan screen answers the "apply this plan?" question itself: it needs no question screen. */
export function isPlanQuestion(prompt: OpenPrompt): boolean {
  return prompt.question.id === PLAN_QUESTION_ID;
}

/** Questions the question screen shows, oldest first. */
export function screenQuestions(state: AppState): OpenPrompt[] {
  return state.prompts.filter((prompt) => !isPlanQuestion(prompt));
}

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'prompt:open': {
      if (state.doctor.exitCode !== null) return state;
      const prompts = [...state.prompts, action.prompt];
      const next = { ...state, prompts };
      return { ...next, screens: withQuestion(state.screens, screenQuestions(next).length > 0) };
    }
    case 'prompt:close': {
      const closing = state.prompts.find((prompt) => prompt.id === action.id);
      if (!closing) return state;
      const prompts = state.prompts.filter((prompt) => prompt.id !== action.id);
      const picked =
        action.picked !== undefined
          ? { ...state.picked, [pickKey(closing.question)]: action.picked }
          : state.picked;
      const next = { ...state, prompts, picked };
      return { ...next, screens: withQuestion(state.screens, screenQuestions(next).length > 0) };
    }
    case 'setup:toggle-details':
    case 'setup:interrupted':
      return { ...state, setup: setupReducer(state.setup, action) };
    case 'setup:start':
      return state.setupRequested || state.doctor.exitCode !== null
        ? state
        : { ...state, setupRequested: true };
    case 'setup:finished': {
      const setup = setupReducer(state.setup, action);
      const { outcome } = action;
      const showDone =
        outcome.kind === 'refused' ||
        (outcome.kind === 'ran' &&
          (outcome.result.status === 'succeeded' || outcome.result.status === 'handed-off'));
      // Backing out of the plan goes back to the doctor's results.
      const screens =
        outcome.kind === 'declined' ? state.screens.filter((name) => name !== 'plan') : state.screens;
      return { ...state, setup, screens: showDone ? withScreen(screens, 'done') : screens };
    }
    case 'setup:quit':
      if (state.doctor.exitCode !== null) return state;
      return { ...state, doctor: { ...state.doctor, exitCode: action.exitCode }, screens: ['doctor'] };
    default: {
      let next = state;
      if (action.type === 'event') {
        const setup = setupReducer(state.setup, action);
        if (setup !== state.setup) {
          const { type } = action.event;
          const screens =
            type === 'setup:plan'
              ? withScreen(state.screens, 'plan')
              : type === 'plan:ready'
                ? withScreen(
                    state.screens.filter((name) => name !== 'plan'),
                    'apply',
                  )
                : state.screens;
          next = { ...state, setup, screens };
        }
      }
      const doctor = doctorReducer(next.doctor, action);
      if (doctor === next.doctor) return next;
      state = next;
      // Leaving the program closes every screen above the doctor: its last frame is what stays.
      if (doctor.exitCode !== null) return { ...state, doctor, screens: ['doctor'] };
      return { ...state, doctor };
    }
  }
}

/** Opens `name` below an open question (the question keeps the focus until it is answered). */
function withScreen(screens: ScreenName[], name: ScreenName): ScreenName[] {
  const rest = screens.filter((screen) => screen !== name && screen !== 'question');
  const question = screens.includes('question') ? (['question'] as ScreenName[]) : [];
  return [...rest, name, ...question];
}

function withQuestion(screens: ScreenName[], open: boolean): ScreenName[] {
  const has = screens.at(-1) === 'question';
  if (open === has) return screens;
  return open ? [...screens, 'question'] : screens.slice(0, -1);
}

/**
 * Whether `s` can start a setup from the doctor screen: the doctor is done and found both the server
 * and the app (a setup needs them; the setup flow itself refuses on a blocking failure).
 */
export function canStartSetup(state: AppState): boolean {
  if (state.setupRequested || !state.doctor.finished) return false;
  const found = (id: string) => {
    const outcome = state.doctor.rows.find((row) => row.id === id)?.outcome;
    return outcome?.status === 'pass' || outcome?.status === 'warn';
  };
  return found('server') && found('app-identity');
}
