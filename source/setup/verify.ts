/**
 * `verify`, the last check of every flow: log in after the changes and run the doctor's probe of the
 * app's database user (the kind's), which must find it mapped to the app's identity with what the
 * plan promised. The step fails (and the run rolls back) otherwise. It changes nothing, so it has
 * nothing to undo. When the user's statements were handed off, there is nothing to check yet: the
 * step is handed off too (not done), and `--resume` checks it once the script has run.
 */
import type { Services } from '../core/services.ts';
import { handOff, type Step, type UndoRecord } from '../engine/step.ts';
import { NO_RECORD, noCommands, nothingToUndo, planned } from '../engine/step-registry.ts';
import type { SetupInput } from './input.ts';
import { envOf, type SetupStep } from './step-env.ts';

export const VERIFY = 'verify';

/** The check's definition: nothing to undo. */
export const verify: SetupStep<UndoRecord> = {
  id: VERIFY,
  title: 'Check',
  record: NO_RECORD,
  undo: nothingToUndo('the check changed nothing'),
  manualUndo: noCommands,
  readOnly: true,
};

/** What a kind's check is: the step that makes the user, the plan's words, and the probe. */
export interface UserCheck {
  /** The step that creates the database user (the check comes after it). */
  userStep: string;
  /** `Check the database user of <app>`. */
  title: string;
  /** The plan's line: what is checked. */
  preview: string;
  /** Logs in and probes; resolves with what it found, throws `the database user check failed: ...`. */
  check(signal: AbortSignal): Promise<string>;
}

export function verifyStep(input: SetupInput, services: Services, user: UserCheck, after: string[]): Step {
  return planned(
    verify,
    {
      title: user.title,
      resource: `${input.server.id}/verify`,
      after: [user.userStep, ...after],
      preview: () => [user.preview],
      async isDone() {
        return false;
      },
      async apply(ctx) {
        // Handed off: the user is made later (inside the network, or by the owner); nothing to check yet.
        if (ctx.outcomeOf(user.userStep) === 'handed-off')
          return handOff(null, 'checked once the hand-off is finished (--resume checks it)');
        return { checked: await user.check(ctx.signal) };
      },
    },
    envOf(services, input),
  );
}
