/**
 * Logging in to PostgreSQL and MySQL as the signed-in user (an Entra token as the password, TLS
 * verified against the server's Azure name) and reading what the app's database user looks like.
 * The drivers are imported only here and only when `--check-user` asks for it: they are heavy.
 * Every statement takes its values as parameters; nothing user-provided is spliced into SQL text.
 */

import {
  AZURE_SUPERUSER,
  describeItems,
  type GrantMode,
  type GrantState,
  ownersOf,
  readGrantState,
} from './postgres-grants.ts';

/** How to reach and log in to the server. */
export interface ProbeLogin {
  /** The TCP address (after any `SC_DOCTOR_CONNECT_TO` mapping). */
  host: string;
  port: number;
  /** The server's Azure name: TLS verifies the certificate against it. */
  fqdn: string;
  user: string;
  token: string;
  /** Extra trusted CAs (tests' local CA); the system's CAs otherwise. */
  ca: string | Buffer | undefined;
  timeoutMs: number;
  /** The check's signal: a timeout or Ctrl-C closes the connection. */
  signal?: AbortSignal;
}

/** What the probe found about the app's identity in the database. */
export interface ProbeFinding {
  status: 'pass' | 'warn' | 'fail';
  message: string;
  details: string[];
  /** True when setup creates the user or grants what is missing. */
  fixable: boolean;
  /** What setup does about it, when more than creating the user and granting the database. */
  remedy?: string;
}

/** The app's side: which Entra ids are its identities, and the user its settings name, if any. */
export interface AppSide {
  appName: string;
  /** Object (principal) ids of the app's identities. */
  objectIds: string[];
  database: string | null;
  settingsUser: string | null;
}

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
  const { default: pg } = await import('pg');
  const connect = async (database: string) => {
    const client = new pg.Client({
      host: login.host,
      port: login.port,
      user: login.user,
      password: login.token,
      database,
      connectionTimeoutMillis: login.timeoutMs,
      application_name: 'sc-doctor',
      ssl: { rejectUnauthorized: true, servername: login.fqdn, ...(login.ca ? { ca: login.ca } : {}) },
    });
    // A cancelled check must not leave a connection open behind it.
    const close = () => void client.end().catch(() => {});
    login.signal?.addEventListener('abort', close, { once: true });
    try {
      await client.connect();
    } catch (error) {
      login.signal?.removeEventListener('abort', close);
      throw error;
    }
    return client;
  };
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

/** MySQL: the user the settings name exists as an Entra user and holds grants on the database. */
export async function probeMysql(login: ProbeLogin, app: AppSide): Promise<ProbeFinding> {
  const [{ default: mysql }, net] = await Promise.all([import('mysql2/promise'), import('node:net')]);
  const socket = net.connect({ host: login.host, port: login.port });
  // A cancelled check must not leave a connection (or a half-open socket) behind it.
  const close = () => socket.destroy();
  login.signal?.addEventListener('abort', close, { once: true });
  const connection = await mysql.createConnection({
    // The driver verifies the certificate against `host`: the Azure name, while the socket goes to
    // the (possibly mapped) address.
    host: login.fqdn,
    port: login.port,
    stream: socket,
    user: login.user,
    password: login.token,
    enableCleartextPlugin: true,
    connectTimeout: login.timeoutMs,
    ssl: { rejectUnauthorized: true, verifyIdentity: true, ...(login.ca ? { ca: login.ca as string } : {}) },
  });
  try {
    if (!app.settingsUser) {
      return {
        status: 'warn',
        message: `cannot tell which MySQL user is ${app.appName}'s`,
        details: [
          'MySQL does not show which Entra id a user was created for; the app settings name the user, and none was found.',
        ],
        fixable: true,
      };
    }
    const [users] = (await connection.query(
      'SELECT User AS user, Host AS host, plugin FROM mysql.user WHERE User = ?',
      [app.settingsUser],
    )) as unknown as [{ user: string; host: string; plugin: string }[]];
    const user = users[0];
    if (!user) {
      return {
        status: 'fail',
        message: `MySQL user ${app.settingsUser} does not exist`,
        details: ["The app settings name this user; setup creates it for the app's identity."],
        fixable: true,
      };
    }
    const [grantRows] = (await connection.query('SHOW GRANTS FOR ?@?', [
      user.user,
      user.host,
    ])) as unknown as [Record<string, string>[]];
    // MariaDB appends the stored password hash to the user's grant line: never show it.
    const grants = grantRows.map((row) =>
      String(Object.values(row)[0] ?? '').replace(/\s+IDENTIFIED\s+(BY|VIA|WITH)\b.*$/i, ''),
    );
    const details = [`user ${user.user}@${user.host} (${user.plugin})`, ...grants];
    const database = app.database;
    // SHOW GRANTS doubles backticks in a name, and shows `\`, `_` and `%` escaped when the grant
    // escaped them (GRANT reads `_` and `%` as wildcards).
    const shown = database?.replace(/`/g, '``');
    const escaped = database?.replace(/[\\_%]/g, '\\$&').replace(/`/g, '``');
    // USAGE is "no privileges": only a real grant on the database (or on everything) counts.
    const granted =
      !database ||
      grants
        .filter((g) => !/^GRANT USAGE ON /i.test(g))
        .some(
          (g) =>
            g.includes(' ON *.* ') || g.includes(`ON \`${shown}\`.*`) || g.includes(`ON \`${escaped}\`.*`),
        );
    if (!granted) {
      return {
        status: 'fail',
        message: `MySQL user ${user.user} holds no grant on ${database}`,
        details,
        fixable: true,
      };
    }
    details.push('MySQL does not show which Entra id a user maps to: that is not verified.');
    return {
      status: 'pass',
      message: `MySQL user ${user.user} exists${database ? ` · granted on ${database}` : ''}`,
      details,
      fixable: false,
    };
  } finally {
    login.signal?.removeEventListener('abort', close);
    await connection.end();
  }
}
