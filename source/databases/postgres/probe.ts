/**
 * PostgreSQL's probe of the app's database role: logged in as the signed-in account with an Entra
 * token (TLS verified against the server's Azure name), every statement taking its values as
 * parameters. Who owns the database, `public` and its tables is read too (grants.ts).
 */
import type { AppSide, ProbeFinding, ProbeLogin } from '../probe.ts';
import {
  AZURE_SUPERUSER,
  describeItems,
  type GrantMode,
  type GrantState,
  ownersOf,
  readGrantState,
} from './grants.ts';
import { openPostgres } from './login.ts';

/**
 * PostgreSQL: the role mapped to one of the app's object ids, and whether it holds every grant setup
 * promises (`grants`) on the app's database, counted from the role's own grants, never PUBLIC's. Who
 * owns the database, `public` and its tables is read too, and which promises the signed-in admin can
 * give and which only an owner can (postgres-grants.ts).
 */
export async function probePostgres(
  login: ProbeLogin,
  app: AppSide,
  grants: GrantMode = 'least',
): Promise<ProbeFinding> {
  const connect = (database: string) =>
    openPostgres({
      host: login.host,
      port: login.port,
      fqdn: login.fqdn,
      user: login.user,
      password: login.token,
      database,
      ca: login.ca,
      timeoutMs: login.timeoutMs,
      signal: login.signal,
    });
  const client = await connect('postgres');
  let roles: { rolname: string; objectid: string; principaltype: string }[];
  try {
    roles = (
      await client.query('select rolname, objectid, principaltype from pgaadauth_list_principals(false)')
    ).rows;
  } finally {
    await client.end();
  }
  const wanted = new Set(app.objectIds.map((id) => id.toLowerCase()));
  const mapped = roles.find((r) => wanted.has(String(r.objectid).toLowerCase()));
  // Who owns what, and what the role holds (nothing while there is none): read in the app's database.
  let state: GrantState | null = null;
  if (app.database) {
    const inDatabase = await connect(app.database);
    try {
      state = await readGrantState(inDatabase, mapped?.rolname ?? '', grants);
    } finally {
      await inDatabase.end();
    }
  }
  const owners = state ? ownershipLines(state) : [];
  if (!mapped) {
    const named = app.settingsUser ? roles.find((r) => r.rolname === app.settingsUser) : undefined;
    // pgaadauth names a system identity's role after the app: one by that name mapped to another id is
    // the role of an identity that was re-created (switched off and on), which Entra gave a new id.
    // App names are case-insensitive in Azure, so the role's case may differ from the app's.
    const stale = named ?? roles.find((r) => r.rolname.toLowerCase() === app.appName.toLowerCase());
    if (stale) {
      return {
        status: 'fail',
        message: `role ${stale.rolname} is mapped to ${stale.objectid}, not to ${app.appName}'s identity`,
        details: [
          `${app.appName}'s identity is ${app.objectIds.join(', ') || 'unknown'}; the role names another object id, as when the identity is switched off and on (it gets a new object id), so the server refuses the app's token.`,
          `Entra roles on the server: ${roles.map((r) => r.rolname).join(', ')}.`,
          ...owners,
        ],
        fixable: true,
        remedy: `Setup asks before dropping the stale role ${stale.rolname} and creates it again for the app's identity.`,
      };
    }
    return {
      status: 'fail',
      message: `no database role is mapped to ${app.appName}'s identity`,
      details: [`Entra roles on the server: ${roles.map((r) => r.rolname).join(', ') || 'none'}.`, ...owners],
      fixable: true,
      ...(state ? { remedy: setupRemedy(state) } : {}),
    };
  }
  const details = [`role ${mapped.rolname} is mapped to ${mapped.objectid} (${mapped.principaltype})`];
  if (app.settingsUser && app.settingsUser !== mapped.rolname) {
    return {
      status: 'fail',
      message: `the settings name user ${app.settingsUser}, but ${app.appName}'s identity is role ${mapped.rolname}`,
      details,
      fixable: true,
    };
  }
  if (!app.database || !state) {
    return {
      status: 'pass',
      message: `role ${mapped.rolname} exists (no --database to check grants on)`,
      details,
      fixable: false,
    };
  }
  if (state.missing.length > 0) {
    return {
      status: 'fail',
      message: `role ${mapped.rolname} lacks ${describeItems(state.missing).join('; ')} in ${app.database}`,
      details: [
        ...details,
        ...owners,
        "Rights PUBLIC has by default (CONNECT, USAGE on public) do not count: they are not the role's own.",
      ],
      fixable: true,
      remedy: setupRemedy(state),
    };
  }
  return {
    status: 'pass',
    message: `role ${mapped.rolname} · mapped to the app's identity · holds every promised grant on ${app.database}`,
    details: [...details, `holds: ${describeItems(state.promised).join('; ')}`, ...owners],
    fixable: false,
  };
}

/** Who owns the database, `public` and its tables, and who can give which promise. */
function ownershipLines(state: GrantState): string[] {
  const { ownership } = state;
  const { database, signedIn } = ownership;
  const schema =
    ownership.schemaOwner === 'pg_database_owner'
      ? `pg_database_owner (${database.owner})`
      : ownership.schemaOwner;
  const byOwner = new Map<string, number>();
  for (const relation of ownership.relations)
    byOwner.set(relation.owner, (byOwner.get(relation.owner) ?? 0) + 1);
  const relations =
    ownership.relations.length === 0
      ? 'no tables or sequences in public yet'
      : `${ownership.relations.length} tables and sequences in public, owned by ${[...byOwner].map(([owner, count]) => `${owner} (${count})`).join(', ')}`;
  const lines = [
    `database ${database.name} belongs to ${database.owner}; schema public to ${schema}; ${relations}`,
  ];
  const mine = state.promised.filter((item) => item.grantor === signedIn);
  lines.push(
    mine.length > 0
      ? `${signedIn} (signed in) can give: ${describeItems(mine).join('; ')}`
      : `${signedIn} (signed in) can give none of the promised grants`,
  );
  for (const [owner, items] of ownersOf(state.promised, signedIn))
    lines.push(
      owner === AZURE_SUPERUSER
        ? `only ${owner}, as whom nobody can log in, could give: ${describeItems(items).join('; ')}`
        : `only ${owner} can give: ${describeItems(items).join('; ')}`,
    );
  return lines;
}

/** What setup does about the missing grants, naming the owner it needs. */
function setupRemedy(state: GrantState): string {
  const owners = [...ownersOf(state.missing, state.ownership.signedIn).keys()];
  if (owners.length === 0)
    return "Setup creates the app's database role and gives it every promised grant (you can give them all).";
  if (owners.includes(AZURE_SUPERUSER))
    return `The database belongs to ${AZURE_SUPERUSER}, as whom nobody can log in: create it as an Entra admin (CREATE DATABASE) to be able to grant on it.`;
  return `Setup gives what ${state.ownership.signedIn} can; what only ${owners.join(' and ')} can give it gives as ${owners.join(' and ')} with the password (asked, or SC_DOCTOR_PG_OWNER_PASSWORD), or writes it to a script for ${owners.join(' and ')} and ends handed off.`;
}
