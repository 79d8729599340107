/**
 * `sc-doctor setup ... --resume RUN_ID`: which earlier runs can be finished. A resumed run is a new run
 * linked to the one it finishes (`resumes` in its journal): the steps are planned again, the applied
 * ones find themselves done, and the handed-off database step runs for real. The earlier journal is
 * left as it was, so `sc-doctor undo` of either run removes only what that run made.
 */
import { commandLine } from '../core/command-line.ts';
import { UsageError } from '../core/usage-error.ts';
import { type Journal, type RunDocument, UnknownRunError } from '../engine/journal.ts';

/** The run `runId` when it handed a step off and may be finished; a `UsageError` naming why not otherwise. */
export async function resumableRun(journal: Journal, runId: string, database: string | undefined) {
  let run: RunDocument;
  try {
    run = await journal.loadRun(runId);
  } catch (error) {
    if (error instanceof UnknownRunError)
      throw new UsageError(`--resume ${runId}: there is no such run.`, [
        'See the runs with: sc-doctor undo --list',
      ]);
    throw error;
  }
  const handedOff = run.steps.filter((step) => step.state === 'handed-off');
  if (handedOff.length === 0)
    throw new UsageError(`--resume ${runId}: that run handed nothing off, so there is nothing to finish.`, [
      'Run setup again without --resume.',
    ]);
  const summary = (await journal.listRuns()).find((r) => r.runId === runId);
  // `succeeded`: a hand-off journaled before runs could end handed off.
  if (run.status !== 'handed-off' && run.status !== 'succeeded' && !summary?.unfinished)
    throw new UsageError(
      `--resume ${runId}: that run is ${run.status}, so its hand-off cannot be finished.`,
      ['Run setup again without --resume.'],
    );
  if (database && run.database && run.database !== database)
    throw new UsageError(`--resume ${runId}: that run set up ${run.database}, not ${database}.`, [
      `Use: sc-doctor setup ${run.database} ... --resume ${runId}`,
    ]);
  return run;
}

/** Refuses to finish a run on another server than the one it was for. */
export function assertSameTarget(run: RunDocument, serverId: string): void {
  if (run.target.toLowerCase() !== serverId.toLowerCase())
    throw new UsageError(`--resume ${run.runId}: that run was for ${run.target}, not ${serverId}.`, [
      'Point at the same server and app as that run (the same flags).',
    ]);
}

/** How to finish a hand-off from inside the network: the same command line, resuming this run. */
export function resumeCommandOf(line: string | undefined, database: string, runId: string): string {
  const resume = commandLine(['--resume', runId]);
  return line
    ? `${line} ${resume}`
    : `${commandLine(['sc-doctor', 'setup', database])} <the same flags> ${resume}`;
}
