/**
 * The doctor's target question for the core's doctor flow: asked only when no target flag was given;
 * what the chooser picks is parsed as the flags are (target.ts), so a check cannot tell a chosen
 * target from a typed one.
 */
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import type { TargetQuestion } from '../core/session.ts';
import type { DoctorOptions } from './check.ts';
import { parseTarget, type TargetFlags } from './target.ts';

/**
 * Asks which server and app to check (interactive mode only): the answer in the flags' keys, or
 * undefined to go on without one (the target checks then say which flags would name it).
 */
export type ChooseTarget = (
  prompter: Prompter,
  services: Services,
  signal: AbortSignal,
) => Promise<TargetFlags | undefined>;

/** The question the doctor flow asks with `choose`. */
export function targetQuestion(choose: ChooseTarget): TargetQuestion<DoctorOptions> {
  return {
    given: (options) => options.target.given,
    async ask(prompter, services, signal, options) {
      const chosen = await choose(prompter, services, signal);
      if (!chosen) return undefined;
      // Picked from Azure's own lists, so the names are valid; a pick that is not is no target.
      const parsed = parseTarget(chosen);
      return parsed.ok ? { ...options, target: parsed.target } : undefined;
    },
  };
}
