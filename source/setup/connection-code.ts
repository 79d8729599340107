/**
 * The connection code after a successful setup: the snippet generator filled with the names the run
 * really used (server host name, database, role, client id, the cloud's token resource), for the
 * code screen, the plain transcript and the JSON document.
 */
import { generateSnippet, type Snippet } from '../snippets/index.ts';
import { plainSnippet } from '../snippets/plain.ts';
import type { SetupConnection, SetupOutcome } from './flow-types.ts';
import type { SnippetsFor } from './snippets-hook.ts';
import { leftToDoLines } from './wording.ts';

/**
 * The generator's snippet for a run that succeeded, or that handed its database statements off (the
 * code is what the app will use once they have run); null for any other outcome.
 */
export function snippetOfOutcome(outcome: SetupOutcome): Snippet | null {
  if (outcome.kind !== 'ran' || !outcome.connection) return null;
  if (outcome.result.status !== 'succeeded' && outcome.result.status !== 'handed-off') return null;
  return snippetOfConnection(outcome.connection);
}

/** The generator's snippet for the names of one connection. */
export function snippetOfConnection(connection: SetupConnection): Snippet {
  return generateSnippet({
    database: connection.database,
    clientType: connection.clientType,
    auth: connection.auth,
    server: connection.serverFqdn,
    databaseName: connection.databaseName,
    user: connection.user,
    ...(connection.clientId ? { clientId: connection.clientId } : {}),
    ...(connection.ossrdbmsResource ? { ossrdbmsResource: connection.ossrdbmsResource } : {}),
    ...(connection.tenantId ? { tenantId: connection.tenantId } : {}),
    ...(connection.settingsWriter ? { settingsWriter: connection.settingsWriter } : {}),
  });
}

/** The code screen's view of a successful run: headline, settings with values, one entry per file. */
export const connectionCodeFor: SnippetsFor = (outcome) => {
  const snippet = snippetOfOutcome(outcome);
  if (!snippet || outcome.kind !== 'ran' || !outcome.connection) return null;
  const { connection } = outcome;
  const leftToDo = leftToDoLines(outcome.result, outcome.resume);
  const reach = `${connection.appName} can reach ${connection.serverFqdn.split('.')[0]}/${connection.databaseName} as ${connection.user} (no password)`;
  return {
    // A hand-off is not done: the screen says what is left and how to finish instead.
    headline:
      leftToDo.length > 0
        ? [`Not finished · ${reach} once this is done`, ...leftToDo].join('\n')
        : `Done · ${reach}`,
    // A secret is only ever named (secretRef): it has no value to show.
    settings: snippet.settings.flatMap((setting) =>
      'value' in setting ? [{ name: setting.name, value: setting.value }] : [],
    ),
    dependencies: snippet.dependencies.map(({ manifest, entry }) => ({ manifest, entry })),
    files: snippet.files.map((file) => ({
      title: `${snippet.clientType} · ${file.path}`,
      fileName: file.path,
      content: file.content,
    })),
    text: plainSnippet(snippet),
  };
};
