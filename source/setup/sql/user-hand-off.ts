/**
 * The database user's statements as a sqlcmd script, for a server reachable only from its network:
 * someone inside it runs the script signed in as the Entra admin.
 */
import { commandLine } from '../../core/command-line.ts';
import { createUserSql, grantStatements } from '../../databases/sql/statements.ts';
import { handOff } from '../../engine/step.ts';
import { handOffScriptOf, writeHandOffScript } from '../hand-off-file.ts';
import { sqlcmdArgv } from '../sql-commands.ts';
import type { SqlSetupInput } from './input.ts';
import type { SqlUserRecord } from './user-record.ts';

/**
 * Writes the statements to a script someone inside the server's network runs with sqlcmd, signed in
 * as the Entra admin. `WITH OBJECT_ID` names the identity exactly; no secret is in the script.
 */
export async function handOffScript(
  input: SqlSetupInput,
  runId: string,
  name: string,
  principal: { objectId: string; clientId: string },
  grants: string[],
) {
  const { objectId } = principal;
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
  const text = lines.join('\n');
  const file = await writeHandOffScript(input.handOffDir ?? process.cwd(), runId, 'sql', text);
  // Nothing is made from here (created: false): the record is kept so undo removes the script.
  const record: SqlUserRecord = {
    server: input.server.id,
    serverName: input.server.name,
    fqdn: input.server.fqdn,
    port: input.server.port,
    database: input.database,
    user: name,
    sid: principal.clientId,
    created: false,
    added: [],
    replaced: null,
    handOffScript: handOffScriptOf(file, text),
  };
  return handOff(
    file,
    `run ${file} from inside ${input.server.name}'s network to create the user ${name}`,
    record,
  );
}
