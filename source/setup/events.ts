/** The setup flow's own events, around the engine's: what it will act on, and why it would not start. */
import type { EngineEvent, PlannedStepView } from '../engine/events.ts';

export type SetupEvent =
  /** The plan, before anything is asked or written: `title` says who connects to what, and how. */
  | { type: 'setup:plan'; title: string; steps: PlannedStepView[]; dryRun: boolean }
  /** The doctor found something setup cannot fix; nothing was changed. */
  | { type: 'setup:refused'; reasons: string[] }
  /** An unfinished run's journal was found: offered for undo. */
  | { type: 'setup:unfinished'; runs: { runId: string; target: string; status: string }[] };

/** Everything a setup flow emits: its own events and the engine's, unchanged. */
export type SetupFlowEvent = SetupEvent | EngineEvent;
