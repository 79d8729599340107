/** What each language's template receives and returns. */

import type { DatabaseKind } from '../databases/kind.ts';
import type { ResolvedInputs } from './settings.ts';
import type { SnippetAuth, SnippetDependency, SnippetFile, SnippetSetting, SnippetSupport } from './types.ts';

export interface TemplateContext {
  database: DatabaseKind;
  auth: SnippetAuth;
  /** `AZURE_POSTGRESQL`, `AZURE_MYSQL` or `AZURE_SQL`. */
  prefix: string;
  names: ResolvedInputs;
  /** PostgreSQL/MySQL token audience of the cloud, as a scope (`…/.default`) and as an MI `resource`. */
  scope: string;
  resource: string;
  /** Who writes the settings (`SnippetRequest.settingsWriter`). */
  settingsWriter: 'service-connector' | 'sc-doctor';
}

export interface TemplateResult {
  files: SnippetFile[];
  dependencies: SnippetDependency[];
  notes: string[];
  support?: SnippetSupport;
  /** Replaces the standard settings (a client type whose only working path needs other ones). */
  settings?: SnippetSetting[];
}

export type Template = (context: TemplateContext) => TemplateResult;

/** Token audience of PostgreSQL and MySQL flexible server in the Azure public cloud. */
export const PUBLIC_OSSRDBMS_RESOURCE = 'https://ossrdbms-aad.database.windows.net';

/** CA bundle of Debian-based images (App Service and Container Apps Linux images). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export const NOTE_TOKEN_PER_CONNECTION =
  'A token is fetched for every new connection (the credential caches it until shortly before it ' +
  'expires), so pooled connections opened after an hour still sign in.';
export const NOTE_TLS =
  'The token is sent as the password, so the code only connects over TLS with the server ' +
  "certificate verified; keep the system's public CA certificates in the image.";
export const NOTE_MYSQL_USER =
  'MySQL flexible server uses the bare user name: if the user setting ends in @<server> ' +
  '(a single-server leftover), remove that suffix.';

/** Joins lines; keeps templates readable as arrays of lines. */
export function lines(...parts: (string | false | undefined)[]): string {
  return `${parts.filter((part): part is string => typeof part === 'string').join('\n')}\n`;
}
