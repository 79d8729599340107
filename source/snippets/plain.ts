/**
 * A snippet as plain text: a title, the settings (secrets only named), dependencies, notes, then
 * each file under a header line. No border characters and no trailing spaces, so a terminal
 * selection copies clean code. The `snippet` command prints it; the code screen can print it to the
 * scrollback on exit.
 */
import type { DatabaseKind } from '../databases/kind.ts';
import type { Snippet, SnippetAuth } from './types.ts';

export const DATABASE_TITLES: Record<DatabaseKind, string> = {
  postgres: 'Azure Database for PostgreSQL flexible server',
  mysql: 'Azure Database for MySQL flexible server',
  sql: 'Azure SQL Database',
};
export const AUTH_TITLES: Record<SnippetAuth, string> = {
  system: 'system-assigned managed identity',
  user: 'user-assigned managed identity',
  sp: 'service principal',
};

/** The text of `snippet`; `written` (paths saved with `--out`) replaces the file contents. */
export function plainSnippet(snippet: Snippet, written: readonly string[] = []): string {
  const out: string[] = [
    `${DATABASE_TITLES[snippet.database]} · ${snippet.clientType} · ${AUTH_TITLES[snippet.auth]}`,
  ];
  if (snippet.support === 'unsupported')
    out.push('NOT PASSWORDLESS: Azure has no passwordless path for this client type.');
  if (snippet.support === 'outside-service-connector') {
    out.push('Outside Service Connector: it writes no settings for this combination; add them by hand.');
  }
  out.push('', 'App settings');
  for (const setting of snippet.settings) {
    out.push(
      'value' in setting
        ? `  ${setting.name}=${setting.value}`
        : `  ${setting.name}  (secret: ${setting.secretRef})`,
    );
  }
  if (snippet.dependencies.length > 0) {
    out.push('', 'Dependencies');
    for (const dependency of snippet.dependencies) out.push(`  ${dependency.manifest}: ${dependency.entry}`);
  }
  out.push('', 'Notes', ...snippet.notes.map((note) => `  - ${note}`));
  if (written.length > 0) {
    out.push('', 'Written', ...written.map((path) => `  ${path}`));
  } else {
    for (const file of snippet.files)
      out.push('', `File ${file.path} (${file.language})`, '', file.content.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
