/**
 * The setup flow's Prompter over MCP. Nobody is asked mid-flow: every choice is a tool argument, and a
 * question the flow would put (which container, which identity) is refused naming the argument that
 * answers it. Secrets are never asked at all: the app's secret and the owner's password come only
 * from the server's environment (`SC_DOCTOR_APP_CLIENT_SECRET`, `SC_DOCTOR_PG_OWNER_PASSWORD`).
 *
 * The one question answered here is the plan's "Apply this plan?", and the consents of its ⚠ steps:
 * `gate` decides them (the apply tool checks the world against the handle and the person's consent),
 * and a step consent is yes only when the gate said yes to the plan that listed it.
 */
import type { Prompter, Question } from '../core/prompter.ts';
import { UsageError } from '../core/usage-error.ts';
import { PLAN_QUESTION_ID } from '../setup/plan-question.ts';

/** The tool argument that answers a question the CLI answers with `flag`. */
const ARGUMENT_OF_FLAG: Record<string, string> = {
  '--container': 'container',
  '--database': 'database',
  '--client-type': 'clientType',
  '--system-identity, --user-identity or --service-principal': 'auth',
  '--user-identity client-id=X subs-id=Y': 'clientId and identitySubscription',
  '--user-identity client-id=X': 'clientId',
  '--service-principal client-id=X': 'clientId',
};

/** The refusal of a question nobody can be asked over MCP. */
export function unaskable(question: Question): UsageError {
  const what = question.message.replace(/[?:]\s*$/, '');
  const argument = ARGUMENT_OF_FLAG[question.flag];
  if (argument)
    return new UsageError(`${what}: sc-doctor cannot ask this over MCP.`, [`Give the argument ${argument}.`]);
  if (/mysql-identity-id/.test(question.flag))
    return new UsageError(`${what}: sc-doctor cannot ask this over MCP.`, [
      'Give the argument mysqlIdentityId.',
    ]);
  // A value only the environment gives (a secret): named, never asked for.
  return new UsageError(`${what}: sc-doctor cannot ask this over MCP.`, [
    `Set ${question.flag} for the server (the env of its entry in your MCP client's configuration).`,
  ]);
}

/**
 * A prompter that never asks a person. `gate` answers the plan question; each step consent is yes
 * only once the gate said yes.
 */
export function mcpPrompter(gate: () => Promise<boolean>): Prompter {
  let planAccepted = false;
  const refuse = async (question: Question): Promise<never> => {
    throw unaskable(question);
  };
  return {
    interactive: false,
    pick: refuse,
    input: refuse,
    secret: refuse,
    async confirm(question) {
      if (question.id === PLAN_QUESTION_ID) {
        planAccepted = await gate();
        return planAccepted;
      }
      // The engine's consents for the ⚠ steps, asked after the plan: the elicitation listed each.
      if (question.flag === '--yes') return planAccepted;
      return refuse(question);
    },
  };
}
