/**
 * `database-role`: maps the app's identity to a PostgreSQL role and gives it the grants the plan
 * promises on the app's database. A role already mapped to that object id is kept (only missing grants
 * are added); a role of that name mapped to another object id (a stale identity) is dropped and
 * re-created only with the user's consent.
 *
 * Who gives each grant follows who owns what (docs/setup-postgres.md, "Who owns the database"): the
 * signed-in Entra admin gives what it can; what only the owner can give is given as the owner when its
 * password is at hand (asked, or SC_DOCTOR_PG_OWNER_PASSWORD), or written to a script for the owner and
 * the step is handed off, not done. When the server is reachable only from its network, everything
 * goes to a script for someone inside it. Undo takes back what this run gave, each grant by the role
 * that gave it, and drops the role only if this run (or its script) made it.
 */

import type { Services } from '../../core/services.ts';
import {
  AZURE_SUPERUSER,
  describeItems,
  describePromises,
  type GrantItem,
  grantsHeldBy,
  ownersOf,
  readGrantState,
} from '../../databases/postgres/grants.ts';
import { type PasswordLogin, runStatements, withLogin } from '../../databases/postgres/login.ts';
import { createPrincipalSql, dropRoleSql, grantSql, revokeSql } from '../../databases/postgres/statements.ts';
import type { Step } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { APP_IDENTITY } from '../app/app-identity.ts';
import { principalOf } from '../app/identities.ts';
import { FIREWALL_TEMP } from '../firewall-temp.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { signsInAs } from '../wording.ts';
import { type PostgresSetupInput, roleNameOf } from './input.ts';
import { OWNER_PASSWORD_ENV, OwnerPasswords } from './owner-password.ts';
import { ROLE_RECORD } from './record-schemas.ts';
import { networkHandOff, ownerHandOff } from './role-hand-off.ts';
import { ownerUnreadLine, whoGrantsLines } from './role-plan.ts';
import { DATABASE_ROLE, findRole, type Login, type RoleRecord } from './role-record.ts';
import { manualDatabaseRole, undoDatabaseRole } from './role-undo.ts';

export { networkHandOff } from './role-hand-off.ts';
export { DATABASE_ROLE, type RoleRecord } from './role-record.ts';
export { manualDatabaseRole, undoDatabaseRole } from './role-undo.ts';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const databaseRole: SetupStep<RoleRecord, { passwords?: OwnerPasswords }> = {
  id: DATABASE_ROLE,
  title: 'Database role',
  record: ROLE_RECORD,
  undo: (ctx, record) => undoDatabaseRole(ctx.services, ctx, record, ctx.connectTo, ctx.passwords),
  manualUndo: manualDatabaseRole,
};

export function databaseRoleStep(
  input: PostgresSetupInput,
  services: Services,
  after: string[],
): Step<RoleRecord> {
  const role = roleNameOf(input);
  const { server, database } = input;
  const stale = input.staleRoleObjectId;
  const handingOff = input.networkPath === 'private-network';
  // The owners' passwords this run was given: its rollback revokes as them without asking again.
  const passwords = new OwnerPasswords(services);
  const readState = (signal: AbortSignal) =>
    withLogin(services, input, database, signal, (client) => readGrantState(client, role, input.grants));
  return planned(
    databaseRole,
    {
      title: `Database role ${role} on ${server.name}`,
      resource: `${server.id}/roles/${role}`,
      after: [APP_IDENTITY, FIREWALL_TEMP, ...after].filter(
        (id) => id !== APP_IDENTITY || input.auth.kind !== 'sp',
      ),
      ...(stale
        ? {
            consent: `drops the role ${role}, now mapped to another identity (${stale}), and creates it again`,
          }
        : {}),
      async preview(ctx) {
        const promises = describePromises(input.grants, database);
        const lines = [
          ...(stale
            ? [`drop the role ${role} (mapped to ${stale}, an identity that no longer matches)`]
            : []),
          `create the role ${role} for ${signsInAs(input.auth)} with pgaadauth_create_principal_with_oid (in database postgres)`,
          `promise ${role}: ${promises.join('; ')}`,
        ];
        if (handingOff)
          return [
            ...lines,
            'the server is reachable only from its network: these statements go to a psql script (the grants for the database owner to run)',
          ];
        // Who gives what, when the server can be read now (within 10 s).
        const state = await readState(AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)])).catch(
          () => undefined,
        );
        return [
          ...lines,
          ...(state ? whoGrantsLines(state, role, database, Boolean(stale)) : [ownerUnreadLine(database)]),
        ];
      },
      async isDone(ctx) {
        if (handingOff) return false;
        const { objectId } = await principalOf(services, input, ctx.signal);
        const found = await withLogin(services, input, 'postgres', ctx.signal, (client) =>
          findRole(client, role),
        );
        if (found.objectId?.toLowerCase() !== objectId.toLowerCase()) return false;
        return (await readState(ctx.signal)).missing.length === 0;
      },
      async apply(ctx) {
        const { objectId } = await principalOf(services, input, ctx.signal);
        const record: RoleRecord = {
          server: server.id,
          serverName: server.name,
          fqdn: server.fqdn,
          port: server.port,
          signedInUser: input.signedIn.user,
          role,
          objectId,
          database,
          created: false,
          replacedObjectId: null,
          granted: [],
          handedOff: [],
          createdByScript: false,
          databaseOwner: null,
        };
        if (handingOff) return networkHandOff(input, ctx.runId, record);

        const found = await withLogin(services, input, 'postgres', ctx.signal, (client) =>
          findRole(client, role),
        );
        const mapped = found.objectId?.toLowerCase() === objectId.toLowerCase();
        if (found.exists && !mapped) {
          if (found.objectId === null)
            throw new Error(
              `a role named ${role} exists and is not an Entra principal: choose another name with --db-user`,
            );
          if (!stale || stale.toLowerCase() !== found.objectId.toLowerCase())
            throw new Error(
              `the role ${role} is mapped to another identity (${found.objectId}); run the doctor and agree to replace it, or choose another name with --db-user`,
            );
          record.replacedObjectId = found.objectId;
        }
        // Who can give what, read before any change: a grant nobody can give stops the run here.
        const state = await readState(ctx.signal);
        const signedIn = state.ownership.signedIn;
        record.databaseOwner = state.ownership.database.owner;
        const replacing = record.replacedObjectId !== null;
        // A replaced (stale) role starts with nothing: every promise is missing, and what the stale role
        // holds must be taken back, each by its giver, before it can be dropped.
        const missing = replacing ? state.promised : state.missing;
        const staleGrants = replacing
          ? await withLogin(services, input, database, ctx.signal, (client) => grantsHeldBy(client, role))
          : [];
        const owners = ownersOf(missing, signedIn);
        const staleOwners = ownersOf(staleGrants, signedIn);
        for (const who of [owners, staleOwners])
          if (who.has(AZURE_SUPERUSER))
            throw new Error(
              `${database} belongs to ${AZURE_SUPERUSER}, Azure's own superuser, as whom nobody can log in, so ${describeItems(who.get(AZURE_SUPERUSER)!).join('; ')} cannot be given or taken back: create the database as an Entra admin (CREATE DATABASE), who then owns it and can grant, or give the server a password admin and create the database through Azure again`,
            );
        // The owners' logins, checked before any change: a wrong password changes nothing.
        const ownerLogins = new Map<string, PasswordLogin>();
        for (const owner of new Set([...owners.keys(), ...staleOwners.keys()])) {
          const login = await ownerLogin(owner, owner === record.databaseOwner, ctx.signal);
          if (login) ownerLogins.set(owner, login);
        }
        for (const [owner, items] of staleOwners)
          if (!ownerLogins.has(owner))
            throw new Error(
              `the role ${role}, mapped to the old identity, holds grants from ${owner} (${describeItems(items).join('; ')}) that only ${owner} can take back before it is dropped: give ${owner}'s password (asked, or ${OWNER_PASSWORD_ENV}), or choose another name with --db-user`,
            );

        record.created = !mapped;
        const adminItems = missing.filter((item) => item.grantor === signedIn);
        const ownerItems = [...owners]
          .filter(([owner]) => ownerLogins.has(owner))
          .flatMap(([, items]) => items);
        const leftItems = [...owners]
          .filter(([owner]) => !ownerLogins.has(owner))
          .flatMap(([, items]) => items);
        // Journaled before the writes: a run killed half way is undone from these (undo checks what is there).
        record.granted = [...adminItems, ...ownerItems];
        record.handedOff = leftItems;
        await ctx.checkpoint(record);
        if (replacing) {
          ctx.progress(`dropping the stale role ${role}`);
          await revokeAll(services, input, ctx.signal, role, staleGrants, signedIn, ownerLogins);
          await withLogin(services, input, 'postgres', ctx.signal, (client) =>
            client.query(dropRoleSql(role)),
          );
        }
        if (record.created) {
          ctx.progress(`creating the role ${role}`);
          await withLogin(services, input, 'postgres', ctx.signal, (client) =>
            client.query(createPrincipalSql(role, objectId)),
          );
        }
        if (adminItems.length > 0) {
          ctx.progress(`granting ${role} what ${signedIn} can give`);
          await withLogin(services, input, database, ctx.signal, (client) =>
            runStatements(
              client,
              adminItems.map((item) => grantSql(item, role)),
            ),
          );
        }
        for (const [owner, login] of ownerLogins) {
          ctx.progress(`granting ${role} as ${owner}`);
          await withLogin(
            services,
            input,
            database,
            ctx.signal,
            (client) =>
              runStatements(
                client,
                owners.get(owner)!.map((item) => grantSql(item, role)),
              ),
            login,
          );
        }
        if (leftItems.length === 0) return record;
        return ownerHandOff(input, ctx.runId, record, ownersOf(leftItems, signedIn));
      },
    },
    { ...envOf(services, input), passwords },
  );

  /** The owner's password login, when one is at hand and the server takes it. */
  async function ownerLogin(
    owner: string,
    ownsDatabase: boolean,
    signal: AbortSignal,
  ): Promise<PasswordLogin | undefined> {
    const password = await passwords.get(owner, ownsDatabase, database, signal);
    if (password === undefined) return undefined;
    const login = { user: owner, password };
    try {
      await withLogin(services, input, database, signal, async () => {}, login);
    } catch (error) {
      passwords.forget(owner);
      const from = ownsDatabase && services.env[OWNER_PASSWORD_ENV] ? ` (from ${OWNER_PASSWORD_ENV})` : '';
      throw new Error(
        `${server.name} refused the password of ${owner}${from}: ${(error as Error).message}. Nothing was changed; give ${owner}'s password again, or leave it out to get a script for ${owner}`,
      );
    }
    passwords.remember(owner, password);
    return login;
  }
}

/** Takes `items` back from `role` in the app's database, each by its giver (the admin, or an owner's login). */
async function revokeAll(
  services: Services,
  input: Login & { database: string },
  signal: AbortSignal,
  role: string,
  items: readonly GrantItem[],
  signedIn: string,
  owners: ReadonlyMap<string, PasswordLogin>,
): Promise<void> {
  const run = (mine: GrantItem[], as?: PasswordLogin) =>
    mine.length === 0
      ? Promise.resolve()
      : withLogin(
          services,
          input,
          input.database,
          signal,
          (client) =>
            runStatements(
              client,
              mine.map((item) => revokeSql(item, role)),
            ),
          as,
        );
  await run(items.filter((item) => item.grantor === signedIn));
  for (const [owner, owned] of ownersOf(items, signedIn)) await run(owned, owners.get(owner));
}
