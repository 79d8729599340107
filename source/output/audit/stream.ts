/**
 * The audit's JSON document streamed as pairs finish (`sc-doctor audit --json`), independent of any
 * terminal (the MCP tool's bounded answer is mcp/audit-front-end.ts).
 */

import { runAudit } from '../../audit/run-audit.ts';
import type { AuditEvent, AuditRequest } from '../../audit/types.ts';
import type { Services } from '../../core/services.ts';
import { AuditDocumentWriter, documentHead } from './document.ts';

export { runAudit } from '../../audit/run-audit.ts';
export type { AuditEvent, AuditRequest, AuditSummary } from '../../audit/types.ts';
export type { AuditDocument, JsonAuditPair } from './document.ts';

export interface AuditDocumentOptions {
  services: Services;
  signal: AbortSignal;
  header: { tool: string; version: string };
  /** Every event too (progress for a caller that reports it). */
  onEvent?(event: AuditEvent): void;
}

/** Runs an audit and streams its JSON document to `write` as pairs finish; resolves with the exit code. */
export async function streamAuditDocument(
  request: AuditRequest,
  write: (text: string) => void,
  options: AuditDocumentOptions,
): Promise<number> {
  const writer = new AuditDocumentWriter(write, documentHead(options.header, request));
  let problem: { message: string; details: string[] } | null = null;
  const run = await runAudit(request, {
    services: options.services,
    signal: options.signal,
    onEvent(event) {
      if (event.type === 'audit:pair') writer.pair(event.pair);
      else if (event.type === 'audit:app') writer.app(event.entry);
      else if (event.type === 'audit:failed')
        problem = { message: event.problem.message, details: event.problem.details };
      options.onEvent?.(event);
    },
  });
  writer.end(run.summary, problem, run.exitCode);
  return run.exitCode;
}
