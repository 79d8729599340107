/**
 * Before anything is written: the steps are checked (unique kebab-case ids, known dependencies, no
 * cycle), previewed, and every consent is asked up front, so the user is never asked mid-run while
 * half the changes are made. A refused consent drops that step and everything that depends on it.
 */
import type { NotDone, PlannedStepView } from './events.ts';
import { isKebabCase, type Step } from './step.ts';

/** A plan that cannot run as written: a bug in the flow that built it, never a user error. */
export class InvalidPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPlanError';
  }
}

/** What `confirm` is asked, once per step that needs consent, in plan order. */
export interface ConsentRequest {
  id: string;
  title: string;
  /** Why the change needs a yes, e.g. `may restart the server`. */
  reason: string;
}

/** Answers a consent request; the interactive Prompter asks, `--yes` answers true. */
export type Confirm = (request: ConsentRequest) => Promise<boolean>;

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

/** The steps that may run after the consents, and those that will not, with why. */
export interface ConsentedPlan {
  steps: Step[];
  notDone: NotDone[];
}

/**
 * Asks `confirm` for every step with a `consent`, in plan order, before any change. A step whose
 * consent is refused, and every step that depends on it directly or not, is left out.
 */
export async function gatherConsent(plan: Plan, confirm: Confirm | undefined): Promise<ConsentedPlan> {
  const refused = new Set<string>();
  for (const step of plan.steps) {
    if (!step.consent) continue;
    if (!confirm) throw new InvalidPlanError(`step ${step.id} needs consent but no way to ask was given`);
    const yes = await confirm({ id: step.id, title: step.title, reason: step.consent });
    if (!yes) refused.add(step.id);
  }
  const notDone: NotDone[] = [];
  const blockedBy = new Map<string, string>();
  const blocker = (step: Step, seen = new Set<string>()): string | undefined => {
    if (refused.has(step.id)) return step.id;
    if (blockedBy.has(step.id)) return blockedBy.get(step.id);
    seen.add(step.id);
    for (const id of step.after ?? []) {
      const dependency = plan.steps.find((s) => s.id === id)!;
      const found = blocker(dependency, seen);
      if (found) {
        blockedBy.set(step.id, found);
        return found;
      }
    }
    return undefined;
  };
  const kept: Step[] = [];
  for (const step of plan.steps) {
    const cause = blocker(step);
    if (cause === undefined) kept.push(step);
    else if (cause === step.id) notDone.push({ id: step.id, title: step.title, reason: 'consent refused' });
    else
      notDone.push({
        id: step.id,
        title: step.title,
        reason: `depends on ${cause}, whose consent was refused`,
      });
  }
  return { steps: kept, notDone };
}
