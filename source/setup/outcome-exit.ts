/** How a setup outcome becomes an exit code, through the one `exitCodeFor` every front-end uses. */
import { type ExitCodeValue, exitCodeFor } from '../core/exit-codes.ts';
import type { SetupOutcome } from './flow-types.ts';

/**
 * `ran`: the engine's status (130 whenever the user cancelled). `refused`: 1, a check failed. A dry
 * run: 0. Backing out at the plan: 130, the user stopped it.
 */
export function setupOutcomeExitCode(outcome: SetupOutcome, cancelled: boolean): ExitCodeValue {
  switch (outcome.kind) {
    case 'ran': {
      const { status } = outcome.result;
      return exitCodeFor({
        cancelled: outcome.result.cancelled,
        ...(status === 'cancelled' ? {} : { setup: status }),
      });
    }
    case 'refused':
      return exitCodeFor({ cancelled, refused: true });
    case 'planned':
      return exitCodeFor({ cancelled });
    case 'declined':
      return exitCodeFor({ cancelled: true });
  }
}
