/**
 * MySQL's `verify` (../verify.ts): the doctor's MySQL user probe after the changes: the user exists
 * and holds exactly the grants the plan showed, on the app's database only.
 */

import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { mysqlDescriptor } from '../../databases/mysql/descriptor.ts';
import { probeMysql } from '../../databases/mysql/probe.ts';
import { LEAST_PRIVILEGES } from '../../databases/mysql/statements.ts';
import type { UserCheck } from '../verify.ts';
import { DATABASE_USER } from './database-user.ts';
import { type MysqlSetupInput, mysqlUserNameOf } from './input.ts';

/** The privileges a `GRANT ... ON <db>.*` line gives, upper-case and sorted. */
function privilegesOf(grant: string): string[] {
  const privileges = /^GRANT (.+?) ON /i.exec(grant)?.[1] ?? '';
  return privileges
    .split(',')
    .map((p) => p.trim().toUpperCase())
    .sort();
}

/** Every grant line but USAGE (which is "no privilege"): exactly one, on the database, as planned. */
export function grantsMatch(grants: string[], database: string, wanted: 'least' | 'owner'): boolean {
  const real = grants.filter((g) => /^GRANT /i.test(g) && !/^GRANT USAGE ON \*\.\* /i.test(g));
  if (real.length !== 1) return false;
  // SHOW GRANTS doubles backticks, and shows the name as the grant escaped it (`\`, `_`, `%`).
  const shown = database.replace(/[\\_%]/g, '\\$&').replace(/`/g, '``');
  const onDatabase = real[0]!.includes(` ON \`${shown}\`.* `);
  const expected = wanted === 'owner' ? ['ALL PRIVILEGES'] : [...LEAST_PRIVILEGES].sort();
  return onDatabase && JSON.stringify(privilegesOf(real[0]!)) === JSON.stringify(expected);
}

export function mysqlUserCheck(input: MysqlSetupInput, services: Services): UserCheck {
  const user = mysqlUserNameOf(input);
  return {
    userStep: DATABASE_USER,
    title: `Check the MySQL user of ${input.app.name}`,
    preview: `log in and check ${user} exists and holds exactly the planned grants on ${input.database}`,
    async check(signal) {
      const token = await databaseToken(services, mysqlDescriptor, input.signedIn.user, signal);
      const finding = await probeMysql(
        {
          ...(await addressOf(services, input.server, input.connectTo, signal)),
          fqdn: input.server.fqdn,
          user: input.signedIn.user,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal,
        },
        { appName: input.app.name, objectIds: [], database: input.database, settingsUser: user },
      );
      if (finding.status !== 'pass') throw new Error(`the database user check failed: ${finding.message}`);
      if (!grantsMatch(finding.details, input.database, input.grants))
        throw new Error(
          `the database user check failed: ${user} does not hold exactly the planned grants (${finding.details.join('; ')})`,
        );
      return finding.message;
    },
  };
}
