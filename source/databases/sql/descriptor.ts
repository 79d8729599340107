/** Azure SQL (a logical server and its databases), as data (see ../descriptor.ts). */
import { LETTERS_DIGITS_HYPHENS } from '../../azure/resource-id.ts';
import type { DatabaseDescriptor } from '../descriptor.ts';

export const sqlDescriptor: DatabaseDescriptor = {
  kind: 'sql',
  label: 'Azure SQL server',
  engine: 'Azure SQL',
  armType: 'Microsoft.Sql/servers',
  // @azure/arm-sql's versions of these operations.
  apiVersions: {
    server: '2022-08-01-preview',
    databases: '2022-08-01-preview',
    firewallRules: '2020-11-01-preview',
    administrators: '2020-11-01-preview',
    entraOnly: '2020-11-01-preview',
    connectionPolicies: '2021-05-01-preview',
  },
  port: 1433,
  az: ['az', 'sql', 'server'],
  azDatabases: { list: ['az', 'sql', 'db', 'list'], serverFlag: '--server' },
  azFirewallRuleNames: (server, rule) => ['--server', server, '--name', rule],
  tokenAudience: 'sql',
  userName: { max: 128, counts: 'utf16', what: 'SQL Server names' },
  userSettingIsClientId: true,
  settingPrefix: 'AZURE_SQL',
  hostSuffix: 'database.windows.net',
  linkerPrefix: 'sql_',
  systemDatabases: new Set(['master']),
  names: {
    server: {
      what: 'Azure SQL server name',
      min: 1,
      max: 63,
      shape: LETTERS_DIGITS_HYPHENS,
      rule: '1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    },
    database: {
      what: 'Azure SQL database name',
      min: 1,
      max: 128,
      shape: /^[^<>*%&:\\/?\u0000-\u001f\u007f-\u009f]*[^<>*%&:\\/?\u0000-\u001f\u007f-\u009f. ]$/u,
      rule: '1-128 characters without < > * % & : \\ / ? or control characters, not ending in a period or space',
    },
    firewallRule: {
      what: 'firewall rule name',
      min: 1,
      max: 128,
      shape: /^[^<>*%&:;\\/?\u0000-\u001f\u007f-\u009f]*[^<>*%&:;\\/?\u0000-\u001f\u007f-\u009f.]$/u,
      rule: '1-128 characters without < > * % & : ; \\ / ? or control characters, not ending in a period',
    },
  },
  serverRole: 'SQL Server Contributor',
  setupReads: [{ action: 'azureADOnlyAuthentications/read', why: 'read Entra-only authentication' }],
};
