/**
 * The app settings sc-doctor writes itself (`--no-linker`) for PostgreSQL and MySQL: the connection
 * code generator's settings (so the code shown at the end reads exactly what was written), named as
 * Service Connector names them, with a Spring Boot URL that checks the certificate. No password or
 * token: the app gets a token itself. A service principal's secret is only named here; the step
 * writes its value.
 */
import { type ResolvedInputs, settingsFor } from '../../snippets/settings.ts';
import type { ClientType, SnippetAuth } from '../../snippets/types.ts';

export interface SettingsInput {
  database: 'postgres' | 'mysql';
  fqdn: string;
  /** The database name on the server. */
  databaseName: string;
  user: string;
  clientType: ClientType;
  auth: SnippetAuth;
  /** User-assigned identity or service principal client id. */
  clientId: string | null;
  /** The service principal's tenant: its credential needs it (`AZURE_<TYPE>_TENANTID`). */
  tenantId: string | null;
}

/** What `--no-linker` writes: the values, and the name of the setting that holds the secret (sp). */
export interface OwnSettings {
  values: Record<string, string>;
  secretSetting: string | null;
}

/** The settings of one connection; throws when a service principal's tenant is not known. */
export function ownSettings(input: SettingsInput): OwnSettings {
  if (input.auth === 'sp' && !input.tenantId)
    throw new Error(
      "the service principal's tenant is not known, and the app's credential needs it: sign in again with az login",
    );
  const names: ResolvedInputs = {
    server: input.fqdn,
    database: input.databaseName,
    user: input.user,
    clientId: input.clientId ?? '',
    tenantId: input.tenantId ?? '',
  };
  const values: Record<string, string> = {};
  let secretSetting: string | null = null;
  for (const setting of settingsFor(input.database, input.clientType, input.auth, names)) {
    if ('value' in setting) values[setting.name] = setting.value;
    else secretSetting = setting.name;
  }
  return { values, secretSetting };
}

/** The setting that holds a service principal's secret for this client type (known before any lookup). */
export function secretSettingOf(database: 'postgres' | 'mysql', clientType: ClientType): string {
  const placeholders = { server: '', database: '', user: '', clientId: '', tenantId: '' };
  const found = settingsFor(database, clientType, 'sp', placeholders).find(
    (setting) => !('value' in setting),
  );
  return found?.name ?? `${database === 'postgres' ? 'AZURE_POSTGRESQL' : 'AZURE_MYSQL'}_CLIENTSECRET`;
}
