/**
 * On start, a run that was killed half way, or whose rollback did not finish, is offered for undo:
 * interactive asks (and undoes on yes); elsewhere the front-end prints a notice with the command.
 */
import type { Emitter } from '../core/events.ts';
import type { Prompter } from '../core/prompter.ts';
import type { Journal, RunDocument } from '../engine/journal.ts';
import type { SettleWrite } from '../engine/run-setup.ts';
import type { StepUndoer } from '../engine/step.ts';
import { type UndoRunResult, undoFromJournal } from '../engine/undo-from-journal.ts';
import type { SetupFlowEvent } from './events.ts';
import { undoCommand } from './wording.ts';

export interface OfferUnfinishedOptions {
  journal: Journal;
  bus: Emitter<SetupFlowEvent>;
  prompter: Prompter;
  /** The step undoers, asked for only when the user says yes. */
  undoers: (run: RunDocument) => readonly StepUndoer[];
  signal?: AbortSignal;
  stopSignal?: AbortSignal;
  /** Waits for a write a run left in flight before undoing it (see `runSetup`). */
  settleWrite?: SettleWrite;
  /** The run `--resume` is about to finish: the user asked to complete it, not to undo it. */
  resuming?: string;
}

/** Announces unfinished runs (`setup:unfinished`) and, interactive, undoes those the user says yes to. */
export async function offerUnfinished(options: OfferUnfinishedOptions): Promise<UndoRunResult[]> {
  const runs = (await options.journal.unfinishedRuns()).filter((run) => run.runId !== options.resuming);
  if (runs.length === 0) return [];
  options.bus.emit({
    type: 'setup:unfinished',
    runs: runs.map((run) => ({ runId: run.runId, target: run.target, status: run.status })),
  });
  if (!options.prompter.interactive) return [];
  const results: UndoRunResult[] = [];
  for (const run of runs) {
    const yes = await options.prompter.confirm(
      {
        message: `Run ${run.runId} on ${run.target} did not finish. Undo what it changed first?`,
        flag: undoCommand(run.runId),
        default: true,
      },
      options.signal,
    );
    if (yes !== true) continue;
    results.push(
      await undoFromJournal({
        journal: options.journal,
        runId: run.runId,
        steps: (run) => options.undoers(run),
        emit: (event) => options.bus.emit(event),
        ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
        ...(options.settleWrite ? { settleWrite: options.settleWrite } : {}),
      }),
    );
  }
  return results;
}

/** The plain notice for each unfinished run: what it is and the command that undoes it. */
export function unfinishedNotice(run: { runId: string; target: string; status: string }): string {
  return `Run ${run.runId} on ${run.target} did not finish (${run.status}). Undo it: ${undoCommand(run.runId)}`;
}
