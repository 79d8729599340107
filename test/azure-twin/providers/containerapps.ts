/**
 * `Microsoft.App/containerApps` in the twin: get, list, and PATCH as a long-running operation (202 +
 * `Azure-AsyncOperation`, as ContainerApps_Patch.json shows) that can switch identities and replace
 * containers (their `env`). Shapes follow fixtures/app/2025-01-01 and 2026-07-01 (the version
 * @azure/arm-appcontainers 4 sends; it adds `runningStatus`). Secret values are never returned.
 */
import type { ArmResource, Provider, RouteSpec } from '../api.ts';
import { MANAGED_ENVIRONMENTS_API_VERSIONS, seedManagedEnvironment } from './managed-environments.ts';
import {
  applyIdentity,
  checkIdentityWrite,
  notFound,
  resourceGroupId,
  type SeedHost,
  seedIdentity,
  seedTarget,
  setIdentity,
  sourceApp,
  sourceAppReadRoutes,
  withoutSecretValues,
} from './source-apps.ts';

export const CONTAINER_APPS_API_VERSIONS = MANAGED_ENVIRONMENTS_API_VERSIONS;
const SPEC = {
  type: 'Microsoft.App/containerApps',
  nameParam: 'containerAppName',
  apiVersions: CONTAINER_APPS_API_VERSIONS,
  versionType: 'containerApps',
};
const TYPE = SPEC.type;
const { path: APP, id: appId, check } = sourceApp(SPEC);
const { get: getApp, listInGroup, listInSubscription } = sourceAppReadRoutes(SPEC, withoutSecretValues);

export interface ContainerSeed {
  name: string;
  image?: string;
  env?: { name: string; value: string }[];
}

/** The container app body a GET returns (keys of ContainerApps_Get.json that matter to a linker). */
export function containerAppBody(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  location: string,
  containers: ContainerSeed[],
): ArmResource {
  const environment = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.App/managedEnvironments/${name}-env`;
  const fqdn = `${name}.twin-env.${location.toLowerCase().replace(/\s+/g, '')}.azurecontainerapps.io`;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${TYPE}/${name}`,
    name,
    type: TYPE,
    location,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      runningStatus: 'Running',
      managedEnvironmentId: environment,
      environmentId: environment,
      workloadProfileName: 'Consumption',
      latestRevisionFqdn: `${name}--rev1.twin-env.azurecontainerapps.io`,
      latestReadyRevisionName: `${name}--rev1`,
      // TEST-NET-3: looks public, never routable.
      outboundIpAddresses: ['203.0.113.20'],
      configuration: {
        activeRevisionsMode: 'Single',
        ingress: {
          fqdn,
          external: true,
          targetPort: 8080,
          transport: 'auto',
          traffic: [{ weight: 100, latestRevision: true }],
        },
        secrets: [],
        maxInactiveRevisions: 100,
      },
      template: {
        containers: containers.map((container) => ({
          image: container.image ?? 'mcr.microsoft.com/k8se/quickstart:latest',
          name: container.name,
          env: container.env ?? [],
          resources: { cpu: 0.5, memory: '1Gi' },
        })),
        // The scale rule defaults (Learn "Set scaling rules in Azure Container Apps": 300 s, 30 s).
        scale: { minReplicas: 0, maxReplicas: 10, cooldownPeriod: 300, pollingInterval: 30, rules: [] },
      },
      eventStreamEndpoint: `https://${location.toLowerCase().replace(/\s+/g, '')}.twin.azurecontainerapps.dev/eventstream`,
    },
  };
}

function applyPatch(app: ArmResource, body: Record<string, any>): ArmResource {
  const props = structuredClone(app.properties ?? {}) as Record<string, any>;
  const patch = (body.properties ?? {}) as Record<string, any>;
  if (patch.configuration) {
    const { secrets, ...rest } = patch.configuration as Record<string, unknown>;
    props.configuration = { ...props.configuration, ...rest };
    // A PATCH without secret values keeps the stored values (GET never returns them).
    if (Array.isArray(secrets)) props.configuration.secrets = secrets;
  }
  if (patch.template) props.template = { ...props.template, ...patch.template };
  return { ...app, tags: body.tags ?? app.tags, properties: props };
}

const patchApp: RouteSpec = {
  method: 'PATCH',
  path: APP,
  audience: 'arm',
  action: 'Microsoft.App/containerApps/write',
  parents: (p) => [resourceGroupId(p)],
  handler(req, twin) {
    check(req);
    const id = appId(req.params);
    if (!twin.store.get(id))
      throw notFound(TYPE, req.params.containerAppName!, req.params.resourceGroupName!);
    const body = (req.body ?? {}) as Record<string, any>;
    checkIdentityWrite(req, twin.world, 'Microsoft.App/containerApps/write', id, body.identity, 'compact');
    return twin.startLro(req, {
      style: 'azure-async-operation',
      initialStatus: 202,
      resourceId: id,
      work: () => {
        const current = twin.store.get(id);
        if (!current) return;
        const next = applyPatch(current, body);
        const identity = applyIdentity(twin, id, current.name, current.identity, body.identity, 'compact');
        setIdentity(next, identity);
        twin.store.put(next);
      },
    });
  },
};

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'containerapps',
  routes: [getApp, patchApp, listInGroup, listInSubscription],
};

export interface ContainerAppSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** Default: one container named like the app. */
  containers?: ContainerSeed[];
  systemIdentity?: boolean;
  userIdentities?: string[];
  /**
   * The app's environment (`<name>-env`, seeded too unless it exists): its infrastructure subnet for
   * VNet integration, and whether it is internal.
   */
  environment?: { infrastructureSubnetId?: string; internal?: boolean };
}

/** Puts a container app (and its environment) into the twin exactly as GET returns it; returns the stored app. */
export function seedContainerApp(host: SeedHost, seed: ContainerAppSeed): ArmResource {
  const twin = seedTarget(host);
  const app = containerAppBody(
    seed.subscriptionId,
    seed.resourceGroup,
    seed.name,
    seed.location ?? 'eastus',
    seed.containers ?? [{ name: seed.name }],
  );
  const identity = seedIdentity(twin, app.id, app.name, seed.systemIdentity, seed.userIdentities, 'compact');
  if (identity) app.identity = identity;
  const environmentId = app.properties!.managedEnvironmentId as string;
  if (seed.environment || !twin.store.get(environmentId)) {
    seedManagedEnvironment(twin, {
      subscriptionId: seed.subscriptionId,
      resourceGroup: seed.resourceGroup,
      name: environmentId.split('/').pop()!,
      location: seed.location,
      ...seed.environment,
    });
  }
  return twin.store.put(app);
}
