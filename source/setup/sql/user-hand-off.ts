/**
 * The database user's statements as a sqlcmd script, for a server reachable only from its network:
 * someone inside it runs the script signed in as the Entra admin.
 */
import path from 'node:path';
import { commandLine } from '../../core/command-line.ts';
import { writeScript } from '../postgres/hand-off.ts';
import { sqlcmdArgv } from '../sql-commands.ts';
import { handOff } from '../step.ts';
import type { SqlSetupInput } from './input.ts';
import { createUserSql, grantStatements } from './user-sql.ts';

/**
 * Writes the statements to a script someone inside the server's network runs with sqlcmd, signed in
 * as the Entra admin. `WITH OBJECT_ID` names the identity exactly; no secret is in the script.
 */
export async function handOffScript(
  input: SqlSetupInput,
  runId: string,
  name: string,
  objectId: string,
  grants: string[],
) {
  const dir = input.handOffDir ?? process.cwd();
  const file = path.join(dir, `sc-doctor-${runId}-sql.sh`);
  const oneLine = (text: string) => text.replace(/[\r\n]/g, ' ');
  // A line break in a name could end the here-document early: refuse rather than write it.
  if (/[\r\n]/.test(name) || /[\r\n]/.test(input.database))
    throw new Error('a name with a line break cannot go into a sqlcmd script: choose another with --db-user');
  const lines = [
    '#!/bin/sh',
    `# sc-doctor run ${runId}: creates the Azure SQL user ${oneLine(name)} for ${oneLine(input.app.name)}.`,
    "# Run it from a machine inside the server's network, signed in with az as the server's Entra admin.",
    'set -eu',
    `${commandLine(sqlcmdArgv({ host: input.server.fqdn, database: input.database }))} <<'SC_DOCTOR_SQL'`,
    createUserSql(name, objectId),
    'GO',
    ...grantStatements(name, input.database, grants).flatMap((statement) => [statement, 'GO']),
    'SC_DOCTOR_SQL',
    '',
  ];
  await writeScript(dir, file, lines.join('\n'));
  return handOff(file, `run ${file} from inside ${input.server.name}'s network to create the user ${name}`);
}
