/** PostgreSQL's connection settings per client type, as Service Connector names them. */
import { type ResolvedInputs, type SettingsWriter, value } from './setting-values.ts';
import { SPRING_VERIFIED_TLS, tlsOf } from './tls.ts';
import type { ClientType, SnippetSetting } from './types.ts';

export function postgresConnection(
  clientType: ClientType,
  n: ResolvedInputs,
  writer: SettingsWriter,
): SnippetSetting[] {
  const p = 'AZURE_POSTGRESQL';
  const libpq = `host=${n.server} port=5432 dbname=${n.database} ${tlsOf(writer, 'libpq')} user=${n.user}`;
  switch (clientType) {
    case 'dotnet':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `Server=${n.server};Database=${n.database};Port=5432;${tlsOf(writer, 'npgsql')};User Id=${n.user};`,
        ),
      ];
    case 'java':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `jdbc:postgresql://${n.server}:5432/${n.database}?${writer === 'service-connector' ? 'sslmode=require' : SPRING_VERIFIED_TLS.postgres}&user=${n.user}`,
        ),
      ];
    case 'springBoot':
      return [
        value('spring.datasource.azure.passwordless-enabled', 'true'),
        value(
          'spring.datasource.url',
          `jdbc:postgresql://${n.server}:5432/${n.database}?${writer === 'service-connector' ? 'sslmode=require' : SPRING_VERIFIED_TLS.postgres}`,
        ),
        value('spring.datasource.username', n.user),
      ];
    case 'python':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `dbname=${n.database} host=${n.server} port=5432 ${tlsOf(writer, 'libpq')} user=${n.user}`,
        ),
      ];
    case 'django':
      return [value(`${p}_NAME`, n.database), value(`${p}_HOST`, n.server), value(`${p}_USER`, n.user)];
    case 'go':
      return [
        value(
          `${p}_CONNECTIONSTRING`,
          `host=${n.server} dbname=${n.database} ${tlsOf(writer, 'go')} user=${n.user}`,
        ),
      ];
    case 'nodejs':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USER`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '5432'),
        value(`${p}_SSL`, 'true'),
      ];
    case 'php':
    case 'ruby':
      return [value(`${p}_CONNECTIONSTRING`, libpq)];
    case 'none':
      return [
        value(`${p}_HOST`, n.server),
        value(`${p}_USERNAME`, n.user),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_PORT`, '5432'),
        value(`${p}_SSL`, 'true'),
      ];
  }
}
