/**
 * The words of the consent questions: every step of the plan (what it changes, or that it is in place
 * already, or that it only checks) and every ⚠ item with its reason, so the person sees all of it in
 * the client before anything is written. Names only: no value of a setting or secret is in a plan.
 */
import type { PlannedStepView } from '../setup/engine-events.ts';
import type { RunDocument } from '../setup/journal.ts';

/** Steps of a plan that change something (not read-only, not already in place). */
export function changingSteps(steps: readonly PlannedStepView[]): PlannedStepView[] {
  return steps.filter((step) => !step.readOnly && step.alreadyDone === undefined);
}

/** The apply question: the plan's title, each step with its lines, then each ⚠ item. */
export function applyConsentMessage(title: string, steps: readonly PlannedStepView[]): string {
  const changes = changingSteps(steps).length;
  const lines = [
    `sc-doctor asks before it changes Azure: ${title}`,
    `${changes} change${changes === 1 ? '' : 's'}, applied in order; if one fails or the call is cancelled, every change made is undone.`,
    '',
  ];
  steps.forEach((step, index) => {
    const state = step.readOnly
      ? ' (check only)'
      : step.alreadyDone
        ? ` (already done: ${step.alreadyDone})`
        : '';
    lines.push(`${index + 1}. ${step.consent ? '⚠ ' : ''}${step.title} · ${step.resource}${state}`);
    for (const line of step.lines) lines.push(`   ${line}`);
  });
  const consents = steps.filter((step) => step.consent);
  if (consents.length > 0) {
    lines.push('', 'Needs your explicit yes:');
    for (const step of consents) lines.push(`⚠ ${step.title}: ${step.consent}`);
  }
  lines.push(
    '',
    'The run is journalled; undo reverses it. Nothing changes unless you tick the box and accept.',
  );
  return lines.join('\n');
}

/** Journal states in which a step's change may still be in place (what undo reverses). */
const IN_PLACE = new Set([
  'started',
  'applied',
  'handed-off',
  'failed',
  'cancelled',
  'undoing',
  'undo-failed',
  'changed-since',
]);

/** Steps of a run whose change undo would reverse, newest first (the order undo takes). */
export function stepsToUndo(run: RunDocument): RunDocument['steps'] {
  return run.steps
    .filter((step) => IN_PLACE.has(step.state) && step.record !== null)
    .sort((a, b) => (b.appliedOrder ?? 0) - (a.appliedOrder ?? 0));
}

/** The undo question: the run, then each change it reverses, with the ⚠ reasons the plan gave. */
export function undoConsentMessage(run: RunDocument): string {
  const steps = stepsToUndo(run);
  const lines = [
    `sc-doctor asks before it changes Azure: undo run ${run.runId} on ${run.target} (${run.status}).`,
    steps.length === 0
      ? 'The journal lists no change of this run still in place; undo only checks and marks the run undone.'
      : `${steps.length} change${steps.length === 1 ? '' : 's'} reversed, newest first:`,
    '',
  ];
  steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.consent ? '⚠ ' : ''}undo ${step.title} · ${step.resource}`);
    for (const line of step.preview) lines.push(`   was: ${line}`);
  });
  const consents = steps.filter((step) => step.consent);
  if (consents.length > 0) {
    lines.push('', 'These were ⚠ when applied; undo puts back what they replaced where it can:');
    for (const step of consents) lines.push(`⚠ ${step.title}: ${step.consent}`);
  }
  lines.push('', 'Nothing changes unless you tick the box and accept.');
  return lines.join('\n');
}
