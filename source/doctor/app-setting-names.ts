/**
 * What the names of an app's settings say: `AZURE_<TYPE>_<CONNECTION>_<BASE>` as Service Connector
 * writes them (which connection wrote a setting, and what it is), and which settings name the client
 * id of the identity that connects.
 */
import { descriptorOf } from '../databases/descriptors.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { Setting } from './app-settings-read.ts';

/**
 * The client ids the settings name for the identity that connects: `AZURE_<TYPE>_CLIENTID` (of any
 * connection), Spring's `spring.cloud.azure.credential.client-id`, and for Azure SQL the user
 * settings, which hold a client id (`AZURE_SQL_USER`, `_USERNAME`, Spring's datasource username).
 */
export function clientIdsIn(settings: readonly Setting[], kind: DatabaseKind): string[] {
  const descriptor = descriptorOf(kind);
  const prefix = `${descriptor.settingPrefix}_`;
  const ids: string[] = [];
  for (const { name, value } of settings) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const base = name.toUpperCase().startsWith(prefix) ? settingParts(name, prefix).base : '';
    if (
      base === 'CLIENTID' ||
      lower === 'spring.cloud.azure.credential.client-id' ||
      (descriptor.userSettingIsClientId &&
        (base === 'USER' || base === 'USERNAME' || lower === 'spring.datasource.username'))
    )
      ids.push(value.trim());
  }
  return ids;
}

/** The last part of a setting Service Connector writes, after `AZURE_<TYPE>_` and any connection name. */
const BASE_NAMES = [
  'CONNECTIONSTRING',
  'AUTHENTICATIONTYPE',
  'AUTHENTICATION',
  'CLIENTSECRET',
  'CLIENTID',
  'TENANTID',
  'USERNAME',
  'DATABASE',
  'PASSWORD',
  'SSLMODE',
  'DBNAME',
  'SERVER',
  'HOST',
  'PORT',
  'NAME',
  'USER',
  'FLAG',
  'SSL',
];

/** `AZURE_POSTGRESQL_ORDERS_HOST` → connection `ORDERS`, base `HOST`; `AZURE_POSTGRESQL_HOST` → no connection. */
export function settingParts(name: string, prefix: string): { connection: string | null; base: string } {
  const rest = name.toUpperCase().slice(prefix.length);
  if (BASE_NAMES.includes(rest)) return { connection: null, base: rest };
  const base = BASE_NAMES.find((candidate) => rest.endsWith(`_${candidate}`));
  if (!base) return { connection: null, base: rest };
  return { connection: rest.slice(0, -(base.length + 1)), base };
}

/**
 * The settings grouped by the connection that wrote them: the plain `AZURE_<TYPE>_*` (and Spring's
 * `spring.datasource.*`) first, then each `AZURE_<TYPE>_<CONNECTION>_*` of a further connection.
 */
export function byConnection(
  settings: Setting[],
  prefix: string,
): { connection: string | null; settings: Setting[] }[] {
  const groups = new Map<string | null, Setting[]>();
  for (const setting of settings) {
    const connection = setting.name.toUpperCase().startsWith(prefix)
      ? settingParts(setting.name, prefix).connection
      : null;
    groups.set(connection, [...(groups.get(connection) ?? []), setting]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)))
    .map(([connection, group]) => ({ connection, settings: group }));
}
