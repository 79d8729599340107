/** PostgreSQL flexible server, as data (see ../descriptor.ts). */
import { DOTNET_WORD, LETTERS_DIGITS_HYPHENS } from '../../azure/resource-id.ts';
import type { DatabaseDescriptor } from '../descriptor.ts';
import { FLEXIBLE_FIREWALL_RULE } from '../names.ts';

export const postgresDescriptor: DatabaseDescriptor = {
  kind: 'postgres',
  label: 'PostgreSQL flexible server',
  engine: 'PostgreSQL',
  armType: 'Microsoft.DBforPostgreSQL/flexibleServers',
  // @azure/arm-postgresql-flexible's version for every operation sc-doctor makes.
  apiVersions: {
    server: '2025-08-01',
    databases: '2025-08-01',
    firewallRules: '2025-08-01',
    administrators: '2025-08-01',
  },
  port: 5432,
  az: ['az', 'postgres', 'flexible-server'],
  azDatabases: { list: ['az', 'postgres', 'flexible-server', 'db', 'list'], serverFlag: '--server-name' },
  azFirewallRuleNames: (server, rule) => ['--name', server, '--rule-name', rule],
  tokenAudience: 'ossrdbms',
  userName: { max: 63, counts: 'bytes', what: 'PostgreSQL role names' },
  settingPrefix: 'AZURE_POSTGRESQL',
  hostSuffix: 'postgres.database.azure.com',
  linkerPrefix: 'postgresflexible_',
  linkerSpringTls: 'sslmode=require',
  systemDatabases: new Set(['postgres', 'azure_maintenance', 'azure_sys']),
  names: {
    server: {
      what: 'PostgreSQL flexible server name',
      min: 3,
      max: 63,
      shape: LETTERS_DIGITS_HYPHENS,
      rule: '3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    },
    database: {
      what: 'PostgreSQL database name',
      min: 1,
      max: 63,
      shape: new RegExp(`^[-${DOTNET_WORD}._]+$`, 'u'),
      rule: '1-63 letters, digits, underscores, hyphens and periods',
    },
    firewallRule: FLEXIBLE_FIREWALL_RULE,
  },
  // No built-in role narrower than Contributor covers a flexible server's admins.
  serverRole: 'Contributor',
  setupReads: [],
};
