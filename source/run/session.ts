/**
 * A session is one run of sc-doctor as a front-end sees it: the flows it can start (the doctor, and
 * setup when it was built with a setup flow) over one event bus, one set of services and one cancel
 * signal. Front-ends call a flow, listen to the bus and render; they never run checks themselves.
 */
import { createDoctorFlow, type DoctorFlowOptions } from '../core/session.ts';
import type { CheckOutcome } from '../core/types.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import { type ChooseTarget, targetQuestion } from '../doctor/target-question.ts';
import type { SetupFlow } from '../setup/flow.ts';
import type { SetupOutcome } from '../setup/flow-types.ts';
import type { RunBus } from './events.ts';

/**
 * A check's row says it is still running after this long: long enough that a normal check never
 * shows it. Every command's sessions use it (the terminal's and the MCP server's).
 */
export const SLOW_AFTER_MS = 5_000;

export interface Session {
  /** Every event of every flow of this session. */
  readonly bus: RunBus;
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

export interface SessionOptions extends Omit<DoctorFlowOptions<DoctorOptions>, 'bus' | 'target'> {
  bus: RunBus;
  /** Asks for a target in interactive mode when no target flag was given; without it nothing is asked. */
  chooseTarget?: ChooseTarget;
  /** The flow `setup()` runs (`setupFlow` in source/setup/flow.ts); absent for doctor-only runs. */
  setupFlow?: SetupFlow;
}

/** Builds the session; nothing runs until a front-end calls one of its flows. */
export function createSession(session: SessionOptions): Session {
  const { bus } = session;
  const flow = createDoctorFlow({
    ...session,
    ...(session.chooseTarget ? { target: targetQuestion(session.chooseTarget) } : {}),
  });
  return {
    bus,
    doctor: () => flow.doctor(),
    async setup() {
      if (!session.setupFlow) throw new Error('this session was built without a setup flow');
      return session.setupFlow({
        doctor: () => flow.doctor(),
        bus,
        services: { ...session.services, prompter: session.prompter },
        prompter: session.prompter,
        options: flow.options(),
      });
    },
  };
}
