/**
 * `verify`: the doctor's `database-user` probe after the changes: the role exists, is mapped to the
 * app's identity and holds every grant the plan promised (its own rights, never PUBLIC's). The step
 * fails (and the run rolls back) otherwise. It changes nothing, so it has nothing to undo. When the
 * role's statements were handed off, there is nothing to check yet: the step is handed off too (not
 * done), and `--resume` checks it once the script has run.
 */

import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { postgresDescriptor } from '../../databases/postgres/descriptor.ts';
import { probePostgres } from '../../databases/postgres/probe.ts';
import { handOff, type Step } from '../../engine/step.ts';
import { principalOf } from '../app/identities.ts';
import { signsInAs } from '../wording.ts';
import { DATABASE_ROLE } from './database-role.ts';
import type { PostgresSetupInput } from './input.ts';

export const VERIFY = 'verify';

export function verifyStep(input: PostgresSetupInput, services: Services, after: string[]): Step {
  return {
    id: VERIFY,
    readOnly: true,
    title: `Check the database user of ${input.app.name}`,
    resource: `${input.server.id}/verify`,
    after: [DATABASE_ROLE, ...after],
    preview: () => [
      `log in and check the role is mapped to ${signsInAs(input.auth)} and holds every promised grant`,
    ],
    async isDone() {
      return false;
    },
    async apply(ctx) {
      if (ctx.outcomeOf(DATABASE_ROLE) === 'handed-off')
        return handOff(null, 'checked once the hand-off is finished (--resume checks it)');
      const token = await databaseToken(services, postgresDescriptor, input.signedIn.user, ctx.signal);
      const principal = await principalOf(services, input, ctx.signal);
      const finding = await probePostgres(
        {
          ...addressOf(input.server, input.connectTo),
          fqdn: input.server.fqdn,
          user: input.signedIn.user,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal: ctx.signal,
        },
        {
          appName: input.app.name,
          objectIds: [principal.objectId],
          database: input.database,
          settingsUser: null,
        },
        input.grants,
      );
      if (finding.status !== 'pass') throw new Error(`the database user check failed: ${finding.message}`);
      return { checked: finding.message };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the check changed nothing' }),
    manualUndo: () => [],
  };
}
