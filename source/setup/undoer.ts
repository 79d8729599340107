/**
 * Builds the by-id undo table entries every flow gives `undoFromJournal`: each entry reads the record
 * the same step wrote to the journal, so its own module types it.
 */
import type { StepUndoer, UndoContext, UndoRecord, UndoResult } from './step.ts';

/**
 * One entry: the undo of step `id`, and the commands a person runs when it cannot be undone here
 * (required, so that no table can leave a person without them; `noCommands` for a step that changes
 * nothing).
 */
export function undoer<R extends UndoRecord>(
  id: string,
  title: string,
  undo: (ctx: UndoContext, record: R) => Promise<UndoResult>,
  manual: (record: R) => string[],
): StepUndoer {
  return {
    id,
    title,
    undo: (ctx, record) => undo(ctx, record as R),
    manualUndo: (record) => manual(record as R),
  };
}

/** The manual undo of a step that changed nothing: no command. */
export function noCommands(): string[] {
  return [];
}

/** The undo of a step that changed nothing (a check, the removal of the temporary rule). */
export function nothingToUndo(reason: string): () => Promise<UndoResult> {
  return async () => ({ status: 'already-gone', reason });
}
