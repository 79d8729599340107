/**
 * The doctor as a flow: the base checks, then (when no target was given and someone can be asked) the
 * target question, then the target checks with the base outcomes visible to their `needs`. A run's
 * session (source/run/session.ts) binds it to the run's bus and adds the flows above the doctor.
 * `O` are the checks' options (the doctor's `DoctorOptions`): the core only passes them on, and asks
 * the target question it is given what they say of the target.
 */
import type { CheckEvent, DoctorEvent, Emitter } from './events.ts';
import type { Prompter } from './prompter.ts';
import { runChecks, summarize } from './run-checks.ts';
import type { Services } from './services.ts';
import type { Check, CheckOutcome } from './types.ts';

/** What to check, asked once the base checks are done and the options name none (interactive only). */
export interface TargetQuestion<O> {
  /** Whether the options name a target already: nothing is asked then. */
  given(options: O): boolean;
  /** Asks which target; the options with it, or undefined to go on without one (the target checks then say which flags would name it). */
  ask(prompter: Prompter, services: Services, signal: AbortSignal, options: O): Promise<O | undefined>;
}

export interface DoctorFlow<O> {
  /** Runs the doctor; resolves with every outcome in declared order. */
  doctor(): Promise<CheckOutcome[]>;
  /** The options as the flows after the doctor see them: with the target chosen on the way, if one was. */
  options(): O;
}

export interface DoctorFlowOptions<O> {
  /** Where `doctor:*` and `check:*` go. */
  bus: Emitter<DoctorEvent | CheckEvent>;
  services: Services;
  prompter: Prompter;
  checks: readonly Check<O>[];
  options: O;
  /** Aborted on Ctrl-C; every check and every question stops. */
  signal: AbortSignal;
  /** Without it, nothing is asked: the target is what the options say. */
  target?: TargetQuestion<O>;
  /** Runner settings (see `RunChecksOptions`). */
  slowAfterMs?: number;
  defaultTimeoutMs?: number;
}

/** Whether a check runs once the target is known (see `Check.phase`). */
export function isTargetCheck(check: Pick<Check<unknown>, 'phase'>): boolean {
  return check.phase === 'target';
}

/** The doctor flow; nothing runs until `doctor()` is called. */
export function createDoctorFlow<O>(flow: DoctorFlowOptions<O>): DoctorFlow<O> {
  const { bus, checks, signal } = flow;
  const services: Services = { ...flow.services, prompter: flow.prompter };
  const runner = {
    services,
    bus,
    signal,
    slowAfterMs: flow.slowAfterMs,
    defaultTimeoutMs: flow.defaultTimeoutMs,
    announce: false,
  };

  // Kept for the session: a setup started after the doctor checks the same target again.
  let chosen: O | undefined;
  const options = (): O => chosen ?? flow.options;
  return {
    options,
    async doctor() {
      const base = checks.filter((check) => !isTargetCheck(check));
      const targeted = checks.filter(isTargetCheck);
      bus.emit({ type: 'doctor:start', checks: checks.map(({ id, title }) => ({ id, title })) });
      const baseOutcomes = await runChecks(base, { ...runner, options: flow.options });

      const question = flow.target;
      if (targeted.length > 0 && question && !question.given(options()) && flow.prompter.interactive) {
        if (!signal.aborted) {
          bus.emit({ type: 'doctor:choose-target' });
          chosen = (await question.ask(flow.prompter, services, signal, options())) ?? chosen;
        }
      }
      const targetOutcomes =
        targeted.length === 0
          ? []
          : await runChecks(targeted, { ...runner, options: options(), previous: baseOutcomes });

      const byId = new Map([...baseOutcomes, ...targetOutcomes].map((outcome) => [outcome.id, outcome]));
      const outcomes = checks.map((check) => byId.get(check.id)!);
      bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
      return outcomes;
    },
  };
}
