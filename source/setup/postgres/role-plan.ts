/**
 * The database role's lines in the plan: who owns the app's database, who signs in, and who gives
 * each promised grant (the signed-in admin, an owner with its password, or a script for the owner).
 */
import {
  AZURE_SUPERUSER,
  describeItems,
  type GrantState,
  ownersOf,
} from '../../databases/postgres/grants.ts';
import { OWNER_PASSWORD_ENV } from './owner-password.ts';
import { ownerWords } from './role-record.ts';

/** The lines for `state`; `replacing` (a stale role dropped and made again) needs every promise. */
export function whoGrantsLines(
  state: GrantState,
  role: string,
  database: string,
  replacing: boolean,
): string[] {
  const { ownership } = state;
  const missing = replacing ? state.promised : state.missing;
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

/** The line when the server cannot be read while planning (no login yet). */
export function ownerUnreadLine(database: string): string {
  return `who owns ${database} is read once this machine can log in: what only its owner can give is given as the owner with its password (asked, or ${OWNER_PASSWORD_ENV}), or written to a script for the owner`;
}
