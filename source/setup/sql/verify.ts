/**
 * `verify` for Azure SQL: the doctor's `database-user` probe after the changes: a user in the
 * database is mapped to the app's identity (by the client id in its `sid`) and may read and write.
 * The step fails (and the run rolls back) otherwise. It changes nothing, so it has nothing to undo.
 */

import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { sqlDescriptor } from '../../databases/sql/descriptor.ts';
import { probeSql } from '../../databases/sql/probe.ts';
import { handOff, type Step } from '../../engine/step.ts';
import { signsInAs } from '../wording.ts';
import { DATABASE_USER } from './database-user.ts';
import { sqlPrincipalOf } from './identity.ts';
import type { SqlSetupInput } from './input.ts';

export const VERIFY = 'verify';

export function sqlVerifyStep(input: SqlSetupInput, services: Services, after: string[]): Step {
  return {
    id: VERIFY,
    readOnly: true,
    title: `Check the database user of ${input.app.name}`,
    resource: `${input.server.id}/verify`,
    after: [DATABASE_USER, ...after],
    preview: () => [`log in and check a user is mapped to ${signsInAs(input.auth)} and may read and write`],
    async isDone() {
      return false;
    },
    async apply(ctx) {
      // Handed off: the user is made later, inside the network; nothing to check yet, and not done.
      if (ctx.outcomeOf(DATABASE_USER) === 'handed-off')
        return handOff(null, 'checked once the hand-off is finished (--resume checks it)');
      const token = await databaseToken(services, sqlDescriptor, 'the signed-in account', ctx.signal);
      const principal = await sqlPrincipalOf(services, input, ctx.signal);
      const { server } = input;
      const finding = await probeSql(
        {
          ...addressOf(server, input.connectTo),
          fqdn: server.fqdn,
          database: input.database,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal: ctx.signal,
        },
        { appName: input.app.name, clientIds: [principal.clientId], database: input.database },
      );
      if (finding.status !== 'pass') throw new Error(`the database user check failed: ${finding.message}`);
      return { checked: finding.message };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the check changed nothing' }),
    manualUndo: () => [],
  };
}
