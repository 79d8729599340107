/**
 * The audit's entry points for other front-ends, independent of any terminal: its JSON document
 * streamed as pairs finish (`sc-doctor audit --json`), or one bounded answer with the counts and the
 * worst pairs (`sc-doctor mcp`'s `audit` tool, front-ends/tool.ts).
 */
import type { Services } from '../core/services.ts';
import { AuditDocumentWriter, documentHead } from './document.ts';
import { runAudit } from './run-audit.ts';
import type { AuditEvent, AuditRequest } from './types.ts';

export type { AuditDocument, JsonAuditPair } from './document.ts';
export { auditForTool, type ToolAuditDocument } from './front-ends/tool.ts';
export { runAudit } from './run-audit.ts';
export type { AuditEvent, AuditRequest, AuditSummary } from './types.ts';

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
