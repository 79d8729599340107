/** `sc-doctor audit --json`: one JSON document on stdout, streamed as pairs finish; nothing else. */

import type { AuditFrontEnd } from '../../audit/front-end.ts';
import { streamAuditDocument } from './stream.ts';

export const runAuditJson: AuditFrontEnd = async (input) => {
  let summary: Parameters<NonNullable<typeof input.report>['finish']>[0] = null;
  let problem: { message: string; details: string[] } | null = null;
  const code = await streamAuditDocument(input.request, (text) => input.stdout.write(text), {
    services: input.services,
    signal: input.cancel.signal,
    header: input.header,
    onEvent(event) {
      if (event.type === 'audit:pair') input.report?.pair(event.pair);
      else if (event.type === 'audit:app') input.report?.app(event.entry);
      else if (event.type === 'audit:end') summary = event.summary;
      else if (event.type === 'audit:failed') problem = event.problem;
    },
  });
  if (input.cancel.signal.aborted) input.report?.discard();
  else input.report?.finish(summary, problem, code);
  return input.cancel.signal.aborted ? 130 : code;
};
