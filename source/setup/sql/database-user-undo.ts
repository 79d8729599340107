/**
 * The undo of `database-user`, from its journal record alone (also in a later process): the user is
 * dropped only while it is still the one this run created, a replaced user comes back with its
 * grants, and a firewall that refuses this machine is opened for the undo only.
 */

import { readGraph } from '../../azure/arm-calls.ts';
import type { Services } from '../../core/services.ts';
import { sql } from '../../databases/sql/index.ts';
import { type SqlLoginTarget, withSqlSession } from '../../databases/sql/login.ts';
import { readGrants, readUsers } from '../../databases/sql/probe.ts';
import type { SqlSession } from '../../databases/sql/session.ts';
import {
  createUserSql,
  dropUserSql,
  grantStatements,
  revokeStatements,
} from '../../databases/sql/statements.ts';
import type { Step } from '../../engine/step.ts';
import { withOpenFirewall } from '../firewall-temp.ts';
import type { SqlSetupInput } from './input.ts';
import { type SqlUserRecord, sameGuid, sameName } from './user-record.ts';

/** Reverses `database-user` from its record alone. */
export async function undoSqlDatabaseUser(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlUserRecord,
  connectTo: SqlSetupInput['connectTo'],
): Promise<Awaited<ReturnType<Step['undo']>>> {
  if (!record.created && record.added.length === 0)
    return {
      status: 'already-gone',
      reason: `the user ${record.user} and its grants were there before this run`,
    };
  const address: SqlLoginTarget = { server: { fqdn: record.fqdn, port: record.port }, connectTo };
  return withOpenFirewall(services, ctx, sql, { id: record.server, name: record.serverName }, () =>
    withSqlSession(services, address, record.database, ctx.signal, async (session) => {
      const user = (await readUsers(session)).find((u) => sameName(u.name, record.user));
      if (!user) {
        if (!record.replaced)
          return { status: 'already-gone' as const, reason: `the user ${record.user} does not exist` };
      } else if (!sameGuid(user.sid, record.sid)) {
        // Our write never happened (the stale user is still there), or someone replaced ours since.
        if (record.replaced && sameGuid(user.sid, record.replaced.sid))
          return { status: 'already-gone' as const, reason: `the user ${record.user} was not replaced` };
        return {
          status: 'changed-since' as const,
          reason: `the user ${record.user} is now mapped to ${user.sid}, not to the identity this run mapped`,
        };
      } else if (!record.created) {
        const held = await readGrants(session, user.name);
        for (const statement of revokeStatements(
          user.name,
          record.database,
          record.added.filter((g) => held.includes(g)),
        ))
          await session.query(statement);
        return { status: 'undone' as const };
      } else {
        await session.query(dropUserSql(user.name));
      }
      if (record.replaced) await restoreReplaced(services, ctx, session, record);
      return { status: 'undone' as const };
    }),
  );
}

/** Creates the stale user again, mapped as it was, with the grants it had. */
async function restoreReplaced(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  session: SqlSession,
  record: SqlUserRecord,
): Promise<void> {
  const { sid, grants } = record.replaced!;
  // An application's sid is its client id; users' and groups' sids are their object ids.
  const answer = await readGraph(
    services,
    `v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${sid.toLowerCase()}'`)}&$select=id`,
    `looking up the identity ${sid}`,
    ctx.signal,
  );
  const objectId = ((answer.value ?? []) as { id?: string }[])[0]?.id ?? sid.toLowerCase();
  await session.query(createUserSql(record.user, objectId));
  for (const statement of grantStatements(record.user, record.database, grants))
    await session.query(statement);
}
