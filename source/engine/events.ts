/**
 * Events the step engine emits, through the `emit` callback it is given, so the front-ends can show
 * the plan, live progress and the rollback the same way. Plain JSON, no secrets: the JSON reporter may
 * print them as they are.
 */

/** How a step ended in the apply phase. */
export type StepOutcome =
  /** The change was made; an undo record is in the journal. */
  | 'applied'
  /** `isDone` said the change was already there: nothing written. */
  | 'already-done'
  /** The work was written to a script for someone who can reach the server. */
  | 'handed-off'
  /** `apply` threw, timed out, or returned a record that may not be kept. */
  | 'failed'
  /** Stopped by Ctrl-C before it finished. */
  | 'cancelled'
  /** Never started: an earlier step failed, the run was cancelled, or its consent was refused. */
  | 'not-run';

/** How undoing one step ended. */
export type RollbackOutcome =
  | 'undone'
  | 'already-gone'
  | 'changed-since'
  /** `undo` threw or timed out. */
  | 'failed'
  /** The user stopped waiting (second Ctrl-C) before this step was undone. */
  | 'abandoned';

/** One planned step as the plan screen shows it. */
export interface PlannedStepView {
  id: string;
  title: string;
  resource: string;
  after: string[];
  /** What will change, from the step's `preview`. */
  lines: string[];
  /** Why the step needs consent, or null. */
  consent: string | null;
  /** Words saying the change is already in place (`already on`), when the plan can tell. */
  alreadyDone?: string;
  /** The step only checks: not a change. */
  readOnly?: true;
}

/** A step that will not run, and why (consent refused, or it depends on one that was). */
export interface NotDone {
  id: string;
  title: string;
  reason: string;
}

/** Something the run changed that is still there, with the commands that remove it. */
export interface LeftBehind {
  id: string;
  title: string;
  reason: string;
  commands: string[];
}

export type EngineEvent =
  | { type: 'plan:ready'; runId: string; steps: PlannedStepView[]; notDone: NotDone[] }
  | { type: 'step:start'; id: string; title: string; at: number }
  | { type: 'step:progress'; id: string; detail: string; elapsedMs: number }
  | {
      type: 'step:end';
      id: string;
      title: string;
      outcome: StepOutcome;
      elapsedMs: number;
      /** Why it failed, or what the hand-off script does. */
      message: string | null;
      /** Set for `handed-off`. */
      scriptPath: string | null;
    }
  | {
      type: 'rollback:start';
      runId: string;
      reason: 'failure' | 'cancelled' | 'undo';
      /** Newest first: the order they will be undone in. */
      steps: { id: string; title: string }[];
    }
  | { type: 'rollback:step-start'; id: string; title: string; at: number }
  | { type: 'rollback:progress'; id: string; detail: string; elapsedMs: number }
  | {
      type: 'rollback:step-end';
      id: string;
      title: string;
      outcome: RollbackOutcome;
      elapsedMs: number;
      reason: string | null;
    }
  | { type: 'rollback:end'; runId: string; complete: boolean; left: LeftBehind[] };

export type EmitEngineEvent = (event: EngineEvent) => void;
