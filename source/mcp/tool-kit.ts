/**
 * What every tool handler gets around it: errors turned into results the model can act on (never a
 * stack trace), every result and progress message scrubbed of secrets, the call tracked so a shutdown
 * waits for it, and progress notifications when the client asked for them.
 */
import type { CallToolResult, InputRequiredResult, ServerContext } from '@modelcontextprotocol/server';
import type { CoreEvent } from '../core/events.ts';
import type { McpContext } from './context.ts';
import { errorResult, scrubSecrets } from './results.ts';

export type ToolReturn = CallToolResult | InputRequiredResult;

/** Wraps a handler: errors become results, secrets are scrubbed, the call is tracked. */
export function guarded<A>(
  context: McpContext,
  handler: (args: A, ctx: ServerContext) => Promise<ToolReturn>,
): (args: A, ctx: ServerContext) => Promise<ToolReturn> {
  return async (args, ctx) => {
    const run = handler(args, ctx).catch((error: unknown) => errorResult(error) as CallToolResult);
    const result = await context.work.track(run);
    return scrubSecrets(result, context.env);
  };
}

/** A progress reporter for this request: a no-op unless the client sent a progress token. */
export function progressReporter(ctx: ServerContext, context: McpContext): (message: string) => void {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return () => {};
  let progress = 0;
  return (message) => {
    progress += 1;
    void ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, message: scrubSecrets(message, context.env) },
      })
      .catch(() => {});
  };
}

const STEP_WORDS: Record<string, string> = {
  applied: 'done',
  'already-done': 'already in place',
  'handed-off': 'handed off to a script',
  failed: 'failed',
  cancelled: 'cancelled',
  'not-run': 'not run',
};

/** One progress line per step of the engine and of its rollback; undefined for other events. */
export function progressLine(event: CoreEvent): string | undefined {
  switch (event.type) {
    case 'plan:ready':
      return `applying (run ${event.runId})`;
    case 'step:start':
      return `${event.title}: started`;
    case 'step:end':
      return `${event.title}: ${STEP_WORDS[event.outcome] ?? event.outcome}${event.message ? ` (${event.message})` : ''}`;
    case 'rollback:start':
      return `undoing ${event.steps.length} change${event.steps.length === 1 ? '' : 's'} (${event.reason})`;
    case 'rollback:step-end':
      return `undo ${event.title}: ${event.outcome}${event.reason ? ` (${event.reason})` : ''}`;
    case 'rollback:end':
      return event.complete ? 'rollback complete' : `rollback incomplete: ${event.left.length} left in place`;
    default:
      return undefined;
  }
}
