/**
 * What a kind of database brings to the setup flow (source/setup/flow.ts), which is the same for
 * every kind: its own questions and input fields, what it refuses before any step exists, its steps
 * and the database user the app signs in as. Each kind's is `<kind>/index.ts`, registered in flows.ts.
 */
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import type { CheckOutcome } from '../core/types.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { Step, UndoRecord } from '../engine/step.ts';
import type { StepDefinition } from '../engine/step-registry.ts';
import type { ClientType } from '../snippets/types.ts';
import type { IdentityLister } from './app/identity-listing.ts';
import type { SetupRequest } from './flow-types.ts';
import type { SetupInput } from './input.ts';
import type { SetupEnv } from './step-env.ts';

/** What a kind's questions may use. */
export interface KindQuestionContext {
  server: ServerFacts;
  request: SetupRequest;
  prompter: Prompter;
  services: Services;
  signal: AbortSignal;
  /** The subscription's user-assigned identities, when a kind asks for one (ARM by default; tests pass fakes). */
  listIdentities?: IdentityLister;
}

export interface SetupFlowKind<I extends SetupInput = SetupInput> {
  /**
   * True when the server knows an Entra admin by its admin entry's name (PostgreSQL and MySQL: guests,
   * portal-made entries, a group's members differ from the token's name), so setup logs in with that
   * name; false when the token says who it is (Azure SQL).
   */
  logsInAsAdminEntry: boolean;
  /** Refuses a choice this kind cannot set up, before anything else is asked (exit 2 with what works). */
  assertChoices?(choices: { clientType: ClientType; linker: boolean }): void;
  /**
   * The questions only this kind asks (after the container, before the app's secret): the fields they
   * answer, or null when the user backed out.
   */
  ask?(ctx: KindQuestionContext): Promise<Partial<I> | null>;
  /** The kind's input: the common one, what it asked, and what only it reads of the doctor's outcomes. */
  input(base: SetupInput, asked: Partial<I>, doctor: readonly CheckOutcome[]): I;
  /** Names the database or Service Connector would refuse, said before any step exists. */
  problemsOf(input: I): string[];
  /** User-assigned identities the plan names beyond the app's (ARM ids), read before any write. */
  namedIdentities?(input: I): string[];
  steps(input: I, services: Services): Step[];
  /** Every step it can plan, defined once (engine/step-registry.ts): undo from a journal reads these. */
  definitions: readonly StepDefinition<UndoRecord, SetupEnv>[];
  /** The database user the app signs in as (the name the plan and the connection code show). */
  userNameOf(input: I): string;
}
