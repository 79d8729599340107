/**
 * `verify`: the doctor's MySQL `database-user` probe after the changes: the user exists and holds
 * exactly the grants the plan showed, on the app's database only. The step fails (and the run rolls
 * back) otherwise. It changes nothing, so it has nothing to undo.
 */

import type { Services } from '../../core/services.ts';
import { addressOf, databaseToken } from '../../databases/login.ts';
import { mysqlDescriptor } from '../../databases/mysql/descriptor.ts';
import { probeMysql } from '../../databases/mysql/probe.ts';
import { LEAST_PRIVILEGES } from '../../databases/mysql/statements.ts';
import type { Step } from '../../engine/step.ts';
import { DATABASE_USER } from './database-user.ts';
import { type MysqlSetupInput, mysqlUserNameOf } from './input.ts';

export const VERIFY = 'verify';

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

export function verifyStep(input: MysqlSetupInput, services: Services, after: string[]): Step {
  const user = mysqlUserNameOf(input);
  return {
    id: VERIFY,
    readOnly: true,
    title: `Check the MySQL user of ${input.app.name}`,
    resource: `${input.server.id}/verify`,
    after: [DATABASE_USER, ...after],
    preview: () => [
      `log in and check ${user} exists and holds exactly the planned grants on ${input.database}`,
    ],
    async isDone() {
      return false;
    },
    async apply(ctx) {
      const token = await databaseToken(services, mysqlDescriptor, input.signedIn.user, ctx.signal);
      const finding = await probeMysql(
        {
          ...addressOf(input.server, input.connectTo),
          fqdn: input.server.fqdn,
          user: input.signedIn.user,
          token,
          ca: services.azure.tls?.ca,
          timeoutMs: 15_000,
          signal: ctx.signal,
        },
        { appName: input.app.name, objectIds: [], database: input.database, settingsUser: user },
      );
      if (finding.status !== 'pass') throw new Error(`the database user check failed: ${finding.message}`);
      if (!grantsMatch(finding.details, input.database, input.grants))
        throw new Error(
          `the database user check failed: ${user} does not hold exactly the planned grants (${finding.details.join('; ')})`,
        );
      return { checked: finding.message };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the check changed nothing' }),
    manualUndo: () => [],
  };
}
