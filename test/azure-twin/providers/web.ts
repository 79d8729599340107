/**
 * `Microsoft.Web/sites` in the twin: sites (get, list, PUT/PATCH with identity), app settings and
 * connection strings. Shapes follow fixtures/web/2025-05-01 (the api-version @azure/arm-appservice 19
 * sends). PUT answers 200 synchronously, as App Service does for an existing site.
 */
import type { ArmResource, Provider, RouteSpec } from '../api.ts';
import { invalidRequestContent, WebRpError } from '../framework/errors.ts';
import {
  applyIdentity,
  appSettingsId,
  checkIdentityWrite,
  connectionStringsId,
  notFound,
  resourceGroupId,
  type SeedHost,
  seedIdentity,
  seedTarget,
  setIdentity,
  sourceApp,
  sourceAppReadRoutes,
} from './source-apps.ts';

/** Api-versions the Web routes accept: what arm-appservice 19 sends, and the two before it. */
export const WEB_API_VERSIONS = [
  '2025-05-01',
  '2024-11-01',
  '2024-04-01',
  '2023-12-01',
  '2023-01-01',
  '2022-09-01',
] as const;
const SPEC = {
  type: 'Microsoft.Web/sites',
  nameParam: 'name',
  apiVersions: WEB_API_VERSIONS,
  versionType: 'sites',
};
const TYPE = SPEC.type;
const { path: SITE, id: siteId, check } = sourceApp(SPEC);
const { get: getSite, listInGroup, listInSubscription } = sourceAppReadRoutes(SPEC);

/** The site body a GET returns, with the properties of GetWebApp.json. */
export function siteBody(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  location: string,
  now: string,
): ArmResource {
  const host = `${name}.azurewebsites.net`;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${TYPE}/${name}`,
    name,
    type: TYPE,
    kind: 'app,linux',
    location,
    tags: {},
    properties: {
      state: 'Running',
      hostNames: [host],
      repositorySiteName: name,
      usageState: 'Normal',
      enabled: true,
      enabledHostNames: [host, `${name}.scm.azurewebsites.net`],
      availabilityState: 'Normal',
      hostNameSslStates: [
        { name: host, sslState: 'Disabled', hostType: 'Standard' },
        { name: `${name}.scm.azurewebsites.net`, sslState: 'Disabled', hostType: 'Repository' },
      ],
      serverFarmId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Web/serverfarms/${name}-plan`,
      // Regional VNet integration: the subnet outbound traffic leaves from (null when not integrated).
      virtualNetworkSubnetId: null,
      reserved: true,
      isXenon: false,
      hyperV: false,
      lastModifiedTimeUtc: now,
      outboundVnetRouting: {
        allTraffic: false,
        applicationTraffic: false,
        contentShareTraffic: false,
        imagePullTraffic: false,
        backupRestoreTraffic: false,
      },
      siteConfig: {
        numberOfWorkers: 1,
        defaultDocuments: ['index.html'],
        netFrameworkVersion: 'v4.0',
        phpVersion: '',
        pythonVersion: '',
        nodeVersion: '',
        powerShellVersion: '',
        linuxFxVersion: 'PYTHON|3.12',
        requestTracingEnabled: false,
        remoteDebuggingEnabled: false,
        httpLoggingEnabled: false,
        acrUseManagedIdentityCreds: false,
        logsDirectorySizeLimit: 35,
        detailedErrorLoggingEnabled: false,
        use32BitWorkerProcess: true,
        webSocketsEnabled: false,
        alwaysOn: false,
        appCommandLine: '',
        managedPipelineMode: 'Integrated',
        virtualApplications: [{ virtualPath: '/', physicalPath: 'site\\wwwroot', preloadEnabled: false }],
        loadBalancing: 'LeastRequests',
        autoHealEnabled: false,
        vnetName: '',
        vnetRouteAllEnabled: false,
        vnetPrivatePortsCount: 0,
        http20Enabled: false,
        minTlsVersion: '1.2',
        scmMinTlsVersion: '1.2',
        ftpsState: 'FtpsOnly',
        functionAppScaleLimit: 0,
        functionsRuntimeScaleMonitoringEnabled: false,
        minimumElasticInstanceCount: 0,
        azureStorageAccounts: {},
      },
      scmSiteAlsoStopped: false,
      clientAffinityEnabled: false,
      clientCertEnabled: false,
      clientCertMode: 'Required',
      hostNamesDisabled: false,
      customDomainVerificationId: '0'.repeat(64),
      // TEST-NET-3 addresses: they look public but can never be routed.
      outboundIpAddresses: '203.0.113.10,203.0.113.11',
      possibleOutboundIpAddresses: '203.0.113.10,203.0.113.11,203.0.113.12,203.0.113.13',
      containerSize: 0,
      dailyMemoryTimeQuota: 0,
      resourceGroup,
      defaultHostName: host,
      httpsOnly: true,
      redundancyMode: 'None',
      storageAccountRequired: false,
      keyVaultReferenceIdentity: 'SystemAssigned',
      workloadProfileName: '',
      resourceConfig: { cpu: 1.0, memory: '1.75Gi' },
      sku: 'Basic',
    },
  };
}

function mergeProperties(
  current: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === undefined || value === null) continue;
    // Read-only and computed fields stay as the service computed them.
    if (
      [
        'state',
        'hostNames',
        'defaultHostName',
        'resourceGroup',
        'outboundIpAddresses',
        'possibleOutboundIpAddresses',
      ].includes(key)
    )
      continue;
    out[key] =
      key === 'siteConfig' && typeof value === 'object'
        ? { ...(current.siteConfig as object), ...(value as object) }
        : value;
  }
  return out;
}

function writeSite(method: 'PUT' | 'PATCH'): RouteSpec {
  return {
    method,
    path: SITE,
    audience: 'arm',
    action: 'Microsoft.Web/sites/write',
    parents: (p) => [resourceGroupId(p)],
    handler(req, twin) {
      check(req);
      const id = siteId(req.params);
      const body = (req.body ?? {}) as Record<string, any>;
      let site = twin.store.get(id);
      if (!site) {
        if (method === 'PATCH') throw notFound(TYPE, req.params.name!, req.params.resourceGroupName!);
        const group = twin.world.resourceGroups.find(
          (rg) =>
            rg.subscriptionId === req.params.subscriptionId &&
            rg.name.toLowerCase() === req.params.resourceGroupName!.toLowerCase(),
        );
        site = siteBody(
          req.params.subscriptionId!,
          req.params.resourceGroupName!,
          req.params.name!,
          body.location ?? group?.location ?? 'eastus',
          twin.nowIso(),
        );
      }
      checkIdentityWrite(req, twin.world, 'Microsoft.Web/sites/write', site.id, body.identity, 'web');
      const identity = applyIdentity(twin, site.id, site.name, site.identity, body.identity, 'web');
      const next: ArmResource = {
        ...site,
        tags: body.tags ?? site.tags,
        properties: {
          ...mergeProperties(site.properties ?? {}, body.properties),
          lastModifiedTimeUtc: twin.nowIso(),
        },
      };
      setIdentity(next, identity);
      return { status: 200, body: twin.store.put(next) };
    },
  };
}

/**
 * App settings are a string-to-string dictionary in the spec (`StringDictionary`). What the Web RP
 * answers to other values is not documented (SDK serializers refuse before sending; template reports
 * conflict): the twin refuses them as a body that does not deserialize, 400 `InvalidRequestContent`
 * naming the setting, and since it is Web that reads the body, in Web's own PascalCase envelope.
 */
function requireStringSettings(properties: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') {
      const { message } = invalidRequestContent(
        `Error converting value ${JSON.stringify(value)} to type 'System.String'. Path 'properties.${key}'.`,
      );
      throw new WebRpError(400, 'InvalidRequestContent', message);
    }
  }
}

/** `config/appsettings` and `config/connectionstrings`: POST .../list reads, PUT replaces. */
function configRoutes(name: 'appsettings' | 'connectionstrings'): RouteSpec[] {
  const docId = (params: Record<string, string>) =>
    name === 'appsettings' ? appSettingsId(siteId(params)) : connectionStringsId(siteId(params));
  const empty = (params: Record<string, string>): ArmResource => ({
    id: docId(params),
    name,
    type: 'Microsoft.Web/sites/config',
    kind: 'app',
    properties: {},
  });
  return [
    {
      method: 'POST',
      path: `${SITE}/config/${name}/list`,
      audience: 'arm',
      action: 'Microsoft.Web/sites/config/list/action',
      parents: (p) => [resourceGroupId(p), siteId(p)],
      handler(req, twin) {
        check(req);
        return { status: 200, body: twin.store.get(docId(req.params)) ?? empty(req.params) };
      },
    },
    {
      method: 'PUT',
      path: `${SITE}/config/${name}`,
      audience: 'arm',
      action: 'Microsoft.Web/sites/config/write',
      parents: (p) => [resourceGroupId(p), siteId(p)],
      handler(req, twin) {
        check(req);
        const properties = (req.body?.properties ?? {}) as Record<string, unknown>;
        if (name === 'appsettings') requireStringSettings(properties);
        return { status: 200, body: twin.store.put({ ...empty(req.params), properties }) };
      },
    },
  ];
}

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'web',
  routes: [
    getSite,
    writeSite('PUT'),
    writeSite('PATCH'),
    listInGroup,
    listInSubscription,
    ...configRoutes('appsettings'),
    ...configRoutes('connectionstrings'),
  ],
};

export interface WebAppSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** Switch the system-assigned identity on (registers its principal). */
  systemIdentity?: boolean;
  /** ARM ids of user-assigned identities to attach (seed them first with `seedUserAssignedIdentity`). */
  userIdentities?: string[];
  appSettings?: Record<string, string>;
  connectionStrings?: Record<string, { value: string; type: string }>;
  /** Regional VNet integration: a subnet delegated to `Microsoft.Web/serverFarms`. */
  virtualNetworkSubnetId?: string;
}

/** Puts a web app into the twin exactly as GET returns it; returns the stored site. */
export function seedWebApp(host: SeedHost, seed: WebAppSeed): ArmResource {
  const twin = seedTarget(host);
  const site = siteBody(
    seed.subscriptionId,
    seed.resourceGroup,
    seed.name,
    seed.location ?? 'eastus',
    new Date().toISOString(),
  );
  const identity = seedIdentity(twin, site.id, site.name, seed.systemIdentity, seed.userIdentities, 'web');
  if (identity) site.identity = identity;
  if (seed.virtualNetworkSubnetId) {
    site.properties!.virtualNetworkSubnetId = seed.virtualNetworkSubnetId;
    // The portal and az route all outbound traffic through the integration by default.
    site.properties!.outboundVnetRouting = {
      ...(site.properties!.outboundVnetRouting as object),
      allTraffic: true,
    };
  }
  const stored = twin.store.put(site);
  twin.store.put({
    id: appSettingsId(site.id),
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    kind: 'app',
    properties: { ...seed.appSettings },
  });
  if (seed.connectionStrings) {
    twin.store.put({
      id: connectionStringsId(site.id),
      name: 'connectionstrings',
      type: 'Microsoft.Web/sites/config',
      kind: 'app',
      properties: { ...seed.connectionStrings },
    });
  }
  return stored;
}
