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

import type pg from 'pg';
import type { Services } from '../../core/services.ts';
import {
  AZURE_SUPERUSER,
  describeItems,
  describePromises,
  type GrantItem,
  grantsHeldBy,
  ownersOf,
  PROMISES,
  readGrantState,
} from '../../databases/postgres/grants.ts';
import { postgres } from '../../databases/postgres/index.ts';
import { type PasswordLogin, runStatements, withLogin } from '../../databases/postgres/login.ts';
import {
  createPrincipalSql,
  dropRoleSql,
  grantSql,
  ident,
  revokeGivenSql,
  revokeSql,
} from '../../databases/postgres/statements.ts';
import { handOff, type Step, type UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { APP_IDENTITY } from '../app/app-identity.ts';
import { principalOf } from '../app/identities.ts';
import { FIREWALL_TEMP, withOpenFirewall } from '../firewall-temp.ts';
import { psqlCommand } from '../sql-commands.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { signsInAs } from '../wording.ts';
import { handOffScriptText, type ScriptSection, writeHandOffScript } from './hand-off.ts';
import { type PostgresSetupInput, roleNameOf } from './input.ts';
import { OWNER_PASSWORD_ENV, OwnerPasswords } from './owner-password.ts';
import { ROLE_RECORD } from './record-schemas.ts';

export interface RoleRecord extends UndoRecord {
  server: string;
  serverName: string;
  fqdn: string;
  port: number;
  signedInUser: string;
  role: string;
  objectId: string;
  database: string;
  /** This run created the role (undo drops it); false when it only granted an existing one. */
  created: boolean;
  /** The object id of the stale role this run replaced, with consent. */
  replacedObjectId: string | null;
  /**
   * What this run gave the role, each by the role that gave it: undo takes back exactly these. (Absent
   * in journals written before grants were recorded.)
   */
  granted: GrantItem[];
  /**
   * What was left to a script (the owner's, or one for inside the network): it may have run since, so
   * undo takes it back too, as its giver.
   */
  handedOff: GrantItem[];
  /** The script makes the role (private network): undo then drops a role mapped to `objectId`. */
  createdByScript: boolean;
  /** Who owns the app's database: `SC_DOCTOR_PG_OWNER_PASSWORD` is this role's password. */
  databaseOwner: string | null;
}

export const DATABASE_ROLE = 'database-role';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const databaseRole: SetupStep<RoleRecord, { passwords?: OwnerPasswords }> = {
  id: DATABASE_ROLE,
  title: 'Database role',
  record: ROLE_RECORD,
  undo: (ctx, record) => undoDatabaseRole(ctx.services, ctx, record, ctx.connectTo, ctx.passwords),
  manualUndo: manualDatabaseRole,
};

/** SQLSTATE 3D000: the database does not exist. */
const INVALID_CATALOG_NAME = '3D000';

type UndoContext = Parameters<Step['undo']>[0];
type UndoResult = Awaited<ReturnType<Step['undo']>>;
type Login = Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>;

interface Found {
  /** The role name exists in pg_roles. */
  exists: boolean;
  /** Its Entra object id, when it is an Entra principal. */
  objectId: string | null;
}

async function findRole(client: pg.Client, role: string): Promise<Found> {
  const { rows } = await client.query(
    `select r.rolname, p.objectid
       from pg_roles r left join pgaadauth_list_principals(false) p on p.rolname = r.rolname
      where r.rolname = $1`,
    [role],
  );
  const row = rows[0] as { objectid: string | null } | undefined;
  return { exists: row !== undefined, objectId: row?.objectid ?? null };
}

/** What only `owner` can give, as words for the plan and the hand-off. */
function ownerWords(owner: string, items: readonly GrantItem[], database: string): string {
  const whose = items.some((item) => item.on === 'database' || item.on === 'schema')
    ? `${owner}, the owner of ${database}`
    : owner;
  return `${whose} must give: ${describeItems(items).join('; ')}`;
}

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
        return [...lines, ...(await whoGrants(ctx.signal))];
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

  /** The plan's lines on who gives what, when the server can be read now. */
  async function whoGrants(signal: AbortSignal): Promise<string[]> {
    let state: Awaited<ReturnType<typeof readState>>;
    try {
      state = await readState(AbortSignal.any([signal, AbortSignal.timeout(10_000)]));
    } catch {
      return [
        `who owns ${database} is read once this machine can log in: what only its owner can give is given as the owner with its password (asked, or ${OWNER_PASSWORD_ENV}), or written to a script for the owner`,
      ];
    }
    const { ownership } = state;
    const missing = stale ? state.promised : state.missing;
    const owner = ownership.database.owner;
    const lines = [
      owner === ownership.signedIn
        ? `${database} belongs to ${owner}, who signs in: it can give every grant`
        : `${database} belongs to ${owner}; ${ownership.signedIn} signs in, an Entra admin but not the owner`,
    ];
    if (missing.length === 0) return [...lines, `${role} already holds every promised grant`];
    const mine = missing.filter((item) => item.grantor === ownership.signedIn);
    if (mine.length > 0) lines.push(`${ownership.signedIn} gives: ${describeItems(mine).join('; ')}`);
    for (const [owner, items] of ownersOf(missing, ownership.signedIn)) {
      lines.push(ownerWords(owner, items, database));
      lines.push(
        owner === AZURE_SUPERUSER
          ? `nobody can log in as ${AZURE_SUPERUSER}: the step will stop before any change`
          : `  as ${owner} with its password (asked${owner === ownership.database.owner ? `, or ${OWNER_PASSWORD_ENV}` : ''}), else in a script for ${owner}: the run then ends handed off, not done`,
      );
    }
    return lines;
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

/** Writes the statements only the owners can run to a script and ends the step handed off. */
async function ownerHandOff(
  input: PostgresSetupInput,
  runId: string,
  record: RoleRecord,
  owners: Map<string, GrantItem[]>,
) {
  const sections: ScriptSection[] = [...owners].map(([owner, items]) => ({
    purpose: `As ${owner} (psql asks for its password, or set PGPASSWORD): ${describeItems(items).join('; ')}.`,
    as: { kind: 'owner', user: owner },
    database: input.database,
    statements: items.map((item) => grantSql(item, record.role)),
  }));
  const names = [...owners.keys()].join(' and ');
  const text = handOffScriptText(
    input.server,
    [
      `sc-doctor run ${runId}: the grants on ${input.database} for the role ${record.role} (${input.app.name}) that only ${names} can give.`,
      `Run it as ${names}, from a machine that can reach ${input.server.name}.`,
    ],
    sections,
  );
  const file = await writeHandOffScript(input.handOffDir ?? process.cwd(), runId, 'postgres-owner', text);
  const databaseOwner = owners.has(record.databaseOwner ?? '') ? record.databaseOwner : null;
  return handOff(
    file,
    `${[...owners].map(([owner, items]) => ownerWords(owner, items, input.database)).join('; ')}: run ${file} as ${names} (psql asks for the password), then --resume checks it; or --resume with ${databaseOwner ? `${databaseOwner}'s password (asked, or ${OWNER_PASSWORD_ENV})` : 'the password when asked'} gives them itself`,
    record,
  );
}

/**
 * The server is reachable only from its network: the role and its grants go to a script for someone
 * inside it. Which objects the owner has there is not known from here, so the owner's part grants on
 * all tables and sequences of `public` (the ARM-made database's owner: the server's password admin).
 */
export async function networkHandOff(input: PostgresSetupInput, runId: string, record: RoleRecord) {
  const owner = input.server.administratorLogin || input.signedIn.user;
  const promises = PROMISES[input.grants];
  const items: GrantItem[] = [
    { on: 'database', name: input.database, privileges: [...promises.database], grantor: owner },
    { on: 'schema', name: 'public', privileges: [...promises.schema], grantor: owner },
    ...(promises.default.length > 0
      ? [{ on: 'default' as const, name: owner, privileges: [...promises.default], grantor: owner }]
      : []),
  ];
  const role = record.role;
  const allOf = (kind: 'TABLES' | 'SEQUENCES', privileges: readonly string[]) =>
    `GRANT ${privileges.join(', ')} ON ALL ${kind} IN SCHEMA ${ident('public')} TO ${ident(role)}`;
  record.handedOff = items;
  record.createdByScript = true;
  record.databaseOwner = owner;
  const sections: ScriptSection[] = [
    {
      purpose: `As the Entra admin ${input.signedIn.user} (signed in with az): create the role ${role}.`,
      as: { kind: 'entra-admin', user: input.signedIn.user },
      database: 'postgres',
      statements: [createPrincipalSql(role, record.objectId)],
    },
    {
      purpose: `As ${owner}, the owner of ${input.database} (psql asks for its password, or set PGPASSWORD): the grants.`,
      as: { kind: 'owner', user: owner },
      database: input.database,
      statements: [
        grantSql(items[0]!, role),
        grantSql(items[1]!, role),
        allOf('TABLES', promises.table),
        allOf('SEQUENCES', promises.sequence),
        ...(items[2] ? [grantSql(items[2], role)] : []),
      ],
    },
  ];
  const text = handOffScriptText(
    input.server,
    [
      `sc-doctor run ${runId}: creates the PostgreSQL role ${role} for ${input.app.name} and grants it ${input.database}.`,
      "Run it from a machine inside the server's network, signed in with az as an Entra admin of the server;",
      `its second part runs as ${owner}, the owner of ${input.database}.`,
    ],
    sections,
  );
  const file = await writeHandOffScript(input.handOffDir ?? process.cwd(), runId, 'postgres', text);
  return handOff(
    file,
    `the server is reachable only from its network: run ${file} from inside it, as the Entra admin and then ${owner}, to create the role ${role} and grant it ${input.database}`,
    record,
  );
}

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
