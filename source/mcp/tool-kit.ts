/**
 * What every tool handler gets around it: errors turned into results the model can act on (never a
 * stack trace), every result and progress message scrubbed of secrets, the call tracked so a shutdown
 * waits for it, and progress notifications when the client asked for them, all sent before the result.
 */
import type { CallToolResult, InputRequiredResult, ServerContext } from '@modelcontextprotocol/server';
import type { RunEvent } from '../run/events.ts';
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
    // The result goes out only once every progress notification of this call has been sent.
    await progressSent(ctx);
    return scrubSecrets(result, context.env);
  };
}

/** The sends of each request's progress notifications that have not settled yet. */
const pendingProgress = new WeakMap<ServerContext, Set<Promise<void>>>();

/** Resolves when every progress notification this request sent so far has been sent (or failed to be). */
async function progressSent(ctx: ServerContext): Promise<void> {
  const pending = pendingProgress.get(ctx);
  while (pending && pending.size > 0) await Promise.allSettled([...pending]);
}

/** A progress reporter for this request: a no-op unless the client sent a progress token. */
export function progressReporter(ctx: ServerContext, context: McpContext): (message: string) => void {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return () => {};
  let progress = 0;
  const pending = pendingProgress.get(ctx) ?? new Set<Promise<void>>();
  pendingProgress.set(ctx, pending);
  return (message) => {
    progress += 1;
    // Sent now, so notifications go out in the order of the events; `guarded` waits for the send.
    const send = ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, message: scrubSecrets(message, context.env) },
      })
      .catch(() => {})
      .finally(() => pending.delete(send));
    pending.add(send);
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
export function progressLine(event: RunEvent): string | undefined {
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
