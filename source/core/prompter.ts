/**
 * How business code asks the user something without importing React: pick one of a list, confirm,
 * enter a value, enter a secret. Every question names the flag that answers it, so a mode that cannot
 * ask (plain, JSON) fails at once with a usage error (exit 2) that tells the user what to pass instead.
 */
import { UsageError } from './usage-error.ts';

export interface Question {
  /** The question as shown, e.g. `Which database server?`. */
  message: string;
  /** The flag that answers it without a prompt, e.g. `--server`; named when nobody can be asked. */
  flag: string;
  /** Where it stands in a series of questions (`step 1 of 3`), when it is one of several. */
  step?: { index: number; total: number };
  /** Names a well-known question (e.g. `setup-plan`) so a front-end can answer it with its own screen. */
  id?: string;
}

export interface Choice<T> {
  /** What the list shows, e.g. `pg-orders`. */
  label: string;
  value: T;
  /** A second column, e.g. `PostgreSQL · rg-orders`; typing filters on it too. */
  hint?: string;
}

/** What a loader found, with lines shown under the list: a part that could not be listed, say. */
export interface LoadedChoices<T> {
  choices: readonly Choice<T>[];
  notes: readonly string[];
}

/** A loader of choices, run while a spinner turns; it may add notes to what it found. */
export type ChoiceLoader<T> = (signal: AbortSignal) => Promise<readonly Choice<T>[] | LoadedChoices<T>>;

export interface PickQuestion<T> extends Question {
  /** The choices, or a loader the prompter runs (with a spinner) while the list is shown. */
  choices: readonly Choice<T>[] | ChoiceLoader<T>;
}

export interface ConfirmQuestion extends Question {
  /** The answer when the user just presses enter. */
  default?: boolean;
}

export interface TextQuestion extends Question {
  default?: string;
  /** Returns why a value is not acceptable, or undefined when it is. */
  validate?: (value: string) => string | undefined;
}

/**
 * Every method resolves `undefined` when the user backs out (esc), and rejects with a `UsageError`
 * when nobody can be asked.
 */
export interface Prompter {
  /** Whether questions reach a person; flows read it to decide whether to ask at all. */
  readonly interactive: boolean;
  pick<T>(question: PickQuestion<T>, signal?: AbortSignal): Promise<T | undefined>;
  confirm(question: ConfirmQuestion, signal?: AbortSignal): Promise<boolean | undefined>;
  /** A value typed in clear. */
  input(question: TextQuestion, signal?: AbortSignal): Promise<string | undefined>;
  /** A value that is never echoed (a client secret). */
  secret(question: TextQuestion, signal?: AbortSignal): Promise<string | undefined>;
}

/** Raised when a question would need a person and the mode has none. */
export class PromptUnavailableError extends UsageError {
  readonly flag: string;

  constructor(question: Question, mode: string) {
    super(`${question.message.replace(/[?:]\s*$/, '')}: sc-doctor cannot ask in ${mode} mode.`, [
      `Pass ${question.flag} to answer it.`,
    ]);
    this.name = 'PromptUnavailableError';
    this.flag = question.flag;
  }
}

/** The prompter of plain and JSON modes: every question is an immediate usage error naming its flag. */
export function refusingPrompter(mode: 'plain' | 'json'): Prompter {
  const refuse = async (question: Question): Promise<never> => {
    throw new PromptUnavailableError(question, mode);
  };
  return { interactive: false, pick: refuse, confirm: refuse, input: refuse, secret: refuse };
}

/** One question on its way to whoever answers it (the Ink UI). */
export type PromptRequest =
  | { kind: 'pick'; question: PickQuestion<unknown>; answer(value: unknown): void }
  | { kind: 'confirm'; question: ConfirmQuestion; answer(value: boolean | undefined): void }
  | {
      kind: 'text';
      question: TextQuestion;
      /** Never echo what is typed. */
      masked: boolean;
      answer(value: string | undefined): void;
    };

/** An open question with the signal that withdraws it (Ctrl-C, a timed-out flow). */
export type OpenPrompt = PromptRequest & { id: number; signal: AbortSignal | undefined };

/**
 * A prompter whose questions go to a front-end that attaches later: questions asked before anyone
 * serves them wait in order. The interactive front-end serves it; the core only sees the `Prompter`.
 */
export interface PromptChannel {
  readonly prompter: Prompter;
  /** Starts delivering questions to `handler`; returns a function that stops it. */
  serve(handler: (prompt: OpenPrompt) => void): () => void;
}

/**
 * A prompter whose questions wait in a queue until a front-end serves them (the interactive screen),
 * so the flows can ask before the screen is ready.
 */
export function createPromptChannel(): PromptChannel {
  let handler: ((prompt: OpenPrompt) => void) | undefined;
  const waiting: OpenPrompt[] = [];
  let nextId = 1;

  const ask = <T>(
    make: (answer: (value: T | undefined) => void) => PromptRequest,
    signal: AbortSignal | undefined,
  ): Promise<T | undefined> =>
    new Promise<T | undefined>((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      let done = false;
      const settle = (value: T | undefined) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', withdraw);
        resolve(value);
      };
      // A withdrawn question resolves as "backed out"; the flow sees its own signal and stops.
      const withdraw = () => settle(undefined);
      signal?.addEventListener('abort', withdraw, { once: true });
      const prompt = { ...make(settle), id: nextId++, signal } as OpenPrompt;
      if (handler) handler(prompt);
      else waiting.push(prompt);
    });

  const prompter: Prompter = {
    interactive: true,
    pick: <T>(question: PickQuestion<T>, signal?: AbortSignal) =>
      ask<T>(
        (answer) => ({
          kind: 'pick',
          question: question as PickQuestion<unknown>,
          answer: answer as (value: unknown) => void,
        }),
        signal,
      ),
    confirm: (question, signal) => ask<boolean>((answer) => ({ kind: 'confirm', question, answer }), signal),
    input: (question, signal) =>
      ask<string>((answer) => ({ kind: 'text', question, masked: false, answer }), signal),
    secret: (question, signal) =>
      ask<string>((answer) => ({ kind: 'text', question, masked: true, answer }), signal),
  };

  return {
    prompter,
    serve(next) {
      handler = next;
      for (const prompt of waiting.splice(0)) next(prompt);
      return () => {
        if (handler === next) handler = undefined;
      };
    },
  };
}
