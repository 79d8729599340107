/**
 * Before anything is written: the steps are checked (unique kebab-case ids, known dependencies, no
 * cycle) and previewed. The consents are asked next, up front (consent.ts).
 */
import type { PlannedStepView } from './events.ts';
import { isKebabCase, type Step } from './step.ts';

/** A plan that cannot run as written: a bug in the flow that built it, never a user error. */
export class InvalidPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPlanError';
  }
}

export interface Plan {
  /** In declared order. */
  steps: readonly Step[];
  /** The plan screen's view of each step, in the same order. */
  views: PlannedStepView[];
}

/** Throws `InvalidPlanError` unless ids are unique kebab-case, every `after` is known, and there is no cycle. */
export function validateSteps(steps: readonly Step[]): void {
  const byId = new Map<string, Step>();
  for (const step of steps) {
    if (!isKebabCase(step.id)) throw new InvalidPlanError(`step id "${step.id}" is not kebab-case`);
    if (byId.has(step.id)) throw new InvalidPlanError(`two steps have the id ${step.id}`);
    if (step.resource.trim() === '') throw new InvalidPlanError(`step ${step.id} names no resource`);
    byId.set(step.id, step);
  }
  for (const step of steps) {
    for (const id of step.after ?? []) {
      if (!byId.has(id)) throw new InvalidPlanError(`step ${step.id} comes after unknown step ${id}`);
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, path: string[]) => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw new InvalidPlanError(`steps form a cycle: ${[...path, id].join(' → ')}`);
    visiting.add(id);
    for (const next of byId.get(id)?.after ?? []) visit(next, [...path, id]);
    visiting.delete(id);
    done.add(id);
  };
  for (const step of steps) visit(step.id, []);
}

/** Validates the steps and asks each for its preview lines (reads only). */
export async function planSteps(
  steps: readonly Step[],
  signal: AbortSignal = new AbortController().signal,
): Promise<Plan> {
  validateSteps(steps);
  const views = await Promise.all(
    steps.map(async (step): Promise<PlannedStepView> => {
      const alreadyDone = await alreadyDoneOf(step, signal);
      return {
        id: step.id,
        title: step.title,
        resource: step.resource,
        after: [...(step.after ?? [])],
        lines: [...(await step.preview({ signal }))],
        consent: step.consent ?? null,
        ...(alreadyDone ? { alreadyDone } : {}),
        ...(step.readOnly ? { readOnly: true as const } : {}),
      };
    }),
  );
  return { steps, views };
}

/**
 * What the plan row says of a change already in place. A step that cannot tell (its read failed) is
 * planned as a change: the engine's `isDone` decides when it runs.
 */
async function alreadyDoneOf(step: Step, signal: AbortSignal): Promise<string | undefined> {
  try {
    const words = await step.alreadyDone?.({ signal });
    return words?.trim() ? words.trim() : undefined;
  } catch {
    return undefined;
  }
}
