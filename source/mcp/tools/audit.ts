/**
 * `audit` (read-only): the fleet audit's JSON document (issue 16), every app → database pair with its
 * verdict, checks and remedies, cut to `limit` pairs. Its arguments are `sc-doctor audit`'s flags:
 * scopes and filters by name, never a query. Registered only when an audit is wired (audit-seam.ts).
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { AuditLoader, AuditRequest } from '../audit-seam.ts';
import type { McpContext } from '../context.ts';
import { structured } from '../results.ts';
import { guarded } from '../tool-kit.ts';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAME = /^[^\u0000-\u001f\u007f]{1,256}$/;

export const auditInput = z.object({
  subscriptions: z.array(z.string().regex(GUID)).max(1000).describe('Subscription ids to audit').optional(),
  managementGroup: z
    .string()
    .regex(NAME)
    .describe('A management group: every subscription under it')
    .optional(),
  all: z.boolean().describe('Every subscription you can read (the tenant)').optional(),
  database: z.enum(['postgres', 'mysql', 'sql']).describe('Only pairs with this kind of database').optional(),
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
    .describe('At most this many pairs in the result (default 100)')
    .optional(),
});

export const auditOutput = z.looseObject({
  schemaVersion: z.number(),
  pairs: z.array(z.looseObject({})),
  pairCount: z.number().int().describe('How many pairs the audit found'),
  truncated: z.boolean().describe('Whether pairs was cut to limit'),
});

export function registerAudit(server: McpServer, context: McpContext, load: AuditLoader): void {
  server.registerTool(
    'audit',
    {
      title: 'Audit every app → database connection',
      description:
        'Finds every app → database connection in subscriptions, a management group or the tenant (Azure Resource ' +
        'Graph), checks each pair and returns the verdicts with their remedies. Reads only; writes nothing to Azure.',
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
      const runAudit = await load();
      const document = await runAudit(request, {
        options: context.options,
        env: context.env,
        signal: ctx.mcpReq.signal,
      });
      const limit = args.limit ?? 100;
      const pairs = document.pairs.slice(0, limit);
      return structured(
        {
          ...document,
          pairs,
          pairCount: document.pairs.length,
          truncated: pairs.length < document.pairs.length,
        },
        `${document.pairs.length} pair${document.pairs.length === 1 ? '' : 's'}${pairs.length < document.pairs.length ? `, first ${limit} shown` : ''}.`,
      );
    }),
  );
}
