/**
 * The doctor as a flow: the base checks, then (when no target was given and someone can be asked) the
 * target question, then the target checks with the base outcomes visible to their `needs`. A run's
 * session (source/run/session.ts) binds it to the run's bus and adds the flows above the doctor.
 */
import type { CheckEvent, DoctorEvent, Emitter } from './events.ts';
import type { Prompter } from './prompter.ts';
import { runChecks, summarize } from './run-checks.ts';
import type { Services } from './services.ts';
import type { Check, CheckOutcome, DoctorOptions, TargetOptions } from './types.ts';

/**
 * Asks which server and app to check once the base checks are done and no target flag was given
 * (interactive mode only). Resolves undefined to go on without one: the target checks then say which
 * flags would name it.
 */
export type ChooseTarget = (
  prompter: Prompter,
  services: Services,
  signal: AbortSignal,
) => Promise<TargetOptions | undefined>;

/** No question, no target: the target checks say which flags would name one. */
export const noTargetChooser: ChooseTarget = async () => undefined;

export interface DoctorFlow {
  /** Runs the doctor; resolves with every outcome in declared order. */
  doctor(): Promise<CheckOutcome[]>;
  /** The options as the flows after the doctor see them: with the target chosen on the way, if one was. */
  options(): DoctorOptions;
}

export interface DoctorFlowOptions {
  /** Where `doctor:*` and `check:*` go. */
  bus: Emitter<DoctorEvent | CheckEvent>;
  services: Services;
  prompter: Prompter;
  checks: readonly Check[];
  options: DoctorOptions;
  /** Aborted on Ctrl-C; every check and every question stops. */
  signal: AbortSignal;
  chooseTarget?: ChooseTarget;
  /** Runner settings (see `RunChecksOptions`). */
  slowAfterMs?: number;
  defaultTimeoutMs?: number;
}

/** Whether a check runs once the target is known (see `Check.phase`). */
export function isTargetCheck(check: Check): boolean {
  return check.phase === 'target';
}

/** Whether any target flag was given. */
export function hasTarget(target: TargetOptions): boolean {
  return Object.values(target).some((value) => value !== undefined && value !== '');
}

/** The doctor flow; nothing runs until `doctor()` is called. */
export function createDoctorFlow(flow: DoctorFlowOptions): DoctorFlow {
  const { bus, checks, signal } = flow;
  const services: Services = { ...flow.services, prompter: flow.prompter };
  const chooseTarget = flow.chooseTarget ?? noTargetChooser;
  const runner = {
    services,
    bus,
    signal,
    slowAfterMs: flow.slowAfterMs,
    defaultTimeoutMs: flow.defaultTimeoutMs,
    announce: false,
  };

  let chosenTarget: TargetOptions | undefined;
  const options = (): DoctorOptions =>
    chosenTarget ? { ...flow.options, target: { ...flow.options.target, ...chosenTarget } } : flow.options;
  return {
    options,
    async doctor() {
      const base = checks.filter((check) => !isTargetCheck(check));
      const targeted = checks.filter(isTargetCheck);
      bus.emit({ type: 'doctor:start', checks: checks.map(({ id, title }) => ({ id, title })) });
      const baseOutcomes = await runChecks(base, { ...runner, options: flow.options });

      let current = options();
      if (targeted.length > 0 && !hasTarget(current.target) && flow.prompter.interactive) {
        if (!signal.aborted) {
          bus.emit({ type: 'doctor:choose-target' });
          const chosen = await chooseTarget(flow.prompter, services, signal);
          // Kept for the session: a setup started after the doctor checks the same target again.
          if (chosen) chosenTarget = chosen;
          if (chosen) current = { ...current, target: { ...current.target, ...chosen } };
        }
      }
      const targetOutcomes =
        targeted.length === 0
          ? []
          : await runChecks(targeted, { ...runner, options: current, previous: baseOutcomes });

      const byId = new Map([...baseOutcomes, ...targetOutcomes].map((outcome) => [outcome.id, outcome]));
      const outcomes = checks.map((check) => byId.get(check.id)!);
      bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
      return outcomes;
    },
  };
}
