/**
 * The `--json` front-end: runs the doctor silently and prints exactly one JSON document on stdout
 * (json-document.ts).
 */
import { exitCodeFor } from '../core/exit-codes.ts';
import { summarize } from '../core/run-checks.ts';
import type { FrontEnd } from '../run/front-end.ts';
import { jsonDocument } from './json-document.ts';

export type { JsonCheck, JsonDocument, JsonRemediation, JsonSnippet } from './json-document.ts';

export const runJson: FrontEnd = async (input) => {
  const outcomes = await input.session.doctor();
  const exitCode = exitCodeFor({
    doctor: summarize(outcomes),
    strict: input.strict,
    cancelled: input.cancel.signal.aborted,
  });
  input.stdout.write(`${JSON.stringify(jsonDocument(input.header, outcomes, exitCode), null, 2)}\n`);
  return exitCode;
};
