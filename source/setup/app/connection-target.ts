/**
 * What the connection steps (`service-connector`, `app-settings`) need to know of the database they
 * connect the app to, so every database's flow uses the same two steps: the step that creates the
 * database user, the user's name, the names the settings carry, and the settings to write when there
 * is no linker. PostgreSQL and MySQL build theirs with `ossTarget`, Azure SQL its own.
 */
import type { Services } from '../../core/services.ts';
import { descriptorOf } from '../../databases/descriptors.ts';
import type { DatabaseKind } from '../../databases/kind.ts';
import type { ResolvedInputs } from '../../snippets/settings.ts';
import type { SetupInput } from '../input.ts';
import { ownSettings, secretSettingOf } from './connection-settings.ts';
import { principalOf } from './identities.ts';

export interface ConnectionTarget {
  /** Which database the settings are for (`AZURE_POSTGRESQL_*`, `AZURE_MYSQL_*`, `AZURE_SQL_*`). */
  kind: DatabaseKind;
  /** The step that creates the database user: the connection comes after it. */
  userStep: string;
  /** The database user the app logs in as (Service Connector's `authInfo.userName`). */
  userName(signal?: AbortSignal): Promise<string>;
  /** The user's name as the plan shows it, before any lookup. */
  plannedUserName: string;
  /** The family of settings, for the plan: `AZURE_POSTGRESQL_*`. */
  settingsLabel: string;
  /** The settings `--no-linker` writes (no secret among them). */
  settings(signal?: AbortSignal): Promise<Record<string, string>>;
  /** The setting that holds a service principal's secret. */
  secretSetting: string;
  /** The names the settings carry (host, database, user, client id, tenant), for the linker's preview. */
  names(signal?: AbortSignal): Promise<ResolvedInputs>;
}

/**
 * The tenant a service principal's credential needs: the signed-in tenant the doctor saw, else the
 * sign-in's. Null for managed identities (they need none).
 */
export async function tenantOf(
  services: Services,
  input: SetupInput,
  signal?: AbortSignal,
): Promise<string | null> {
  if (input.auth.kind !== 'sp') return null;
  if (input.signedIn.tenantId) return input.signedIn.tenantId;
  const signIn = await services.azure.signIn(signal);
  return signIn.ok ? (signIn.identity.tenantId ?? null) : null;
}

/**
 * The connection target of a PostgreSQL or MySQL flow: the database user `user`, made by `userStep`,
 * and the settings of the generator for that database.
 */
export function ossTarget(
  database: 'postgres' | 'mysql',
  input: SetupInput,
  services: Services,
  user: string,
  userStep: string,
): ConnectionTarget {
  const names = async (signal?: AbortSignal): Promise<ResolvedInputs> => {
    // A system identity needs no client id (and may not exist before `app-identity` has run).
    const clientId =
      input.auth.kind === 'system' ? null : (await principalOf(services, input, signal)).clientId;
    return {
      server: input.server.fqdn,
      database: input.database,
      user,
      clientId: clientId ?? '',
      tenantId: (await tenantOf(services, input, signal)) ?? '',
    };
  };
  return {
    kind: database,
    userStep,
    userName: async () => user,
    plannedUserName: user,
    settingsLabel: `${descriptorOf(database).settingPrefix}_*`,
    names,
    async settings(signal) {
      const found = await names(signal);
      return ownSettings({
        database,
        fqdn: found.server,
        databaseName: found.database,
        user,
        clientType: input.clientType,
        auth: input.auth.kind,
        clientId: found.clientId || null,
        tenantId: found.tenantId || null,
      }).values;
    },
    secretSetting: secretSettingOf(database, input.clientType),
  };
}
