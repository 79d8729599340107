/**
 * `verify` for Azure SQL: the doctor's `database-user` probe after the changes: a user in the
 * database is mapped to the app's identity (by the client id in its `sid`) and may read and write.
 * The step fails (and the run rolls back) otherwise. It changes nothing, so it has nothing to undo.
 */
import { connectTarget } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { probeSql } from '../../doctor/database-probe-sql.ts';
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
      const { azure } = services;
      const cloud = await azure.cloud(ctx.signal);
      const token = await azure.credential.tryGetToken(cloud.sqlScope, ctx.signal);
      if (!token.ok) throw new Error(`no Azure SQL token: ${token.diagnosis.message}`);
      const principal = await sqlPrincipalOf(services, input, ctx.signal);
      const { server } = input;
      const finding = await probeSql(
        {
          ...(connectTarget(input.connectTo, server.fqdn, server.port) ?? {
            host: server.fqdn,
            port: server.port,
          }),
          fqdn: server.fqdn,
          database: input.database,
          token: token.token.token,
          ca: azure.tls?.ca,
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
