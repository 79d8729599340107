/**
 * `audit` (read-only): the fleet audit (issue 16) over subscriptions, a management group or the tenant:
 * the verdict counts and summary of every app → database pair found, and the pairs to act on first
 * (fail, unknown, warn, pass) with their checks and remedies, cut to `limit`. Its arguments are
 * `sc-doctor audit`'s flags: scopes and filters by name, never a query. It never writes to Azure.
 * Progress notifications (apps done of apps found) when the client sends a progress token; the
 * client's cancellation, or the server shutting down, stops the audit.
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { AuditProgress } from '../../audit/types.ts';
import { DATABASE_KINDS } from '../../databases/kind.ts';
import { Interrupts } from '../../engine/interrupts.ts';
import type { AuditLoader, AuditRequest } from '../audit-seam.ts';
import type { McpContext } from '../context.ts';
import { refusal, scrubSecrets, structured } from '../results.ts';
import { withServices } from '../session-run.ts';
import { guarded } from '../tool-kit.ts';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAME = /^[^\u0000-\u001f\u007f]{1,256}$/;
const DEFAULT_LIMIT = 100;

export const auditInput = z.object({
  subscriptions: z.array(z.string().regex(GUID)).max(1000).describe('Subscription ids to audit').optional(),
  managementGroup: z
    .string()
    .regex(NAME)
    .describe('A management group: every subscription under it')
    .optional(),
  all: z.boolean().describe('Every subscription you can read (the tenant)').optional(),
  database: z.enum(DATABASE_KINDS).describe('Only pairs with this kind of database').optional(),
  resourceGroup: z.string().regex(NAME).describe('Only apps in this resource group').optional(),
  tags: z
    // Azure's rule: a tag name is at most 512 characters, none of < > % & \ ? /; a value at most 256.
    .array(z.string().regex(/^[^=<>%&\\?/\u0000-\u001f\u007f]{1,512}=[^\u0000-\u001f\u007f]{0,256}$/))
    .max(20)
    .describe('Only apps with these tags, each key=value')
    .optional(),
  checkUser: z.boolean().describe("Also log in to each database and check the app's user").optional(),
  limit: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .describe(`At most this many pairs in the result, failing ones first (default ${DEFAULT_LIMIT})`)
    .optional(),
});

const counts = z.object({
  fail: z.number().int(),
  unknown: z.number().int(),
  warn: z.number().int(),
  pass: z.number().int(),
});

export const auditOutput = z.looseObject({
  schemaVersion: z.number(),
  verdicts: counts.describe('Pairs per verdict, over every pair found'),
  pairCount: z.number().int().describe('How many pairs the audit found'),
  pairs: z.array(z.looseObject({})).describe('At most limit pairs: fail first, then unknown, warn, pass'),
  truncated: z.boolean().describe('Whether pairs was cut to limit'),
  exitCode: z.number().int().describe('What sc-doctor audit would exit with: 0 all pass, 1 a pair fails'),
});

export function registerAudit(server: McpServer, context: McpContext, load: AuditLoader): void {
  server.registerTool(
    'audit',
    {
      title: 'Audit every app → database connection',
      description:
        'Finds every app → database connection in subscriptions, a management group or the tenant (Azure Resource ' +
        'Graph), checks each pair with the doctor and returns the verdict counts and the pairs to act on first, ' +
        'with their remedies. Reads only; writes nothing to Azure. Needs Reader, plus ' +
        'Microsoft.Web/sites/config/list/action to read web apps’ settings (without it those pairs are "unknown").',
      inputSchema: auditInput,
      outputSchema: auditOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    guarded(context, async (args: z.infer<typeof auditInput>, ctx) => {
      const request: AuditRequest = {
        subscriptions: args.subscriptions ?? [],
        all: args.all === true,
        tags: args.tags ?? [],
        checkUser: args.checkUser === true,
        ...(args.managementGroup ? { managementGroup: args.managementGroup } : {}),
        ...(args.database ? { database: args.database } : {}),
        ...(args.resourceGroup ? { resourceGroup: args.resourceGroup } : {}),
      };
      const limit = args.limit ?? DEFAULT_LIMIT;
      const runAudit = await load();
      // The client's cancellation stops the audit; so does the server shutting down (serve.ts).
      const interrupts = new Interrupts();
      ctx.mcpReq.signal.addEventListener('abort', () => interrupts.interrupt(), { once: true });
      if (ctx.mcpReq.signal.aborted) interrupts.interrupt();
      const onProgress = progressNotifier(ctx, context);
      const run = runAudit(request, {
        options: context.options,
        grammar: context.deps.grammar,
        env: context.env,
        withServices: (use) => withServices(context, context.options, use),
        signal: interrupts.signal,
        limit,
        ...(onProgress ? { onProgress } : {}),
      });
      const document = await context.work.track(run, interrupts);
      if (interrupts.signal.aborted) return refusal('The audit was cancelled; nothing was changed.');
      if (document.problem)
        return refusal(`The audit could not run: ${document.problem.message}`, document.problem.details);
      const pairs = document.pairs.slice(0, limit);
      const truncated = pairs.length < document.pairCount;
      const { fail, unknown, warn, pass } = document.verdicts;
      return structured(
        { ...document, pairs, truncated },
        `${document.pairCount} pair${document.pairCount === 1 ? '' : 's'}: ${fail} fail, ${unknown} unknown, ` +
          `${warn} warn, ${pass} pass${truncated ? `; the first ${pairs.length} (failing first) below` : ''}.`,
      );
    }),
  );
}

/**
 * Progress for this call when the client sent a progress token: apps done of apps found, which only
 * grows (MCP requires progress to increase), with the pairs checked and failing in the message.
 */
function progressNotifier(
  ctx: ServerContext,
  context: McpContext,
): ((progress: AuditProgress) => void) | undefined {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return undefined;
  let sent = -1;
  return (progress) => {
    if (progress.appsDone <= sent) return;
    sent = progress.appsDone;
    const total = progress.appsTotal ?? undefined;
    const message =
      `${progress.appsDone}${total !== undefined ? ` of ${total}` : ''} apps, ${progress.pairsChecked} pairs checked, ` +
      `${progress.failing} failing${progress.unknown > 0 ? `, ${progress.unknown} not determinable` : ''}`;
    void ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken: token,
          progress: progress.appsDone,
          ...(total !== undefined && total >= progress.appsDone ? { total } : {}),
          message: scrubSecrets(message, context.env),
        },
      })
      .catch(() => {});
  };
}
