/**
 * The words every front-end uses for the plan, a step's outcome and how a run ended, so the Ink
 * screens, plain lines and JSON say the same thing.
 */

import { commandLine } from '../core/command-line.ts';
import type { LeftBehind, PlannedStepView, RollbackOutcome, StepOutcome } from '../engine/events.ts';
import type { SetupResult } from '../engine/run-setup.ts';

export const PLAN_FOOTER =
  'Nothing else changes. Every step is undone if a later one fails or you press Ctrl-C.';

export interface OutcomeLook {
  glyph: string;
  ascii: string;
  word: string;
  color: 'green' | 'yellow' | 'red' | 'gray' | 'magenta';
}

export const STEP_LOOK: Record<StepOutcome, OutcomeLook> = {
  applied: { glyph: '✔', ascii: '+', word: 'done', color: 'green' },
  'already-done': { glyph: '✔', ascii: '+', word: 'already done', color: 'green' },
  'handed-off': { glyph: '↪', ascii: '>', word: 'handed off', color: 'yellow' },
  failed: { glyph: '✖', ascii: 'x', word: 'FAILED', color: 'red' },
  cancelled: { glyph: '✖', ascii: 'x', word: 'cancelled', color: 'yellow' },
  'not-run': { glyph: '○', ascii: '-', word: 'not run', color: 'gray' },
};

export const ROLLBACK_LOOK: Record<RollbackOutcome, OutcomeLook> = {
  undone: { glyph: '↺', ascii: '<', word: 'undone', color: 'green' },
  'already-gone': { glyph: '↺', ascii: '<', word: 'already gone', color: 'green' },
  'changed-since': { glyph: '⚠', ascii: '!', word: 'changed since, left in place', color: 'yellow' },
  failed: { glyph: '✖', ascii: 'x', word: 'UNDO FAILED', color: 'red' },
  abandoned: { glyph: '✖', ascii: 'x', word: 'not undone (stopped)', color: 'red' },
};

/**
 * Who signs in to the database, in words for previews and messages: the app's own managed identity,
 * or the service principal by its client id (a service principal is not the app's identity).
 */
export function signsInAs(auth: { kind: 'system' | 'user' | 'sp'; clientId?: string }): string {
  if (auth.kind === 'sp') return `the service principal ${auth.clientId ?? ''}`.trimEnd();
  return "the app's identity";
}

/** `4.1s`, `1:02` once past a minute. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * The closing lines of a run: what happened, what is left and the commands that remove it, and how to
 * undo a finished run later. `plan` tells the changes from the checks (a read-only step is no change).
 */
export function closingLinesOf(result: SetupResult, plan: readonly PlannedStepView[] = []): string[] {
  const lines: string[] = [];
  const handedOff = result.handedOff.map((h) => `Handed off: ${h.title}: ${h.summary}.`);
  if (result.status === 'succeeded' || result.status === 'handed-off') {
    // Checks change nothing; a step handed off without a script (a check waiting for one) neither.
    const readOnly = new Set(plan.filter((view) => view.readOnly).map((view) => view.id));
    const changed = result.steps.filter(
      (s) =>
        !readOnly.has(s.id) &&
        (s.outcome === 'applied' || (s.outcome === 'handed-off' && s.scriptPath !== null)),
    ).length;
    const made = `${changed} change${changed === 1 ? '' : 's'} made (run ${result.runId})`;
    lines.push(
      result.status === 'handed-off'
        ? `Not finished: ${made}; ${result.handedOff.length} handed off to a script, so the run is not done.`
        : changed === 0
          ? 'Done: everything was already in place; nothing was changed.'
          : `Done: ${made}.`,
    );
    lines.push(...handedOff);
    for (const skipped of result.notDone) lines.push(`Not done: ${skipped.title} (${skipped.reason}).`);
    if (changed > 0) lines.push(`To remove them again: ${undoCommand(result.runId)}`);
    return lines;
  }
  if (result.failure) lines.push(`Failed at ${result.failure.title}: ${result.failure.message}`);
  else if (result.cancelled) lines.push('Cancelled.');
  if (result.left.length === 0) {
    lines.push('Everything this run changed was undone: nothing is left.');
    return lines;
  }
  return [...lines, ...leftLines(result.runId, result.left)];
}

/**
 * What a hand-off leaves to do, and both ways to finish it: resume from inside the network (this
 * tool connects and does the rest), or run the script there. Empty when nothing was handed off.
 */
export function leftToDoLines(result: SetupResult, resume: string | undefined): string[] {
  if (!result.handedOff?.length) return [];
  const lines = ['Left to do:'];
  for (const step of result.handedOff) lines.push(`  ${step.title}: written to ${step.scriptPath}`);
  lines.push('Finish it either way, where and as whom the hand-off above says:');
  if (resume) lines.push(`  ${resume}`);
  for (const step of result.handedOff) lines.push(`  ${commandLine(['sh', step.scriptPath])}`);
  return lines;
}

/** The command that undoes run `runId`. */
export function undoCommand(runId: string): string {
  return commandLine(['sc-doctor', 'undo', runId]);
}

/** What a run left in place, with the commands that remove it, and how to try the undo again. */
export function leftLines(runId: string, left: readonly LeftBehind[]): string[] {
  const lines = [`Left in place (${left.length}); remove by hand:`];
  for (const thing of left) {
    lines.push(`  ${thing.title}: ${thing.reason}`);
    for (const command of thing.commands) lines.push(`    ${command}`);
  }
  lines.push(`Or try again later: ${undoCommand(runId)}`);
  return lines;
}
