/** The custom cloud `AzureTwin` as `az cloud show` prints it (all keys real az prints). */
import { ARM_AUDIENCE, AUTHORITY, OSSRDBMS_AUDIENCE } from './audiences.ts';

export interface CloudJson {
  endpoints: Record<string, string | null>;
  isActive: boolean;
  name: string;
  profile: string;
  suffixes: Record<string, string | null>;
}

export function cloudJson(baseUrl: string, graphUrl: string): CloudJson {
  return {
    endpoints: {
      activeDirectory: AUTHORITY,
      activeDirectoryDataLakeResourceId: null,
      activeDirectoryGraphResourceId: null,
      activeDirectoryResourceId: ARM_AUDIENCE,
      appInsightsResourceId: null,
      appInsightsTelemetryChannelResourceId: null,
      attestationResourceId: null,
      azmirrorStorageAccountResourceId: null,
      batchResourceId: null,
      gallery: null,
      logAnalyticsResourceId: null,
      management: ARM_AUDIENCE,
      mediaResourceId: null,
      microsoftGraphResourceId: `${graphUrl}/`,
      ossrdbmsResourceId: OSSRDBMS_AUDIENCE,
      portal: null,
      resourceManager: `${baseUrl}/`,
      sqlManagement: null,
      synapseAnalyticsResourceId: null,
      vmImageAliasDoc: null,
    },
    isActive: true,
    name: 'AzureTwin',
    profile: 'latest',
    suffixes: {
      acrLoginServerEndpoint: null,
      attestationEndpoint: null,
      azureDatalakeAnalyticsCatalogAndJobEndpoint: null,
      azureDatalakeStoreFileSystemEndpoint: null,
      keyvaultDns: null,
      mariadbServerEndpoint: null,
      mhsmDns: null,
      mysqlServerEndpoint: '.mysql.twin.test',
      postgresqlServerEndpoint: '.postgres.twin.test',
      sqlServerHostname: '.database.twin.test',
      storageEndpoint: null,
      storageSyncEndpoint: null,
      synapseAnalyticsEndpoint: null,
    },
  };
}
