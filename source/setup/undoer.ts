/**
 * Builds the by-id undo table entries every flow gives `undoFromJournal`: each entry reads the record
 * the same step wrote to the journal, so its own module types it, and each is checked against the
 * flow's record schema for its step id before anything is undone.
 */
import { checkRecord, type RecordSchema } from './record-schema.ts';
import type { StepUndoer, Undoable, UndoContext, UndoRecord, UndoResult } from './step.ts';

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
): Undoable {
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

/**
 * The entry of a check (verify): it changed nothing, so `undo` passes over it and lists no row for
 * it, even from a journal of an earlier version that kept a record for it.
 */
export function checkOnly(id: string, title: string): Undoable {
  return { ...undoer(id, title, nothingToUndo('the check changed nothing'), noCommands), readOnly: true };
}

/** The undo of a step that changed nothing (the removal of the temporary rule). */
export function nothingToUndo(reason: string): () => Promise<UndoResult> {
  return async () => ({ status: 'already-gone', reason });
}

/** A flow's record schemas by step id. */
export type RecordSchemas = Readonly<Record<string, RecordSchema<any>>>;

/**
 * The flow's undo table with each entry's record check: a step id without a schema is a mistake in
 * the flow, refused here (and by the flows' tests) rather than undone unchecked.
 */
export function checkedUndoers(schemas: RecordSchemas, undoers: readonly Undoable[]): StepUndoer[] {
  return undoers.map((entry) => {
    const schema = schemas[entry.id];
    if (!schema) throw new Error(`the undo of step ${entry.id} has no record schema`);
    return { ...entry, checkRecord: (record, origin) => checkRecord(schema, record, origin) };
  });
}
