/**
 * `sc-doctor undo RUN_ID`: reverses a run from its journal alone, after a crash, a kill or a success.
 * The undo records in the journal carry everything undo needs; the step implementations are found by
 * their id. Steps already undone are skipped, so running it twice changes nothing the second time.
 *
 * A journal is a file, and a file can be edited: every record is checked against its step's schema
 * and the run's marks before anything is undone, and one that fails refuses the whole undo (exit 2).
 */
import { ExitCode } from '../core/exit-codes.ts';
import { DEFAULT_UNDO_TIMEOUT_MS, isolated, type SettleWrite } from './engine.ts';
import type { EmitEngineEvent, LeftBehind, RollbackOutcome } from './engine-events.ts';
import type { Journal, JournalStep, JournalStepState, RunDocument } from './journal.ts';
import { UnreadableJournalError } from './journal-document.ts';
import { type RollbackEntry, rollBack } from './rollback.ts';
import type { StepUndoer } from './step.ts';

export interface UndoFromJournalOptions {
  journal: Journal;
  runId: string;
  /** The step implementations that can undo, found by step id; or chosen for the run (its database). */
  steps: readonly StepUndoer[] | ((run: RunDocument) => readonly StepUndoer[]);
  emit?: EmitEngineEvent;
  /** Second Ctrl-C: stop waiting, report what is left. */
  stopSignal?: AbortSignal;
  /** Waits for a write the run left in flight to end before its undo decides (see `runSetup`). */
  settleWrite?: SettleWrite;
  timeoutMs?: number;
  now?: () => number;
}

export interface UndoRunResult {
  runId: string;
  /** `undone`: nothing this run changed is left (also when there was nothing to undo). */
  status: 'undone' | 'rollback-incomplete';
  /** 0 undone, 3 something is left, 130 stopped by the user. */
  exitCode: 0 | 3 | 130;
  /** How each step this call tried to undo ended. */
  outcomes: { id: string; title: string; outcome: RollbackOutcome; reason: string | null }[];
  left: LeftBehind[];
}

/** States in which the step's change may be in place and the journal holds its record. */
const MAY_BE_IN_PLACE: ReadonlySet<JournalStepState> = new Set([
  'started',
  'applied',
  'handed-off',
  'failed',
  'cancelled',
  'undoing',
  'undo-failed',
  'changed-since',
]);

/**
 * Undoes every step of the run whose change may still be in place, newest first. Takes the target's
 * lock first, so a run that is still alive in another process is refused (`RunLockedError`).
 */
export async function undoFromJournal(options: UndoFromJournalOptions): Promise<UndoRunResult> {
  const now = options.now ?? Date.now;
  const writer = await options.journal.open(options.runId);
  const run = writer.document;
  const lock = await options.journal.lock(run.target, run.runId);
  try {
    const undoers = typeof options.steps === 'function' ? options.steps(run) : options.steps;
    const byId = new Map(undoers.map((step) => [step.id, step]));
    const entries: RollbackEntry[] = [];
    const left: LeftBehind[] = [];
    for (const step of newestFirst(run.steps)) {
      if (!MAY_BE_IN_PLACE.has(step.state)) continue;
      if (step.record === null) {
        // Started but killed before it wrote a record: the journal cannot tell whether it changed anything.
        if (step.state === 'started' || step.state === 'undoing') {
          left.push({
            id: step.id,
            title: step.title,
            reason: `the run stopped while this step was changing ${step.resource}; check it by hand`,
            commands: [],
          });
        }
        continue;
      }
      const undoer = byId.get(step.id);
      // A check changed nothing: there is nothing to undo and no row to show.
      if (undoer?.readOnly) continue;
      if (!undoer) {
        left.push({
          id: step.id,
          title: step.title,
          reason: `this version of sc-doctor does not know how to undo step ${step.id}`,
          commands: [],
        });
        continue;
      }
      const problems = undoer.checkRecord(step.record, {
        runId: run.runId,
        target: run.target,
        resource: step.resource,
        title: step.title,
        preview: step.preview,
      });
      if (problems.length > 0) {
        const path = options.journal.fileOf(run.runId);
        throw new UnreadableJournalError({
          runId: run.runId,
          path,
          problem: `holds a record for step ${step.id} that sc-doctor did not write (${problems.slice(0, 3).join('; ')})`,
          fix:
            'Fix: if the file was edited, put it back as it was; otherwise undo what that run changed by hand ' +
            `(its plan is in ${path}). sc-doctor undoes nothing a record does not prove this run made.`,
        });
      }
      entries.push({ step: undoer, record: step.record, inFlight: step.inFlight ?? null });
    }
    await writer.update((doc) => {
      doc.status = 'rolling-back';
    });
    const report = await rollBack({
      runId: run.runId,
      entries,
      reason: 'undo',
      emit: isolated(options.emit),
      writer,
      stopSignal: options.stopSignal,
      ...(options.settleWrite ? { settleWrite: options.settleWrite } : {}),
      timeoutMs: options.timeoutMs ?? DEFAULT_UNDO_TIMEOUT_MS,
      now,
    });
    const allLeft = [...left, ...report.left];
    const status = allLeft.length === 0 ? 'undone' : 'rollback-incomplete';
    await writer.update((doc) => {
      doc.status = status;
      doc.left = allLeft;
    });
    return {
      runId: run.runId,
      status,
      exitCode: options.stopSignal?.aborted
        ? ExitCode.Cancelled
        : status === 'undone'
          ? ExitCode.Success
          : ExitCode.RollbackIncomplete,
      outcomes: entries.map(({ step }) => ({
        id: step.id,
        title: step.title,
        outcome: report.outcomes.get(step.id)!.outcome,
        reason: report.outcomes.get(step.id)!.reason,
      })),
      left: allLeft,
    };
  } finally {
    await lock.release().catch(() => {});
  }
}

/** In-flight steps (no completion order yet) first, then the applied ones from the last to the first. */
function newestFirst(steps: readonly JournalStep[]): JournalStep[] {
  return [...steps].sort(
    (a, b) => (b.appliedOrder ?? Number.MAX_SAFE_INTEGER) - (a.appliedOrder ?? Number.MAX_SAFE_INTEGER),
  );
}
