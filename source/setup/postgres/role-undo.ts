/**
 * Undoing `database-role`, in the run or from the journal: take back what the run gave, each grant by
 * the role that gave it, and drop the role only if this run (or its script) made it; or the psql
 * commands that do it by hand.
 */
import type { Services } from '../../core/services.ts';
import { type GrantItem, grantsHeldBy, ownersOf } from '../../databases/postgres/grants.ts';
import { postgres } from '../../databases/postgres/index.ts';
import { runStatements, withLogin } from '../../databases/postgres/login.ts';
import {
  createPrincipalSql,
  dropRoleSql,
  revokeGivenSql,
  revokeSql,
} from '../../databases/postgres/statements.ts';
import type { UndoContext, UndoResult } from '../../engine/step.ts';
import { withOpenFirewall } from '../firewall-temp.ts';
import { psqlCommand } from '../sql-commands.ts';
import type { PostgresSetupInput } from './input.ts';
import { OWNER_PASSWORD_ENV, OwnerPasswords } from './owner-password.ts';
import { findRole, INVALID_CATALOG_NAME, type Login, type RoleRecord } from './role-record.ts';

/**
 * The psql command a person runs as `user`: an owner (psql asks for its password) or the Entra admin
 * (its token from az when the line runs). TLS is verified against `PGSSLROOTCERT`.
 */
function psqlAs(record: RoleRecord, user: string, database: string, statements: string[]): string {
  const target = { host: record.fqdn, port: record.port, database, user };
  return psqlCommand(
    target,
    statements.join('; '),
    user === record.signedInUser ? 'entra-admin' : 'password',
  );
}

/**
 * The commands that reverse the step by hand, each run by the role that can: the owners' revokes
 * (psql asks for the owner's password), the Entra admin's, then the role dropped if this run made it.
 */
export function manualDatabaseRole(record: RoleRecord): string[] {
  const legacy = record as Partial<RoleRecord>;
  const items = [...(legacy.granted ?? []), ...(legacy.handedOff ?? [])];
  const signedIn = record.signedInUser;
  const drop = record.created || record.createdByScript === true;
  const commands: string[] = [];
  if (drop) {
    // The role goes: each giver takes back all it gave, tables made since the run included.
    const givers = new Set([...ownersOf(items, signedIn).keys()]);
    if (legacy.databaseOwner && legacy.databaseOwner !== signedIn) givers.add(legacy.databaseOwner);
    for (const giver of givers)
      commands.push(psqlAs(record, giver, record.database, [revokeGivenSql(record.role)]));
    commands.push(psqlAs(record, signedIn, record.database, [revokeGivenSql(record.role)]));
    commands.push(psqlAs(record, signedIn, 'postgres', [dropRoleSql(record.role)]));
    return commands;
  }
  // The role stays: only what this run gave is taken back, each by its giver.
  for (const [owner, owned] of ownersOf(items, signedIn))
    commands.push(
      psqlAs(
        record,
        owner,
        record.database,
        owned.map((item) => revokeSql(item, record.role)),
      ),
    );
  const mine = items.filter((item) => item.grantor === signedIn);
  if (mine.length > 0)
    commands.push(
      psqlAs(
        record,
        signedIn,
        record.database,
        mine.map((item) => revokeSql(item, record.role)),
      ),
    );
  return commands;
}

/** Undo after a failure, Ctrl-C or from the journal: take back what the run gave, drop what it made. */
export async function undoDatabaseRole(
  services: Services,
  ctx: UndoContext,
  record: RoleRecord,
  connectTo: PostgresSetupInput['connectTo'],
  // From a journal, nobody is asked: SC_DOCTOR_PG_OWNER_PASSWORD, or the commands to run by hand.
  passwords: OwnerPasswords = new OwnerPasswords({ ...services, prompter: undefined }),
): Promise<UndoResult> {
  const login: Login = {
    server: { fqdn: record.fqdn, port: record.port } as PostgresSetupInput['server'],
    signedIn: { user: record.signedInUser } as PostgresSetupInput['signedIn'],
    connectTo,
  };
  return withOpenFirewall(services, ctx, postgres, { id: record.server, name: record.serverName }, () =>
    takeBack(services, ctx, record, login, passwords),
  );
}

async function takeBack(
  services: Services,
  ctx: UndoContext,
  record: RoleRecord,
  login: Login,
  passwords: OwnerPasswords,
): Promise<UndoResult> {
  const found = await withLogin(services, login, 'postgres', ctx.signal, (client) =>
    findRole(client, record.role),
  );
  const mapped = found.exists && found.objectId?.toLowerCase() === record.objectId.toLowerCase();
  // A role the run made (or its script made) goes entirely; an existing one loses only this run's grants.
  const drop = (record.created || record.createdByScript === true) && mapped;
  if (!found.exists) return { status: 'already-gone', reason: `the role ${record.role} does not exist` };
  if (!mapped) {
    if (record.created)
      return {
        status: 'changed-since',
        reason: `the role ${record.role} is now mapped to ${found.objectId}`,
      };
    if (record.createdByScript)
      return { status: 'already-gone', reason: `the hand-off script did not make the role ${record.role}` };
  }

  // Undo records from before grants were recorded: everything the signed-in admin gave.
  const legacy = record as Partial<RoleRecord>;
  const recorded =
    legacy.granted === undefined ? undefined : [...legacy.granted, ...(legacy.handedOff ?? [])];
  const held = await withLogin(services, login, record.database, ctx.signal, (client) =>
    grantsHeldBy(client, record.role),
  ).catch((error: unknown) => {
    // No database, no grants in it to take back (a run that failed granting a database that is gone).
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) throw error;
    return [] as GrantItem[];
  });
  const toTakeBack = held
    .map((item) => ({
      ...item,
      privileges: item.privileges.filter(
        (privilege) =>
          drop ||
          (recorded ?? []).some(
            (r) =>
              r.on === item.on &&
              r.name === item.name &&
              r.grantor === item.grantor &&
              r.privileges.includes(privilege),
          ) ||
          (recorded === undefined && item.grantor === record.signedInUser),
      ),
    }))
    .filter((item) => item.privileges.length > 0);
  if (!drop && toTakeBack.length === 0 && !record.replacedObjectId)
    return { status: 'already-gone', reason: `nothing this run granted ${record.role} is left` };

  const signedIn = record.signedInUser;
  const mine = toTakeBack.filter((item) => item.grantor === signedIn);
  if (mine.length > 0) {
    ctx.progress(`taking back what ${signedIn} granted ${record.role}`);
    await withLogin(services, login, record.database, ctx.signal, (client) =>
      runStatements(
        client,
        mine.map((item) => revokeSql(item, record.role)),
      ),
    );
  }
  const needOwner: string[] = [];
  for (const [owner, items] of ownersOf(toTakeBack, signedIn)) {
    const password = await passwords.get(owner, owner === record.databaseOwner, record.database, ctx.signal);
    if (password === undefined) {
      needOwner.push(owner);
      continue;
    }
    ctx.progress(`taking back what ${owner} granted ${record.role}`);
    await withLogin(
      services,
      login,
      record.database,
      ctx.signal,
      (client) =>
        runStatements(
          client,
          items.map((item) => revokeSql(item, record.role)),
        ),
      { user: owner, password },
    );
  }
  if (needOwner.length > 0)
    throw new Error(
      `${needOwner.join(' and ')} granted ${record.role} privileges that only ${needOwner.length === 1 ? 'it' : 'they'} can take back: set ${OWNER_PASSWORD_ENV} to the password of ${record.databaseOwner ?? needOwner[0]} and run the undo again, or run the commands below (psql asks for the password)`,
    );
  if (!drop) return { status: 'undone' };
  await withLogin(services, login, 'postgres', ctx.signal, (client) =>
    client.query(dropRoleSql(record.role)),
  );
  if (record.replacedObjectId) {
    // The stale mapping comes back as it was; its grants are not (they were for an identity that is gone).
    await withLogin(services, login, 'postgres', ctx.signal, (client) =>
      client.query(createPrincipalSql(record.role, record.replacedObjectId!)),
    );
  }
  return { status: 'undone' };
}
