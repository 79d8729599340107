/**
 * What `database-user` keeps in the journal to undo itself, and how names and GUIDs are compared
 * (SQL Server's default collation ignores case but not accents).
 */
import type { UndoRecord } from '../../engine/step.ts';
import type { HandOffScript } from '../hand-off-file.ts';

export interface SqlUserRecord extends UndoRecord {
  server: string;
  serverName: string;
  fqdn: string;
  port: number;
  database: string;
  user: string;
  /** The GUID in the user's `sid`: the client id of an application or managed identity. */
  sid: string;
  /** This run created the user (undo drops it). */
  created: boolean;
  /** Roles (and CONTROL) this run granted an existing user; undo takes back only these. */
  added: string[];
  /** The user of that name this run dropped with consent: its `sid` GUID and grants, to put back. */
  replaced: { sid: string; grants: string[] } | null;
  /** The script the user was handed off to (a private network): undo removes it. */
  handOffScript: HandOffScript | null;
}

export const sameName = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0;
export const sameGuid = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();
