/**
 * What the connection steps (`service-connector`, `app-settings`) need to know of the database they
 * connect the app to, so every database's flow uses the same two steps: the step that creates the
 * database user, the user's name, and the settings to write when there is no linker. PostgreSQL's is
 * built here; the other databases' flows build theirs.
 */
import type { Services } from '../../core/services.ts';
import { postgresSettings } from './connection-settings.ts';
import { DATABASE_ROLE } from './database-role.ts';
import { principalOf } from './identities.ts';
import { type PostgresSetupInput, roleNameOf } from './input.ts';

export interface ConnectionTarget {
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
}

export function postgresTarget(input: PostgresSetupInput, services: Services): ConnectionTarget {
  const role = roleNameOf(input);
  return {
    userStep: DATABASE_ROLE,
    userName: async () => role,
    plannedUserName: role,
    settingsLabel: 'AZURE_POSTGRESQL_*',
    async settings(signal) {
      const principal = await principalOf(services, input, signal);
      return postgresSettings({
        fqdn: input.server.fqdn,
        database: input.database,
        user: role,
        clientType: input.clientType,
        clientId: principal.clientId,
        tenantId: null,
        sp: input.auth.kind === 'sp',
      });
    },
    secretSetting: 'AZURE_POSTGRESQL_CLIENTSECRET',
  };
}
