/** Reading the shared facts (`data.server`, `data.app`) from the outcomes a check waited for. */

import type { ServerFacts } from '../databases/facts.ts';
import type { DoctorContext } from './check.ts';
import type { AppFacts } from './facts.ts';

/** The server the `server` check found, or null when it found none (failed, skipped, no target). */
export function serverFactsOf(ctx: Pick<DoctorContext, 'outcomeOf'>): ServerFacts | null {
  const server = ctx.outcomeOf('server')?.data.server as ServerFacts | undefined;
  return server && typeof server.id === 'string' ? server : null;
}

/** The app the `app-identity` check found, or null. */
export function appFactsOf(ctx: Pick<DoctorContext, 'outcomeOf'>): AppFacts | null {
  const app = ctx.outcomeOf('app-identity')?.data.app as AppFacts | undefined;
  return app && typeof app.id === 'string' ? app : null;
}
