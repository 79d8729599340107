/**
 * What `database-role` keeps in the journal, and what its apply, hand-off and undo share: finding the
 * role and who maps it, and the words for what only an owner can give.
 */
import type pg from 'pg';
import { describeItems, type GrantItem } from '../../databases/postgres/grants.ts';
import type { UndoRecord } from '../../engine/step.ts';
import type { HandOffScript } from '../hand-off-file.ts';
import type { PostgresSetupInput } from './input.ts';

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
  /** The script the step handed off to (the owners', or one for inside the network): undo removes it. */
  handOffScript: HandOffScript | null;
}

export const DATABASE_ROLE = 'database-role';

/** SQLSTATE 3D000: the database does not exist. */
export const INVALID_CATALOG_NAME = '3D000';

export type Login = Pick<PostgresSetupInput, 'server' | 'signedIn' | 'connectTo'>;

export interface Found {
  /** The role name exists in pg_roles. */
  exists: boolean;
  /** Its Entra object id, when it is an Entra principal. */
  objectId: string | null;
}

export async function findRole(client: pg.Client, role: string): Promise<Found> {
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
export function ownerWords(owner: string, items: readonly GrantItem[], database: string): string {
  const whose = items.some((item) => item.on === 'database' || item.on === 'schema')
    ? `${owner}, the owner of ${database}`
    : owner;
  return `${whose} must give: ${describeItems(items).join('; ')}`;
}
