/**
 * Azure SQL: which contained database user is mapped to the app's identity, and what it may do. An
 * application's (and managed identity's) database user carries its client id in `sid`, so the user is
 * found by the app's client ids, not by name. Names are bound as parameters, never spliced into SQL.
 */

import type { ProbeFinding } from '../probe.ts';
import { openSqlSession, type SqlLogin, type SqlSession } from './session.ts';

/** The app's side: the client ids of its identities (the GUIDs Azure SQL keeps in `sid`). */
export interface SqlAppSide {
  appName: string;
  clientIds: string[];
  database: string;
}

/** A database user as the catalogue views show it. */
export interface FoundUser {
  name: string;
  /** `E` external user, `X` external group, `S` SQL user. */
  type: string;
  /** `sid` as an upper-case GUID, or null for users without one. */
  sid: string | null;
}

/** Every Entra and SQL user of the database, with its `sid` as a GUID. */
export async function readUsers(session: SqlSession): Promise<FoundUser[]> {
  const rows = await session.query(
    "SELECT name, type, CONVERT(uniqueidentifier, sid) AS id FROM sys.database_principals WHERE type IN ('E', 'X', 'S')",
  );
  return rows.map((r) => ({
    name: String(r.name),
    type: String(r.type),
    sid: typeof r.id === 'string' && /^[0-9a-f-]{36}$/i.test(r.id) ? r.id.toUpperCase() : null,
  }));
}

/** The fixed roles `user` is a member of, plus `CONTROL` when it holds CONTROL on the database. */
export async function readGrants(session: SqlSession, user: string): Promise<string[]> {
  const roles = await session.query(
    `SELECT r.name AS role
       FROM sys.database_role_members AS rm
       JOIN sys.database_principals AS r ON rm.role_principal_id = r.principal_id
       JOIN sys.database_principals AS m ON rm.member_principal_id = m.principal_id
      WHERE m.name = @user`,
    { user },
  );
  const control = await session.query(
    `SELECT p.permission_name AS permission
       FROM sys.database_permissions AS p
       JOIN sys.database_principals AS u ON p.grantee_principal_id = u.principal_id
      WHERE u.name = @user AND p.state_desc = 'GRANT' AND p.permission_name = 'CONTROL'`,
    { user },
  );
  return [...roles.map((r) => String(r.role)).sort(), ...control.map(() => 'CONTROL')];
}

/** Reads, writes: what an app needs at least (the owner-like grants include both). */
function canReadAndWrite(grants: string[]): boolean {
  return (
    grants.includes('CONTROL') ||
    grants.includes('db_owner') ||
    (grants.includes('db_datareader') && grants.includes('db_datawriter'))
  );
}

export async function probeSql(login: SqlLogin, app: SqlAppSide): Promise<ProbeFinding> {
  const session = await openSqlSession(login);
  try {
    const users = await readUsers(session);
    const wanted = new Set(app.clientIds.map((id) => id.toUpperCase()));
    const mapped = users.find((u) => u.sid !== null && wanted.has(u.sid));
    if (!mapped) {
      const entra = users.filter((u) => u.type === 'E' || u.type === 'X').map((u) => u.name);
      return {
        status: 'fail',
        message: `no database user in ${app.database} is mapped to ${app.appName}'s identity`,
        details: [`Entra users in ${app.database}: ${entra.join(', ') || 'none'}.`],
        fixable: true,
      };
    }
    const grants = await readGrants(session, mapped.name);
    const details = [
      `user ${mapped.name} is mapped to client id ${mapped.sid!.toLowerCase()}`,
      `roles and permissions: ${grants.join(', ') || 'none'}`,
    ];
    if (!canReadAndWrite(grants))
      return {
        status: 'fail',
        message: `user ${mapped.name} may not read and write ${app.database}`,
        details,
        fixable: true,
      };
    return {
      status: 'pass',
      message: `user ${mapped.name} · mapped to the app's identity · ${grants.join(', ')}`,
      details,
      fixable: false,
    };
  } finally {
    session.close();
  }
}
