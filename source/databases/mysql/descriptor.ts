/** MySQL flexible server, as data (see ../descriptor.ts). */
import { DOTNET_WORD, LETTERS_DIGITS_HYPHENS } from '../../azure/resource-id.ts';
import type { DatabaseDescriptor } from '../descriptor.ts';
import { FLEXIBLE_FIREWALL_RULE } from '../names.ts';

export const mysqlDescriptor: DatabaseDescriptor = {
  kind: 'mysql',
  label: 'MySQL flexible server',
  engine: 'MySQL',
  armType: 'Microsoft.DBforMySQL/flexibleServers',
  // The SDK sends 2021-05-01, which predates privateEndpointConnections on the server, the server's
  // identity and the administrators resource: those are read at 2023-12-30, the Azure CLI's version.
  apiVersions: {
    server: '2023-12-30',
    databases: '2021-05-01',
    firewallRules: '2021-05-01',
    administrators: '2023-12-30',
    configurations: '2021-05-01',
  },
  port: 3306,
  az: ['az', 'mysql', 'flexible-server'],
  azDatabases: { list: ['az', 'mysql', 'flexible-server', 'db', 'list'], serverFlag: '--server-name' },
  azFirewallRuleNames: (server, rule) => ['--name', server, '--rule-name', rule],
  tokenAudience: 'ossrdbms',
  userName: { max: 32, counts: 'characters', what: 'MySQL user names' },
  settingPrefix: 'AZURE_MYSQL',
  hostSuffix: 'mysql.database.azure.com',
  linkerPrefix: 'mysqlflexible_',
  linkerSpringTls: 'sslmode=required',
  systemDatabases: new Set(['information_schema', 'mysql', 'performance_schema', 'sys']),
  names: {
    server: {
      what: 'MySQL flexible server name',
      min: 3,
      max: 63,
      shape: LETTERS_DIGITS_HYPHENS,
      rule: '3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    },
    database: {
      what: 'MySQL database name',
      min: 1,
      max: 64,
      shape: new RegExp(`^[-${DOTNET_WORD}._]+$`, 'u'),
      rule: '1-64 letters, digits, underscores, hyphens and periods',
    },
    firewallRule: FLEXIBLE_FIREWALL_RULE,
  },
  serverRole: 'Contributor',
  setupReads: [{ action: 'configurations/read', why: 'read aad_auth_only' }],
};
