/**
 * Every consent is asked up front, before anything is written, so the user is never asked mid-run
 * while half the changes are made. A refused consent drops that step and everything that depends on it.
 */
import type { NotDone } from './events.ts';
import { InvalidPlanError, type Plan } from './plan.ts';
import type { Step } from './step.ts';

/** What `confirm` is asked, once per step that needs consent, in plan order. */
export interface ConsentRequest {
  id: string;
  title: string;
  /** Why the change needs a yes, e.g. `may restart the server`. */
  reason: string;
}

/** Answers a consent request; the interactive Prompter asks, `--yes` answers true. */
export type Confirm = (request: ConsentRequest) => Promise<boolean>;

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
