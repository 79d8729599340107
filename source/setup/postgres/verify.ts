/**
 * PostgreSQL's `verify` (../verify.ts): the doctor's role probe after the changes: the role exists, is
 * mapped to the app's identity and holds every grant the plan promised (its own rights, never
 * PUBLIC's).
 */
import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { postgresDescriptor } from '../../databases/postgres/descriptor.ts';
import { probePostgres } from '../../databases/postgres/probe.ts';
import { principalOf } from '../app/identities.ts';
import type { UserCheck } from '../verify.ts';
import { signsInAs } from '../wording.ts';
import { DATABASE_ROLE } from './database-role.ts';
import type { PostgresSetupInput } from './input.ts';

export function postgresUserCheck(input: PostgresSetupInput, services: Services): UserCheck {
  return {
    userStep: DATABASE_ROLE,
    title: `Check the database user of ${input.app.name}`,
    preview: `log in and check the role is mapped to ${signsInAs(input.auth)} and holds every promised grant`,
    async check(signal) {
      const token = await databaseToken(services, postgresDescriptor, input.signedIn.user, signal);
      const principal = await principalOf(services, input, signal);
      const finding = await probePostgres(
        {
          ...(await addressOf(services, input.server, input.connectTo, signal)),
          fqdn: input.server.fqdn,
          user: input.signedIn.user,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal,
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
      return finding.message;
    },
  };
}
