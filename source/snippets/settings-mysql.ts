/** MySQL's connection settings per client type, as Service Connector names them. */
import { type ResolvedInputs, type SettingsWriter, value } from './setting-values.ts';
import { SPRING_VERIFIED_TLS, tlsOf } from './tls.ts';
import type { ClientType, SnippetSetting } from './types.ts';

export function mysqlConnection(
  clientType: ClientType,
  n: ResolvedInputs,
  writer: SettingsWriter,
): SnippetSetting[] {
  const p = 'AZURE_MYSQL';
  switch (clientType) {
    case 'dotnet':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `Server=${n.server};Database=${n.database};Port=3306;User Id=${n.user};${tlsOf(writer, 'mysqlConnector')};`,
        ),
      ];
    case 'java':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `jdbc:mysql://${n.server}:3306/${n.database}?${writer === 'service-connector' ? 'sslmode=required' : SPRING_VERIFIED_TLS.mysql}&user=${n.user}`,
        ),
      ];
    case 'springBoot':
      return [
        value('spring.datasource.azure.passwordless-enabled', 'true'),
        value(
          'spring.datasource.url',
          `jdbc:mysql://${n.server}:3306/${n.database}?${writer === 'service-connector' ? 'sslmode=required' : SPRING_VERIFIED_TLS.mysql}`,
        ),
        value('spring.datasource.username', n.user),
      ];
    case 'python':
    case 'django':
      return [value(`${p}_NAME`, n.database), value(`${p}_HOST`, n.server), value(`${p}_USER`, n.user)];
    case 'go':
      return [value(`${p}_CONNECTIONSTRING`, `${n.user}@tcp(${n.server}:3306)/${n.database}?tls=true`)];
    case 'nodejs':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USER`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '3306'),
        value(`${p}_SSL`, 'true'),
      ];
    case 'php':
      return [
        value(`${p}_DBNAME`, n.database),
        value(`${p}_HOST`, n.server),
        value(`${p}_PORT`, '3306'),
        value(`${p}_FLAG`, 'MySQL_CLIENT_SSL'),
        value(`${p}_USERNAME`, n.user),
      ];
    case 'ruby':
      return [
        value(`${p}_DATABASE`, n.database),
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_SSLMODE`, tlsOf(writer, 'rubyMysql')),
      ];
    case 'none':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '3306'),
        value(`${p}_SSL`, 'true'),
      ];
  }
}
