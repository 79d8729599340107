/**
 * The app settings a PostgreSQL connection writes for each client type, as Service Connector writes
 * them (Learn "Integrate Azure Database for PostgreSQL with Service Connector"). No password or token:
 * the app gets a token itself. A service principal's secret is named by reference, never written here.
 */
import type { ClientType } from '../../snippets/types.ts';

export interface SettingsInput {
  fqdn: string;
  database: string;
  user: string;
  clientType: ClientType;
  /** User-assigned identity or service principal client id. */
  clientId: string | null;
  tenantId: string | null;
  sp: boolean;
}

export function postgresSettings(input: SettingsInput): Record<string, string> {
  const { fqdn, database, user } = input;
  const out: Record<string, string> = {};
  switch (input.clientType) {
    case 'dotnet':
      out.AZURE_POSTGRESQL_CONNECTIONSTRING = `Server=${fqdn};Database=${database};Port=5432;Ssl Mode=Require;User Id=${user};`;
      break;
    case 'java':
      out.AZURE_POSTGRESQL_CONNECTIONSTRING = `jdbc:postgresql://${fqdn}:5432/${encodeURIComponent(database)}?sslmode=require&user=${encodeURIComponent(user)}`;
      break;
    case 'springBoot':
      out['spring.datasource.azure.passwordless-enabled'] = 'true';
      out['spring.datasource.url'] =
        `jdbc:postgresql://${fqdn}:5432/${encodeURIComponent(database)}?sslmode=require`;
      out['spring.datasource.username'] = user;
      if (input.clientId) {
        out['spring.cloud.azure.credential.client-id'] = input.clientId;
        if (!input.sp) out['spring.cloud.azure.credential.managed-identity-enabled'] = 'true';
        else if (input.tenantId) out['spring.cloud.azure.profile.tenant-id'] = input.tenantId;
      }
      return out;
    case 'python':
      out.AZURE_POSTGRESQL_CONNECTIONSTRING = `dbname=${database} host=${fqdn} port=5432 sslmode=require user=${user}`;
      break;
    case 'django':
      out.AZURE_POSTGRESQL_NAME = database;
      out.AZURE_POSTGRESQL_HOST = fqdn;
      out.AZURE_POSTGRESQL_USER = user;
      break;
    case 'go':
      out.AZURE_POSTGRESQL_CONNECTIONSTRING = `host=${fqdn} dbname=${database} sslmode=require user=${user}`;
      break;
    case 'php':
    case 'ruby':
      out.AZURE_POSTGRESQL_CONNECTIONSTRING = `host=${fqdn} port=5432 dbname=${database} sslmode=require user=${user}`;
      break;
    case 'nodejs':
      out.AZURE_POSTGRESQL_HOST = fqdn;
      out.AZURE_POSTGRESQL_USER = user;
      out.AZURE_POSTGRESQL_DATABASE = database;
      out.AZURE_POSTGRESQL_PORT = '5432';
      out.AZURE_POSTGRESQL_SSL = 'true';
      break;
    case 'none':
      out.AZURE_POSTGRESQL_HOST = fqdn;
      out.AZURE_POSTGRESQL_USERNAME = user;
      out.AZURE_POSTGRESQL_DATABASE = database;
      out.AZURE_POSTGRESQL_PORT = '5432';
      out.AZURE_POSTGRESQL_SSL = 'true';
      break;
  }
  if (input.clientId) out.AZURE_POSTGRESQL_CLIENTID = input.clientId;
  if (input.sp && input.tenantId) out.AZURE_POSTGRESQL_TENANTID = input.tenantId;
  return out;
}

/**
 * What a connection step needs to know of the database it connects to: the settings each client type
 * gets, their prefix (shown in the plan), and the step that makes the database user before it.
 */
