/**
 * `Microsoft.AppPlatform/Spring/{service}/apps/{app}` in the twin: get, PUT and PATCH with identity
 * (long-running), the list of its deployments (the active one marked `properties.active`), and GET
 * and PATCH of a deployment (where the app's environment variables live, which Service Connector
 * writes). Shapes follow fixtures/appplatform/2023-12-01.
 */
import type { ArmResource, Provider, RouteSpec, TwinRequest } from '../api.ts';
import {
  applyIdentity,
  checkIdentityWrite,
  listBody,
  notFound,
  requireApiVersion,
  resourceGroupId,
  type SeedHost,
  seedIdentity,
  seedTarget,
  setIdentity,
} from './source-apps.ts';

export const SPRING_API_VERSIONS = [
  '2024-05-01-preview',
  '2024-01-01-preview',
  '2023-12-01',
  '2023-09-01-preview',
  '2022-12-01',
] as const;
const SERVICE_TYPE = 'Microsoft.AppPlatform/Spring';
const APP_TYPE = 'Microsoft.AppPlatform/Spring/apps';
const DEPLOYMENT_TYPE = 'Microsoft.AppPlatform/Spring/apps/deployments';
const SERVICE =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.AppPlatform/Spring/{serviceName}';
const APP = `${SERVICE}/apps/{appName}`;

function serviceId(params: Record<string, string>): string {
  return `${resourceGroupId(params)}/providers/${SERVICE_TYPE}/${params.serviceName}`;
}

function appId(params: Record<string, string>): string {
  return `${serviceId(params)}/apps/${params.appName}`;
}

function check(req: TwinRequest): void {
  requireApiVersion(req, SPRING_API_VERSIONS, 'Spring/apps');
}

/** Display name Azure gives a Spring app's system identity. */
function identityName(app: ArmResource): string {
  const service = app.id.split('/')[8] ?? '';
  return `${service}/apps/${app.name}`;
}

function systemData(who: string, now: string): Record<string, string> {
  return {
    createdBy: who,
    createdByType: 'User',
    createdAt: now,
    lastModifiedBy: who,
    lastModifiedByType: 'User',
    lastModifiedAt: now,
  };
}

/**
 * The app body a GET returns (keys of Apps_Get.json). No `activeDeploymentName`: 2023-12-01's app has
 * none (old previews had it); the active deployment says so itself (`properties.active`).
 */
export function springAppBody(
  serviceIdValue: string,
  name: string,
  location: string,
  now: string,
): ArmResource {
  const service = serviceIdValue.split('/').pop() ?? '';
  return {
    id: `${serviceIdValue}/apps/${name}`,
    name,
    type: APP_TYPE,
    location,
    systemData: systemData('twin-seed', now),
    properties: {
      public: false,
      url: `${name}.${service}.azuremicroservices.io`,
      provisioningState: 'Succeeded',
      fqdn: `${service}.azuremicroservices.io`,
      httpsOnly: false,
      enableEndToEndTLS: false,
      temporaryDisk: { sizeInGB: 5, mountPath: '/tmp' },
      persistentDisk: { sizeInGB: 0, usedInGB: 0, mountPath: '/persistent' },
      loadedCertificates: [],
      customPersistentDisks: [],
    },
  };
}

/** A deployment as Deployments_List.json lists it; `active` marks the one serving production traffic. */
function deploymentBody(
  appIdValue: string,
  name: string,
  env: Record<string, string>,
  active = true,
): ArmResource {
  return {
    id: `${appIdValue}/deployments/${name}`,
    name,
    type: DEPLOYMENT_TYPE,
    sku: { name: 'S0', tier: 'Standard', capacity: 1 },
    properties: {
      source: { type: 'Jar', relativePath: '<default>', runtimeVersion: 'Java_17' },
      deploymentSettings: { resourceRequests: { cpu: '1', memory: '2Gi' }, environmentVariables: env },
      provisioningState: 'Succeeded',
      status: 'Running',
      active,
      instances: [],
    },
  };
}

const getApp: RouteSpec = {
  method: 'GET',
  path: APP,
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/apps/read',
  parents: (p) => [resourceGroupId(p), serviceId(p)],
  handler(req, twin) {
    check(req);
    const app = twin.store.get(appId(req.params));
    if (!app)
      throw notFound(
        APP_TYPE,
        `${req.params.serviceName}/apps/${req.params.appName}`,
        req.params.resourceGroupName!,
      );
    return { status: 200, body: app };
  },
};

function writeApp(method: 'PUT' | 'PATCH'): RouteSpec {
  return {
    method,
    path: APP,
    audience: 'arm',
    action: 'Microsoft.AppPlatform/Spring/apps/write',
    parents: (p) => [resourceGroupId(p), serviceId(p)],
    handler(req, twin) {
      check(req);
      const id = appId(req.params);
      const existing = twin.store.get(id);
      if (!existing && method === 'PATCH')
        throw notFound(
          APP_TYPE,
          `${req.params.serviceName}/apps/${req.params.appName}`,
          req.params.resourceGroupName!,
        );
      const body = (req.body ?? {}) as Record<string, any>;
      const service = twin.store.get(serviceId(req.params));
      const base =
        existing ??
        springAppBody(
          serviceId(req.params),
          req.params.appName!,
          service?.location ?? 'eastus',
          twin.nowIso(),
        );
      checkIdentityWrite(
        req,
        twin.world,
        'Microsoft.AppPlatform/Spring/apps/write',
        id,
        body.identity,
        'compact',
      );
      const who = req.caller.userPrincipalName ?? req.caller.appId ?? req.caller.objectId;
      const apply = () => {
        const current = twin.store.get(id) ?? base;
        const identity = applyIdentity(
          twin,
          id,
          identityName(current),
          current.identity,
          body.identity,
          'compact',
        );
        const next: ArmResource = {
          ...current,
          properties: { ...current.properties, ...(body.properties ?? {}), provisioningState: 'Succeeded' },
          systemData: {
            ...(current.systemData ?? systemData(who, twin.nowIso())),
            lastModifiedBy: who,
            lastModifiedAt: twin.nowIso(),
          },
        };
        setIdentity(next, identity);
        twin.store.put(next);
        if (!existing) twin.store.put(deploymentBody(id, 'default', {}));
      };
      if (method === 'PATCH') {
        return twin.startLro(req, { style: 'location', initialStatus: 202, resourceId: id, work: apply });
      }
      return twin.startLro(req, {
        style: 'azure-async-operation',
        initialStatus: existing ? 200 : 201,
        initialBody: {
          ...base,
          properties: { ...base.properties, provisioningState: existing ? 'Updating' : 'Creating' },
        },
        resourceId: id,
        work: apply,
      });
    },
  };
}

const getDeployment: RouteSpec = {
  method: 'GET',
  path: `${APP}/deployments/{deploymentName}`,
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/apps/deployments/read',
  parents: (p) => [resourceGroupId(p), serviceId(p), appId(p)],
  handler(req, twin) {
    check(req);
    const deployment = twin.store.get(`${appId(req.params)}/deployments/${req.params.deploymentName}`);
    if (!deployment)
      throw notFound(DEPLOYMENT_TYPE, req.params.deploymentName!, req.params.resourceGroupName!);
    return { status: 200, body: deployment };
  },
};

/**
 * Deployments_List (fixtures/appplatform/2023-12-01/Deployments_List.json): the app's deployments in
 * one page, each with `properties.active` (how `az spring` finds the active one). The list's parent
 * is the app: a missing app or service is a 404 `ParentResourceNotFound`, as for one deployment.
 */
const listDeployments: RouteSpec = {
  method: 'GET',
  path: `${APP}/deployments`,
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/apps/deployments/read',
  parents: (p) => [resourceGroupId(p), serviceId(p), appId(p)],
  handler(req, twin) {
    check(req);
    return { status: 200, body: listBody(twin.store.listByScope(appId(req.params), DEPLOYMENT_TYPE)) };
  },
};

/**
 * Deployments_Update (fixtures/appplatform/2023-12-01/Deployments_Update.json): 202 with
 * `Azure-AsyncOperation` and `Location`, the deployment `Updating` until the operation ends. The
 * twin merges `deploymentSettings` and takes `environmentVariables` whole, as `az spring app update
 * --env` sends them (what Azure does with a partial map is not documented).
 */
const patchDeployment: RouteSpec = {
  method: 'PATCH',
  path: `${APP}/deployments/{deploymentName}`,
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/apps/deployments/write',
  parents: (p) => [resourceGroupId(p), serviceId(p), appId(p)],
  handler(req, twin) {
    check(req);
    const id = `${appId(req.params)}/deployments/${req.params.deploymentName}`;
    const current = twin.store.get(id);
    if (!current) throw notFound(DEPLOYMENT_TYPE, req.params.deploymentName!, req.params.resourceGroupName!);
    const patch = ((req.body ?? {}) as { properties?: Record<string, any> }).properties ?? {};
    const merged = (base: ArmResource, state: string): ArmResource => {
      const props = structuredClone(base.properties ?? {}) as Record<string, any>;
      const { deploymentSettings, ...rest } = patch;
      Object.assign(props, rest);
      if (deploymentSettings)
        props.deploymentSettings = { ...(props.deploymentSettings ?? {}), ...deploymentSettings };
      return { ...base, properties: { ...props, provisioningState: state } };
    };
    return twin.startLro(req, {
      style: 'azure-async-operation',
      initialStatus: 202,
      initialBody: merged(current, 'Updating'),
      resourceId: id,
      work: () => {
        twin.store.put(merged(twin.store.get(id) ?? current, 'Succeeded'));
      },
    });
  },
};

/** Services_ListBySubscription: every Spring service of the subscription (one page, as the twin holds few). */
const listServicesInSubscription: RouteSpec = {
  method: 'GET',
  path: '/subscriptions/{subscriptionId}/providers/Microsoft.AppPlatform/Spring',
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/read',
  handler(req, twin) {
    requireApiVersion(req, SPRING_API_VERSIONS, 'Spring');
    return {
      status: 200,
      body: listBody(twin.store.listByScope(`/subscriptions/${req.params.subscriptionId}`, SERVICE_TYPE)),
    };
  },
};

/** Apps_List: the apps of one Spring service; a service that does not exist is a 404 like Azure's. */
const listApps: RouteSpec = {
  method: 'GET',
  path: `${SERVICE}/apps`,
  audience: 'arm',
  action: 'Microsoft.AppPlatform/Spring/apps/read',
  parents: (p) => [resourceGroupId(p)],
  handler(req, twin) {
    check(req);
    if (!twin.store.get(serviceId(req.params)))
      throw notFound(SERVICE_TYPE, req.params.serviceName!, req.params.resourceGroupName!);
    return { status: 200, body: listBody(twin.store.listByScope(serviceId(req.params), APP_TYPE)) };
  },
};

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'spring',
  routes: [
    getApp,
    writeApp('PUT'),
    writeApp('PATCH'),
    listDeployments,
    getDeployment,
    patchDeployment,
    listServicesInSubscription,
    listApps,
  ],
};

export interface SpringAppSeed {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  name: string;
  location?: string;
  systemIdentity?: boolean;
  userIdentities?: string[];
  /** Environment variables of the active deployment. */
  env?: Record<string, string>;
  /** Name of the active deployment (`default` unless given). */
  deployment?: string;
  /** Inactive deployments (a blue-green staging one), by name, with their environment variables. */
  inactive?: Record<string, Record<string, string>>;
}

/** Puts a Spring service (if absent), app and active deployment into the twin; returns the stored app. */
export function seedSpringApp(host: SeedHost, seed: SpringAppSeed): ArmResource {
  const twin = seedTarget(host);
  const location = seed.location ?? 'eastus';
  const service = `/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroup}/providers/${SERVICE_TYPE}/${seed.serviceName}`;
  if (!twin.store.get(service)) {
    twin.store.put({
      id: service,
      name: seed.serviceName,
      type: SERVICE_TYPE,
      location,
      sku: { name: 'S0', tier: 'Standard' },
      properties: { provisioningState: 'Succeeded', serviceId: '0'.repeat(32) },
    });
  }
  const app = springAppBody(service, seed.name, location, new Date().toISOString());
  const identity = seedIdentity(
    twin,
    app.id,
    `${seed.serviceName}/apps/${seed.name}`,
    seed.systemIdentity,
    seed.userIdentities,
    'compact',
  );
  if (identity) app.identity = identity;
  const stored = twin.store.put(app);
  for (const [name, env] of Object.entries(seed.inactive ?? {}))
    twin.store.put(deploymentBody(app.id, name, { ...env }, false));
  twin.store.put(deploymentBody(app.id, seed.deployment ?? 'default', { ...seed.env }));
  return stored;
}
