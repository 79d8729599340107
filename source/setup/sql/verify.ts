/**
 * Azure SQL's `verify` (../verify.ts): the doctor's user probe after the changes: a user in the
 * database is mapped to the app's identity (by the client id in its `sid`) and may read and write.
 */
import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { sqlDescriptor } from '../../databases/sql/descriptor.ts';
import { probeSql } from '../../databases/sql/probe.ts';
import type { UserCheck } from '../verify.ts';
import { signsInAs } from '../wording.ts';
import { DATABASE_USER } from './database-user.ts';
import { sqlPrincipalOf } from './identity.ts';
import type { SqlSetupInput } from './input.ts';

export function sqlUserCheck(input: SqlSetupInput, services: Services): UserCheck {
  return {
    userStep: DATABASE_USER,
    title: `Check the database user of ${input.app.name}`,
    preview: `log in and check a user is mapped to ${signsInAs(input.auth)} and may read and write`,
    async check(signal) {
      const token = await databaseToken(services, sqlDescriptor, 'the signed-in account', signal);
      const principal = await sqlPrincipalOf(services, input, signal);
      const { server } = input;
      const finding = await probeSql(
        {
          ...(await addressOf(services, server, input.connectTo, signal)),
          fqdn: server.fqdn,
          database: input.database,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal,
        },
        { appName: input.app.name, clientIds: [principal.clientId], database: input.database },
      );
      if (finding.status !== 'pass') throw new Error(`the database user check failed: ${finding.message}`);
      return finding.message;
    },
  };
}
