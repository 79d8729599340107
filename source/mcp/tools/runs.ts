/** `runs` (read-only): the journal's list of setup runs, oldest first, as `sc-doctor undo --list --json`. */
import type { McpServer } from '@modelcontextprotocol/server';
import type { McpContext } from '../context.ts';
import { structured } from '../results.ts';
import { runsInput, runsOutput } from '../schemas.ts';
import { guarded } from '../tool-kit.ts';

export function registerRuns(server: McpServer, context: McpContext): void {
  server.registerTool(
    'runs',
    {
      title: 'List setup runs',
      description:
        'Lists the setup runs in the journal (~/.sc-doctor/runs), oldest first: id, server, status, how many of its ' +
        'changes are still in place, and whether it was left unfinished (then undo finishes it). Changes nothing.',
      inputSchema: runsInput,
      outputSchema: runsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context, async () => {
      const listing = await context.journal.listJournals();
      const runs = listing.runs.sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
      );
      const unfinished = runs.filter((run) => run.unfinished).length;
      return structured(
        { runs, unreadable: listing.unreadable },
        `${runs.length} run${runs.length === 1 ? '' : 's'}${unfinished > 0 ? `, ${unfinished} unfinished` : ''}.`,
      );
    }),
  );
}
