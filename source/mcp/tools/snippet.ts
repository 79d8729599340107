/**
 * `snippet` (read-only): the connection code. For a run this server applied, the code with the names
 * that run used (server, database, user, client id, the cloud's token resource), as the code screen
 * shows it after a setup; otherwise for a given target, as `sc-doctor snippet` makes it. Settings are
 * names and non-secret values only: a secret is named with where its value comes from, never valued.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { snippetOfConnection } from '../../setup/connection-code.ts';
import { generateSnippet, type Snippet } from '../../snippets/index.ts';
import type { ClientType, SnippetAuth, SnippetDatabase } from '../../snippets/types.ts';
import type { McpContext } from '../context.ts';
import { refusal, structured } from '../results.ts';
import { snippetInput, snippetOutput } from '../schemas.ts';
import { withServices } from '../session-run.ts';
import { guarded } from '../tool-kit.ts';

interface SnippetArguments {
  runId?: string;
  kind?: SnippetDatabase;
  clientType?: ClientType;
  auth?: SnippetAuth;
  server?: string;
  database?: string;
  dbUser?: string;
  clientId?: string;
}

function result(snippet: Snippet, headline: string) {
  return structured({ ...snippet } as unknown as Record<string, unknown>, headline);
}

export function registerSnippet(server: McpServer, context: McpContext): void {
  server.registerTool(
    'snippet',
    {
      title: 'Connection code for an app',
      description:
        'Returns the app settings and the code that connects without a password: for a run this server applied ' +
        '(runId), with the names that run used; or for a database kind, client type and auth type (and optionally ' +
        'server, database, user, client id). Secrets are never valued: a setting that needs one names where it comes from.',
      inputSchema: snippetInput,
      outputSchema: snippetOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context, async (args: SnippetArguments, ctx) => {
      if (args.runId !== undefined) {
        const connection = context.connections.get(args.runId);
        if (!connection) {
          const known = (await context.journal.listRuns()).some((run) => run.runId === args.runId);
          return refusal(
            known
              ? `Run ${args.runId} was not applied by this server process, so the names it used are not known here.`
              : `There is no run ${args.runId}; the runs tool lists them.`,
            ['Give kind, clientType and auth (and server, database, dbUser, clientId) instead of runId.'],
          );
        }
        return result(snippetOfConnection(connection), `Connection code of run ${args.runId}.`);
      }
      if (!args.kind || !args.clientType)
        return refusal('snippet needs runId, or kind and clientType (auth defaults to system).');
      const { kind, clientType } = args;
      const cloud = await withServices(context, context.options, (services) =>
        services.azure.resolveCloud(ctx.mcpReq.signal),
      );
      const suffix = cloud.endpoints.suffixes[kind];
      const server = args.server;
      const snippet = generateSnippet({
        database: kind,
        clientType,
        auth: args.auth ?? 'system',
        // A bare name gets the cloud's host suffix; the placeholder too, so the code names the right cloud.
        server: server ? (server.includes('.') ? server : `${server}${suffix}`) : `<server>${suffix}`,
        ossrdbmsResource: cloud.endpoints.ossrdbmsResource,
        ...(args.database ? { databaseName: args.database } : {}),
        ...(args.dbUser ? { user: args.dbUser } : {}),
        ...(args.clientId ? { clientId: args.clientId } : {}),
      });
      return result(snippet, `Connection code for ${kind} · ${clientType} · ${args.auth ?? 'system'}.`);
    }),
  );
}
