/** Azure SQL's settings per client type and auth type, as Service Connector names them. */
import { identitySettings, type ResolvedInputs, secret, value } from './setting-values.ts';
import type { ClientType, SnippetAuth, SnippetSetting } from './types.ts';

/**
 * Azure SQL: the drivers get the token themselves, so the settings carry the authentication mode.
 * For a service principal, .NET and Java connection strings hold the secret, so they are only
 * referenced. Service Connector has no managed-identity or service-principal settings for go, php
 * and django; for those the settings below are the ones the app must be given by hand.
 */
export function sqlSettings(clientType: ClientType, auth: SnippetAuth, n: ResolvedInputs): SnippetSetting[] {
  const p = 'AZURE_SQL';
  const withSecret = (name: string, shape: string): SnippetSetting => ({
    name,
    secretRef: `${shape} (holds the service principal secret; never printed)`,
  });
  switch (clientType) {
    case 'dotnet': {
      const base = `Data Source=${n.server},1433;Initial Catalog=${n.database};`;
      if (auth === 'system') {
        return [value(`${p}_CONNECTIONSTRING`, `${base}Authentication=ActiveDirectoryManagedIdentity`)];
      }
      if (auth === 'user') {
        return [
          value(
            `${p}_CONNECTIONSTRING`,
            `${base}User ID=${n.clientId};Authentication=ActiveDirectoryManagedIdentity`,
          ),
        ];
      }
      return [
        withSecret(
          `${p}_CONNECTIONSTRING`,
          `${base}User ID=${n.clientId};Password=<secret>;Authentication=ActiveDirectoryServicePrincipal`,
        ),
        value(`${p}_CLIENTID`, n.clientId),
        secret(`${p}_CLIENTSECRET`),
        value(`${p}_TENANTID`, n.tenantId),
      ];
    }
    case 'java':
    case 'springBoot': {
      const base = `jdbc:sqlserver://${n.server}:1433;databaseName=${n.database};`;
      const key = clientType === 'java' ? `${p}_CONNECTIONSTRING` : 'spring.datasource.url';
      if (auth === 'system') return [value(key, `${base}authentication=ActiveDirectoryMSI;`)];
      if (auth === 'user') {
        return [value(key, `${base}msiClientId=${n.clientId};authentication=ActiveDirectoryMSI;`)];
      }
      if (clientType === 'java') {
        return [
          withSecret(
            key,
            `${base}user=${n.clientId};password=<secret>;authentication=ActiveDirectoryServicePrincipal;`,
          ),
        ];
      }
      return [
        value(key, `${base}authentication=ActiveDirectoryServicePrincipal;`),
        value('spring.datasource.username', n.clientId),
        secret('spring.datasource.password'),
      ];
    }
    case 'python':
    case 'django': {
      const base = [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
      ];
      if (auth === 'system') return [...base, value(`${p}_AUTHENTICATION`, 'ActiveDirectoryMsi')];
      if (auth === 'user') {
        return [...base, value(`${p}_USER`, n.clientId), value(`${p}_AUTHENTICATION`, 'ActiveDirectoryMsi')];
      }
      return [
        ...base,
        value(`${p}_USER`, n.clientId),
        secret(`${p}_PASSWORD`),
        // Misspelled exactly as Service Connector writes it; the code never reads this value.
        value(`${p}_AUTHENTICATION`, 'ActiveDirectoryServerPrincipal'),
      ];
    }
    case 'nodejs': {
      const type =
        auth === 'sp' ? 'azure-active-directory-service-principal-secret' : 'azure-active-directory-default';
      return [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_AUTHENTICATIONTYPE`, type),
        ...identitySettings(p, auth, n),
      ];
    }
    case 'none': {
      const type =
        auth === 'sp' ? 'azure-active-directory-service-principal-secret' : 'azure-active-directory-default';
      const base = [
        value(`${p}_HOST`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
        value(`${p}_AUTHENTICATION`, type),
      ];
      if (auth === 'system') return base;
      if (auth === 'user') return [...base, value(`${p}_USERNAME`, n.clientId)];
      return [...base, value(`${p}_USERNAME`, n.clientId), secret(`${p}_PASSWORD`)];
    }
    case 'go':
    case 'php':
    case 'ruby': {
      const base = [
        value(`${p}_SERVER`, n.server),
        value(`${p}_PORT`, '1433'),
        value(`${p}_DATABASE`, n.database),
      ];
      return [...base, ...identitySettings(p, auth, n)];
    }
  }
}
