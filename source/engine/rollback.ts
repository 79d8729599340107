/**
 * Undoes applied steps one by one, newest first, each with its own time limit and live events; used by
 * the engine after a failure or Ctrl-C and by `sc-doctor undo` from a journal. A stop (second Ctrl-C)
 * ends the waiting at once: what is not undone yet is returned with the commands that remove it.
 */
import { startDeadline } from '../core/deadline.ts';
import { reportingWaitsTo } from '../core/wait-reports.ts';
import type { LeftBehind, RollbackOutcome } from './events.ts';
import type { RunRecorder } from './recorder.ts';
import type { InFlightWrite, Undoable, UndoContext, UndoRecord, UndoResult } from './step.ts';
import { messageOf } from './step-runner.ts';

export { messageOf } from './step-runner.ts';

export interface RollbackEntry {
  step: Undoable;
  record: UndoRecord;
  /** The step's write that was not seen to end: awaited (through `settleWrite`) before the undo. */
  inFlight?: InFlightWrite | null;
}

export interface RollbackOptions {
  runId: string;
  /** Newest first: the order to undo in. */
  entries: readonly RollbackEntry[];
  reason: 'failure' | 'cancelled' | 'undo';
  /** Where each undo's start and end are journalled and announced; a failed journal write never stops the rollback. */
  recorder: RunRecorder;
  /** Aborted by a second Ctrl-C: stop waiting, report what is left. */
  stopSignal?: AbortSignal;
  /** Waits for a write still in flight to end; without it an in-flight write is not waited for. */
  settleWrite?: (write: InFlightWrite, ctx: UndoContext) => Promise<void>;
  timeoutMs: number;
  now: () => number;
}

export interface RollbackReport {
  complete: boolean;
  left: LeftBehind[];
  outcomes: Map<string, { outcome: RollbackOutcome; reason: string | null }>;
  /** Journal writes that failed during the rollback (the rollback went on without them). */
  journalErrors: string[];
}

/** Undoes `entries` newest first and reports each outcome and what was left behind; never throws for a failed undo. */
export async function rollBack(options: RollbackOptions): Promise<RollbackReport> {
  const { recorder, stopSignal, now } = options;
  const report: RollbackReport = {
    complete: true,
    left: [],
    outcomes: new Map(),
    journalErrors: recorder.journalErrors,
  };
  const stopped = new Promise<'stopped'>((resolve) => {
    if (stopSignal?.aborted) resolve('stopped');
    stopSignal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });

  recorder.rollbackStarted(
    options.runId,
    options.reason,
    options.entries.map(({ step }) => ({ id: step.id, title: step.title })),
  );

  for (const { step, record, inFlight } of options.entries) {
    let outcome: RollbackOutcome;
    let reason: string | null = null;
    const startedAt = now();
    if (stopSignal?.aborted) {
      outcome = 'abandoned';
      reason = 'not undone: you stopped the rollback';
    } else {
      await recorder.undoStarted(step, startedAt);
      const deadline = startDeadline(step.timeoutMs ?? options.timeoutMs, stopSignal);
      // The write Azure may still be making (the step's, or an earlier undo's) when last seen.
      let pending = inFlight ?? null;
      const ctx: UndoContext = {
        runId: options.runId,
        signal: deadline.signal,
        progress: (detail) => recorder.undoProgress(step, detail, now() - startedAt),
        inFlight: (write) => {
          pending = write;
          recorder.inFlight(step, write);
        },
      };
      // Through a promise, so an undo that throws before its first await is a failure like any other;
      // waits deep in a request (Azure throttling) are shown on this undo's row.
      const attempt = reportingWaitsTo(ctx.progress, () =>
        Promise.resolve()
          .then(async () => {
            // Decide only once the write has ended: read before it lands, and an admin that is about
            // to appear looks "already gone".
            if (pending && options.settleWrite) {
              ctx.progress(`waiting for Azure to finish ${pending.what} before undoing it`);
              await options.settleWrite(pending, ctx);
              pending = null;
            }
            return step.undo(ctx, record);
          })
          .then(
            (result): UndoResult | { status: 'failed'; reason: string } => result,
            (error: unknown) => ({ status: 'failed' as const, reason: messageOf(error) }),
          ),
      );
      const settled = await Promise.race([
        attempt,
        stopped,
        deadline.expired.then(() => ({ status: 'failed' as const, reason: deadline.signal.reason.message })),
      ]);
      deadline.dispose();
      if (settled === 'stopped') {
        outcome = 'abandoned';
        reason = 'stopped while undoing: it may or may not be undone';
        recorder.undoAbandoned(step, reason, now() - startedAt);
      } else {
        outcome = settled.status;
        reason = 'reason' in settled ? settled.reason : null;
        // An undo that ended saw its own writes end; a failed one may have left one running.
        await recorder.undoEnded(
          step,
          outcome,
          reason,
          now() - startedAt,
          outcome === 'failed' ? pending : null,
        );
      }
    }
    report.outcomes.set(step.id, { outcome, reason });
    if (outcome === 'failed' || outcome === 'changed-since' || outcome === 'abandoned') {
      report.left.push({
        id: step.id,
        title: step.title,
        reason: reason ?? outcome,
        commands: manualCommands(step, record),
      });
    }
  }
  report.complete = report.left.length === 0;
  recorder.rollbackEnded(options.runId, report.complete, report.left);
  return report;
}

function manualCommands(step: Undoable, record: UndoRecord): string[] {
  try {
    return step.manualUndo(record);
  } catch {
    return [];
  }
}
