/**
 * Undoes applied steps one by one, newest first, each with its own time limit and live events; used by
 * the engine after a failure or Ctrl-C and by `sc-doctor undo` from a journal. A stop (second Ctrl-C)
 * ends the waiting at once: what is not undone yet is returned with the commands that remove it.
 */
import { startDeadline } from '../core/deadline.ts';
import { UsageError } from '../core/usage-error.ts';
import { reportingWaitsTo } from '../core/wait-reports.ts';
import type { EmitEngineEvent, LeftBehind, RollbackOutcome } from './engine-events.ts';
import type { JournalStepState, RunWriter } from './journal.ts';
import { redactSecrets } from './secret-scrubber.ts';
import type { InFlightWrite, Undoable, UndoContext, UndoRecord, UndoResult } from './step.ts';
import { storageError } from './storage-error.ts';

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
  emit: EmitEngineEvent;
  /** Where each step's undo state is recorded; writing it never stops the rollback. */
  writer: RunWriter | undefined;
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

const JOURNAL_STATE: Record<Exclude<RollbackOutcome, 'abandoned'>, JournalStepState> = {
  undone: 'undone',
  'already-gone': 'already-gone',
  'changed-since': 'changed-since',
  failed: 'undo-failed',
};

/** Undoes `entries` newest first and reports each outcome and what was left behind; never throws for a failed undo. */
export async function rollBack(options: RollbackOptions): Promise<RollbackReport> {
  const { emit, writer, stopSignal, now } = options;
  const report: RollbackReport = { complete: true, left: [], outcomes: new Map(), journalErrors: [] };
  const journal = async (
    id: string,
    state: JournalStepState,
    message: string | null,
    inFlight?: InFlightWrite | null,
  ) => {
    try {
      await writer?.updateStep(id, (step) => {
        step.state = state;
        step.message = message;
        step.endedAt = new Date(now()).toISOString();
        if (inFlight !== undefined) step.inFlight = inFlight;
      });
    } catch (error) {
      report.journalErrors.push(redactSecrets(error instanceof Error ? error.message : String(error)));
    }
  };
  const noteInFlight = (id: string, inFlight: InFlightWrite) => {
    writer
      ?.updateStep(id, (step) => {
        step.inFlight = inFlight;
      })
      .catch(() => {});
  };
  const stopped = new Promise<'stopped'>((resolve) => {
    if (stopSignal?.aborted) resolve('stopped');
    stopSignal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });

  emit({
    type: 'rollback:start',
    runId: options.runId,
    reason: options.reason,
    steps: options.entries.map(({ step }) => ({ id: step.id, title: step.title })),
  });

  for (const { step, record, inFlight } of options.entries) {
    let outcome: RollbackOutcome;
    let reason: string | null = null;
    const startedAt = now();
    if (stopSignal?.aborted) {
      outcome = 'abandoned';
      reason = 'not undone: you stopped the rollback';
    } else {
      await journal(step.id, 'undoing', null);
      emit({ type: 'rollback:step-start', id: step.id, title: step.title, at: startedAt });
      const deadline = startDeadline(step.timeoutMs ?? options.timeoutMs, stopSignal);
      // The write Azure may still be making (the step's, or an earlier undo's) when last seen.
      let pending = inFlight ?? null;
      const ctx: UndoContext = {
        runId: options.runId,
        signal: deadline.signal,
        progress: (detail) =>
          emit({ type: 'rollback:progress', id: step.id, detail, elapsedMs: now() - startedAt }),
        inFlight: (write) => {
          pending = write;
          noteInFlight(step.id, write);
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
      } else {
        outcome = settled.status;
        reason = 'reason' in settled ? settled.reason : null;
        // An undo that ended saw its own writes end; a failed one may have left one running.
        await journal(step.id, JOURNAL_STATE[outcome], reason, outcome === 'failed' ? pending : null);
      }
      emit({
        type: 'rollback:step-end',
        id: step.id,
        title: step.title,
        outcome,
        elapsedMs: now() - startedAt,
        reason,
      });
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
  emit({ type: 'rollback:end', runId: options.runId, complete: report.complete, left: report.left });
  return report;
}

function manualCommands(step: Undoable, record: UndoRecord): string[] {
  try {
    return step.manualUndo(record);
  } catch {
    return [];
  }
}

/**
 * Why a step or an undo failed, in words: a file system refusal as a `StorageError` says (what,
 * where, why) with its fix, never Node's raw `EACCES: permission denied, open '...'`.
 */
export function messageOf(error: unknown): string {
  const described = storageError(error, 'use', 'a file');
  if (described instanceof UsageError)
    return redactSecrets([described.message, ...described.hints].join(' '));
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
