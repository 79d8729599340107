/**
 * The Azure SQL side of the shared connection steps: the database user is the one `database-user`
 * makes, and `--no-linker` writes the `AZURE_SQL_*` settings Service Connector would (the drivers get
 * the token themselves, so the settings name the authentication mode and, for a user identity or a
 * service principal, the client id).
 */
import type { Services } from '../../core/services.ts';
import { settingsFor } from '../../snippets/settings.ts';
import type { ConnectionTarget } from '../app/connection-target.ts';
import { DATABASE_USER } from './database-user.ts';
import { plannedUserName, type SqlPrincipal, sqlPrincipalOf } from './identity.ts';
import type { SqlSetupInput } from './input.ts';

/** Where a service principal's secret goes, per client type (the others hold it in a connection string). */
function secretSettingOf(input: SqlSetupInput): string {
  switch (input.clientType) {
    case 'python':
    case 'django':
    case 'none':
      return 'AZURE_SQL_PASSWORD';
    case 'springBoot':
      return 'spring.datasource.password';
    default:
      return 'AZURE_SQL_CLIENTSECRET';
  }
}

export function sqlTarget(input: SqlSetupInput, services: Services): ConnectionTarget {
  let principal: Promise<SqlPrincipal> | undefined;
  const lookUp = (signal?: AbortSignal) => {
    // Looked up once per run, and again after a failed lookup.
    principal ??= sqlPrincipalOf(services, input, signal).catch((error) => {
      principal = undefined;
      throw error;
    });
    return principal;
  };
  const secretSetting = secretSettingOf(input);
  const names = async (signal?: AbortSignal) => {
    // A system identity's settings name no client id, and it may not exist before `app-identity` ran.
    const found =
      input.auth.kind === 'system'
        ? { userName: plannedUserName(input), clientId: '' }
        : await lookUp(signal);
    const signIn = await services.azure.signIn(signal);
    return {
      server: input.server.fqdn,
      database: input.database,
      user: found.userName,
      clientId: found.clientId,
      tenantId: input.signedIn.tenantId ?? (signIn.ok ? signIn.identity.tenantId : undefined) ?? '',
    };
  };
  return {
    kind: 'sql',
    userStep: DATABASE_USER,
    userName: async (signal) => (await lookUp(signal)).userName,
    plannedUserName: plannedUserName(input),
    settingsLabel: 'AZURE_SQL_*',
    secretSetting,
    names,
    async settings(signal) {
      const settings = settingsFor('sql', input.clientType, input.auth.kind, await names(signal));
      const out: Record<string, string> = {};
      for (const setting of settings) {
        if ('value' in setting) out[setting.name] = setting.value;
        else if (setting.name !== secretSetting)
          throw new Error(
            `with --no-linker the ${input.clientType} setting ${setting.name} would have to hold the service principal's secret: use Service Connector, or client type none`,
          );
      }
      return out;
    },
  };
}
