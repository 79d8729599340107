/**
 * `undo` (destructive, listed only with `--allow-write`): reverses a run from its journal, as
 * `sc-doctor undo RUN_ID` does, under the same consent rule as `apply`: the person is asked through
 * the client (every change it reverses, every ⚠ item), the journal must not have changed since they
 * were asked, and a client that cannot ask gets the terminal command instead.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { commandLine } from '../../core/command-line.ts';
import { Interrupts } from '../../setup/interrupts.ts';
import type { RunDocument } from '../../setup/journal.ts';
import { settleArmWrite } from '../../setup/postgres/azure-calls.ts';
import { undoFromJournal } from '../../setup/undo-from-journal.ts';
import { undoersForRun } from '../../setup/undoers-for.ts';
import { askConsent, clientCanElicit, consentAnswer } from '../consent.ts';
import { stepsToUndo, undoConsentMessage } from '../consent-text.ts';
import type { McpContext } from '../context.ts';
import { refusal, structured } from '../results.ts';
import { undoInput, undoOutput } from '../schemas.ts';
import { withServices } from '../session-run.ts';
import { guarded, progressLine, progressReporter } from '../tool-kit.ts';
import { digestOf } from '../world.ts';

/** What the person is shown of a run: a change to the journal after they were asked voids their yes. */
function runDigest(run: RunDocument): string {
  return digestOf({
    runId: run.runId,
    target: run.target,
    status: run.status,
    updatedAt: run.updatedAt,
    steps: run.steps.map((step) => [step.id, step.state, step.appliedOrder, step.record]),
  });
}

/** The run undo means: the one named, else the newest (refusing when a newer journal is unreadable). */
async function runToUndo(
  context: McpContext,
  named: string | undefined,
): Promise<string | { problem: string }> {
  const listing = await context.journal.listJournals();
  if (named !== undefined) {
    const broken = listing.unreadable.find((entry) => entry.runId === named);
    if (broken)
      return { problem: `the journal of run ${named} (${broken.path}) ${broken.problem}. ${broken.fix}` };
    if (!listing.runs.some((run) => run.runId === named))
      return { problem: `there is no run ${named}; the runs tool lists them` };
    return named;
  }
  const runs = listing.runs.sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
  );
  const latest = runs.at(-1)?.runId;
  const newer = listing.unreadable.filter((entry) => latest === undefined || entry.runId > latest).at(-1);
  if (newer)
    return {
      problem: `the newest journal (run ${newer.runId}) ${newer.problem}, so sc-doctor will not guess which run to undo; give runId`,
    };
  return latest ?? { problem: 'there is no setup run to undo' };
}

export function registerUndo(server: McpServer, context: McpContext): void {
  server.registerTool(
    'undo',
    {
      title: 'Undo a setup run (asks the person first)',
      description:
        'Reverses what a setup run changed, from its journal (the latest run when no runId is given), newest change ' +
        'first; steps already undone are skipped. Asks the person through the client before anything changes.',
      inputSchema: undoInput,
      outputSchema: undoOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    guarded(context, async ({ runId: named }: { runId?: string }, ctx) => {
      const found = await runToUndo(context, named);
      if (typeof found !== 'string') return refusal(`Nothing was undone: ${found.problem}.`);
      const runId = found;
      const command = commandLine(['sc-doctor', 'undo', runId, ...context.serverWords]);
      const canAsk = clientCanElicit(ctx, () => server.server.getClientCapabilities());
      if (!canAsk && !context.settings.applyWithoutConsent)
        return refusal(
          'This client cannot ask the person for consent (it declared no form elicitation), so sc-doctor will not change Azure from here. Nothing was changed.',
          ['Undo the run in a terminal, where sc-doctor shows it:', `  ${command}`],
        );
      const run = await context.journal.loadRun(runId);
      const digest = runDigest(run);
      const answer = consentAnswer(ctx, context, 'undo-consent', runId);
      if (answer.kind === 'invalid')
        return refusal(`${answer.problem}. Nothing was changed.`, ['Call undo again.']);
      if (answer.kind === 'no') return refusal(`Not undone: ${answer.why}. Nothing was changed.`);
      if (answer.kind === 'yes' && answer.claims.digest !== digest)
        return refusal(
          'Not undone: the run’s journal changed since the person was asked. Nothing was changed.',
          ['Call undo again so the person sees it as it is now.'],
        );
      if (answer.kind === 'none' && canAsk)
        return askConsent(
          context,
          { kind: 'undo-consent', subject: runId, digest },
          undoConsentMessage(run),
          `Undo the ${stepsToUndo(run).length} changes of run ${runId}`,
        );

      const report = progressReporter(ctx, context);
      const interrupts = new Interrupts();
      ctx.mcpReq.signal.addEventListener('abort', () => interrupts.interrupt(), { once: true });
      const work = withServices(context, context.options, (services) =>
        undoFromJournal({
          journal: context.journal,
          runId,
          steps: (doc) =>
            context.deps.undoers
              ? context.deps.undoers(services)
              : undoersForRun(doc, services, context.options.connectTo),
          emit: (event) => {
            const line = progressLine(event);
            if (line) report(line);
          },
          stopSignal: interrupts.stopSignal,
          settleWrite: (write, undo) => settleArmWrite(services, write, undo),
        }),
      );
      const result = await context.work.track(work, interrupts);
      return structured(
        { ...result, outcomes: result.outcomes.map((outcome) => ({ ...outcome })) },
        result.status === 'undone'
          ? `Run ${runId} is undone: nothing it changed is left.`
          : `Run ${runId}: ${result.left.length} change(s) could not be undone; see left for the commands that remove them.`,
      );
    }),
  );
}
