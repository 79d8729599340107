/**
 * `sc-doctor setup --json`: one document, the doctor's checks plus the `setup` block (status, the plan,
 * every step with its id and outcome, the rollback). Usage errors are a document too
 * (source/cli/json-error.ts).
 */

import type { FrontEnd } from '../run/front-end.ts';
import { snippetOfOutcome } from '../setup/connection-code.ts';
import type { SetupOutcome } from '../setup/flow-types.ts';
import { setupOutcomeExitCode } from '../setup/outcome-exit.ts';
import { type JsonSetup, jsonDocument } from './json-document.ts';

export type { JsonSetup } from './json-document.ts';

export function jsonSetup(outcome: SetupOutcome): JsonSetup {
  const plan =
    outcome.kind === 'refused'
      ? []
      : outcome.plan.map(({ id, title, lines, consent, alreadyDone, readOnly }) => ({
          id,
          title,
          lines: [...lines],
          consent,
          alreadyDone: alreadyDone !== undefined,
          readOnly: readOnly === true,
        }));
  const base = {
    title: outcome.kind === 'refused' ? null : outcome.title || null,
    reasons: outcome.kind === 'refused' ? [...outcome.reasons] : [],
    plan,
  };
  if (outcome.kind !== 'ran') {
    return {
      status: outcome.kind,
      runId: null,
      ...base,
      steps: [],
      notDone: [],
      handedOff: [],
      resume: null,
      rollback: { ran: false, complete: true, steps: [], left: [] },
    };
  }
  const { result } = outcome;
  const undone = result.steps.filter((step) => step.rollback !== null);
  return {
    status: result.status,
    runId: result.runId,
    ...base,
    steps: result.steps.map(({ id, title, outcome: stepOutcome, message, elapsedMs, scriptPath }) => ({
      id,
      title,
      outcome: stepOutcome,
      message,
      elapsedMs,
      scriptPath,
    })),
    notDone: result.notDone,
    handedOff: result.handedOff.map((step) => ({ step: step.id, script: step.scriptPath })),
    resume: outcome.resume ?? null,
    rollback: {
      ran: undone.length > 0 || result.left.length > 0,
      complete: result.left.length === 0,
      steps: undone.map((step) => ({ id: step.id, title: step.title, outcome: step.rollback! })),
      left: result.left,
    },
  };
}

export const runSetupJson: FrontEnd = async (input) => {
  if (!input.session.setup) throw new Error('this session cannot run setup');
  const outcome = await input.session.setup();
  const exitCode = setupOutcomeExitCode(outcome, input.cancel.signal.aborted);
  const snippet = snippetOfOutcome(outcome);
  const document = {
    ...jsonDocument(input.header, outcome.doctor, exitCode),
    setup: jsonSetup(outcome),
    // The connection code of a successful run, as `sc-doctor snippet --json` prints it.
    snippets: snippet ? [snippet] : [],
  };
  input.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  return exitCode;
};
