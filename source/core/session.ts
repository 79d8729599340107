/**
 * A session is one run of sc-doctor as a front-end sees it: the flows it can start (the doctor, and
 * setup when it was built with a setup flow) over one event bus, one set of services and one cancel
 * signal. Front-ends call a flow, listen to the bus and render; they never run checks themselves.
 */
import type { SetupOutcome } from '../setup/flow-types.ts';
import type { EventBus } from './events.ts';
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

/** The default until the target pickers land: no question, no target. */
export const noTargetChooser: ChooseTarget = async () => undefined;

export interface Session {
  /** Every event of every flow of this session. */
  readonly bus: EventBus;
  /**
   * Runs the doctor: base checks, then (if no target was given and someone can be asked) the target
   * question, then the target checks with the base outcomes visible to their `needs`. Resolves with
   * every outcome in declared order.
   */
  doctor(): Promise<CheckOutcome[]>;
  /**
   * Runs setup: the doctor first (a blocking failure stops it), then the plan, the consents and the
   * engine. Absent on sessions built by hand (tests of the doctor front-ends); rejects when the
   * session was built without a setup flow.
   */
  setup?(): Promise<SetupOutcome>;
}

/** A setup flow as the session runs it: it gets the session's doctor, bus, services and prompter. */
export type SessionSetupFlow = (ctx: {
  doctor(): Promise<CheckOutcome[]>;
  bus: EventBus;
  services: Services;
  prompter: Prompter;
  options: DoctorOptions;
}) => Promise<SetupOutcome>;

export interface SessionOptions {
  bus: EventBus;
  services: Services;
  prompter: Prompter;
  checks: readonly Check[];
  options: DoctorOptions;
  /** Aborted on Ctrl-C; every flow and every question stops. */
  signal: AbortSignal;
  chooseTarget?: ChooseTarget;
  /** The flow `setup()` runs (`setupFlow` in source/setup/flow.ts); absent for doctor-only runs. */
  setupFlow?: SessionSetupFlow;
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

/** Builds the session; nothing runs until a front-end calls one of its flows. */
export function createSession(session: SessionOptions): Session {
  const { bus, checks, signal } = session;
  const services: Services = { ...session.services, prompter: session.prompter };
  const chooseTarget = session.chooseTarget ?? noTargetChooser;
  const runner = {
    services,
    bus,
    signal,
    slowAfterMs: session.slowAfterMs,
    defaultTimeoutMs: session.defaultTimeoutMs,
    announce: false,
  };

  let chosenTarget: TargetOptions | undefined;
  const flows: Session = {
    bus,
    async setup() {
      if (!session.setupFlow) throw new Error('this session was built without a setup flow');
      return session.setupFlow({
        doctor: () => flows.doctor(),
        bus,
        services,
        prompter: session.prompter,
        options: chosenTarget
          ? { ...session.options, target: { ...session.options.target, ...chosenTarget } }
          : session.options,
      });
    },
    async doctor() {
      const base = checks.filter((check) => !isTargetCheck(check));
      const targeted = checks.filter(isTargetCheck);
      bus.emit({ type: 'doctor:start', checks: checks.map(({ id, title }) => ({ id, title })) });
      const baseOutcomes = await runChecks(base, { ...runner, options: session.options });

      let options = chosenTarget
        ? { ...session.options, target: { ...session.options.target, ...chosenTarget } }
        : session.options;
      if (targeted.length > 0 && !hasTarget(options.target) && session.prompter.interactive) {
        if (!signal.aborted) {
          bus.emit({ type: 'doctor:choose-target' });
          const chosen = await chooseTarget(session.prompter, services, signal);
          // Kept for the session: a setup started after the doctor checks the same target again.
          if (chosen) chosenTarget = chosen;
          if (chosen) options = { ...options, target: { ...options.target, ...chosen } };
        }
      }
      const targetOutcomes =
        targeted.length === 0
          ? []
          : await runChecks(targeted, { ...runner, options, previous: baseOutcomes });

      const byId = new Map([...baseOutcomes, ...targetOutcomes].map((outcome) => [outcome.id, outcome]));
      const outcomes = checks.map((check) => byId.get(check.id)!);
      bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
      return outcomes;
    },
  };
  return flows;
}
