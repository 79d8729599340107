/**
 * One definition per step: its id, the title undo gives it, the record it keeps (checked before any
 * undo from a journal), how it is undone and the commands a person runs instead. The same definition
 * makes the plan's step (`planned`: the flow builds the rest, from its input) and the step's entry in
 * undo from the journal (`undoersOf`), so the two cannot drift apart.
 *
 * `E` is what an undo needs beyond its context and record, the same in the run and from a journal
 * (setup gives its services and this process's `--connect-to`): the engine never looks inside it.
 */
import { checkRecord, type RecordSchema } from './record-schema.ts';
import type { Step, StepUndoer, UndoContext, UndoRecord, UndoResult } from './step.ts';

export interface StepDefinition<R extends UndoRecord, E> {
  /** Kebab-case, public API: the plan, the journal, `--json`, `sc-doctor undo`. */
  id: string;
  /** How undo names the step: `Temporary firewall rule`. */
  title: string;
  /** The record `apply` returns, as undo accepts it from a journal (its shape and its run's marks). */
  record: RecordSchema<R>;
  /** Reverses the step from its record alone (see `Step.undo`). */
  undo(ctx: UndoContext & E, record: R): Promise<UndoResult>;
  /** The commands a person runs when the engine cannot undo (see `Step.manualUndo`). */
  manualUndo(record: R): string[];
  /**
   * A check (verify): it changed nothing, so the run keeps no record of it and `undo` passes over
   * it, even in a journal of an earlier version that kept one.
   */
  readOnly?: true;
}

/** What a flow builds of a step from its input; its id and its undo come from its definition. */
export type PlannedPart<R extends UndoRecord> = Omit<Step<R>, 'id' | 'undo' | 'manualUndo'>;

/**
 * The plan's step of `definition`: `part` as the flow built it, undone as the definition says. The
 * same object, completed: a step may settle its own fields while it previews (its `consent`).
 */
export function planned<R extends UndoRecord, E>(
  definition: StepDefinition<R, E>,
  part: PlannedPart<R>,
  env: E,
): Step<R> {
  return Object.assign(part, {
    id: definition.id,
    undo: (ctx: UndoContext, record: R) => definition.undo({ ...ctx, ...env }, record),
    manualUndo: (record: R) => definition.manualUndo(record),
    ...(definition.readOnly ? { readOnly: true } : {}),
  });
}

/**
 * Undo from the journal: each definition's undo, commands and record check, by step id. Two
 * definitions with one id are a mistake in the flow, refused here.
 */
export function undoersOf<E>(definitions: readonly StepDefinition<UndoRecord, E>[], env: E): StepUndoer[] {
  const ids = new Set<string>();
  return definitions.map((definition) => {
    if (ids.has(definition.id)) throw new Error(`two step definitions have the id ${definition.id}`);
    ids.add(definition.id);
    return {
      id: definition.id,
      title: definition.title,
      undo: (ctx, record) => definition.undo({ ...ctx, ...env }, record),
      manualUndo: (record) => definition.manualUndo(record),
      checkRecord: (record, origin) => checkRecord(definition.record, record, origin),
      ...(definition.readOnly ? { readOnly: true } : {}),
    };
  });
}

/** The record of a step that changes nothing (a check, the removal of a temporary rule): anything. */
export const NO_RECORD: RecordSchema<UndoRecord> = {};

/** The undo of a step that changed nothing. */
export function nothingToUndo(reason: string): () => Promise<UndoResult> {
  return async () => ({ status: 'already-gone', reason });
}

/** The manual undo of a step that changed nothing: no command. */
export function noCommands(): string[] {
  return [];
}
