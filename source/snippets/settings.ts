/**
 * The app settings Service Connector writes for each database, client type and auth type, with the
 * names it uses (so code generated here reads what `az ... connection create` leaves in the app).
 * Values are filled from the inputs or shown as placeholders; secrets are only named. Each kind's
 * connection settings are its own file (settings-<kind>.ts); TLS words are tls.ts.
 */
import { descriptorOf } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import {
  identitySettings,
  type ResolvedInputs,
  type SettingsWriter,
  secret,
  value,
} from './setting-values.ts';
import { mysqlConnection } from './settings-mysql.ts';
import { postgresConnection } from './settings-postgres.ts';
import { sqlSettings } from './settings-sql.ts';
import type { ClientType, SnippetAuth, SnippetInputs, SnippetSetting } from './types.ts';

export { type ResolvedInputs, SECRET_REF, type SettingsWriter } from './setting-values.ts';

/** Inputs with placeholders where a name was not given. */
export function resolveInputs(database: DatabaseKind, inputs: SnippetInputs): ResolvedInputs {
  return {
    server: inputs.server || `<server>.${descriptorOf(database).hostSuffix}`,
    database: inputs.databaseName || '<database>',
    user: inputs.user || '<database-user>',
    clientId: inputs.clientId || '<client-id>',
    tenantId: inputs.tenantId || '<tenant-id>',
  };
}

/** Prefix of the standard setting names, e.g. `AZURE_POSTGRESQL`. */
export function settingPrefix(database: DatabaseKind): string {
  return descriptorOf(database).settingPrefix;
}

/**
 * Settings for a combination, in the order Service Connector documents them. Spring's tenant is
 * always `spring.cloud.azure.profile.tenant-id` (the property Spring Cloud Azure reads): a linker is
 * asked to write it under that name (`configurationInfo.customizedKeys`).
 */
export function settingsFor(
  database: DatabaseKind,
  clientType: ClientType,
  auth: SnippetAuth,
  names: ResolvedInputs,
  writer: SettingsWriter = 'sc-doctor',
): SnippetSetting[] {
  if (database === 'sql') return sqlSettings(clientType, auth, names);
  const prefix = settingPrefix(database);
  const connection =
    database === 'postgres'
      ? postgresConnection(clientType, names, writer)
      : mysqlConnection(clientType, names, writer);
  if (clientType === 'springBoot') return [...connection, ...springCredential(auth, names)];
  return [...connection, ...identitySettings(prefix, auth, names)];
}

function springCredential(auth: SnippetAuth, names: ResolvedInputs): SnippetSetting[] {
  if (auth === 'system') return [];
  if (auth === 'user') {
    return [
      value('spring.cloud.azure.credential.client-id', names.clientId),
      value('spring.cloud.azure.credential.managed-identity-enabled', 'true'),
    ];
  }
  return [
    value('spring.cloud.azure.credential.client-id', names.clientId),
    secret('spring.cloud.azure.credential.client-secret'),
    value(SPRING_TENANT, names.tenantId),
  ];
}

/** The one Spring property naming the tenant (Spring Cloud Azure has no `credential.tenant-id`). */
export const SPRING_TENANT = 'spring.cloud.azure.profile.tenant-id';
/** The name Service Connector writes the tenant under for Spring Boot (its docs' tables). */
export const SERVICE_CONNECTOR_SPRING_TENANT = 'spring.cloud.azure.credential.tenant-id';
