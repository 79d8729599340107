/**
 * `Microsoft.App/managedEnvironments` in the twin, read side only: the Container Apps environment a
 * container app's `managedEnvironmentId` names, with its network (`vnetConfiguration`). Seeded through
 * `seedManagedEnvironment` (and by `seedContainerApp` for the app's own environment). Shapes follow
 * fixtures/app/{2025-01-01,2026-07-01}/ManagedEnvironments_Get.json (2026-07-01 is what
 * @azure/arm-appcontainers 4 sends; its `ingressConfiguration` is not modelled).
 */
import type { ArmResource, Provider } from '../api.ts';
import { stableGuid } from './database-common.ts';
import { type SeedHost, seedTarget, sourceAppReadRoutes } from './source-apps.ts';

export const MANAGED_ENVIRONMENT_TYPE = 'Microsoft.App/managedEnvironments';

/**
 * The Microsoft.App api-versions (the same list the container app routes accept): 2026-07-01, the one
 * @azure/arm-appcontainers 4 sends, and the older ones Azure still serves (a journal of an earlier
 * sc-doctor, az, the tests' plain REST).
 */
export const MANAGED_ENVIRONMENTS_API_VERSIONS = [
  '2026-07-01',
  '2025-07-01',
  '2025-02-02-preview',
  '2025-01-01',
  '2024-10-02-preview',
  '2024-03-01',
  '2023-05-01',
] as const;

const SPEC = {
  type: MANAGED_ENVIRONMENT_TYPE,
  nameParam: 'environmentName',
  apiVersions: MANAGED_ENVIRONMENTS_API_VERSIONS,
  versionType: 'managedEnvironments',
};
const { get, listInGroup, listInSubscription } = sourceAppReadRoutes(SPEC);

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'managed-environments',
  routes: [get, listInGroup, listInSubscription],
};

export interface ManagedEnvironmentSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** VNet integration: the infrastructure subnet (delegated to `Microsoft.App/environments`). */
  infrastructureSubnetId?: string;
  /** An internal environment has no public ingress IP (only with a subnet). */
  internal?: boolean;
}

/** The ARM id of a managed environment. */
export function managedEnvironmentId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${MANAGED_ENVIRONMENT_TYPE}/${name}`;
}

/** Puts a Container Apps environment into the twin in the GET shape; returns the stored environment. */
export function seedManagedEnvironment(host: SeedHost, seed: ManagedEnvironmentSeed): ArmResource {
  const twin = seedTarget(host);
  const id = managedEnvironmentId(seed.subscriptionId, seed.resourceGroup, seed.name);
  const location = seed.location ?? 'eastus';
  const region = location.toLowerCase().replace(/\s+/g, '');
  const internal = Boolean(seed.infrastructureSubnetId && seed.internal);
  return twin.store.put({
    id,
    name: seed.name,
    type: MANAGED_ENVIRONMENT_TYPE,
    location,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      deploymentErrors: null,
      defaultDomain: `${seed.name}.${stableGuid(id).slice(0, 8)}.${region}.azurecontainerapps.io`,
      // Internal environments get their ingress address from the subnet; others a public one
      // (TEST-NET-3: looks public, never routable).
      staticIp: internal ? '10.0.8.100' : '203.0.113.30',
      zoneRedundant: false,
      vnetConfiguration: seed.infrastructureSubnetId
        ? { internal, infrastructureSubnetId: seed.infrastructureSubnetId }
        : { internal: false },
      customDomainConfiguration: {
        customDomainVerificationId: stableGuid(`${id}#domain`).replace(/-/g, ''),
        dnsSuffix: '',
        subjectName: '',
        expirationDate: '',
        thumbprint: '',
      },
      eventStreamEndpoint: `https://${region}.twin.azurecontainerapps.dev/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroup}/managedEnvironments/${seed.name}/eventstream`,
      workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
      kedaConfiguration: { version: '2.16.1' },
      daprConfiguration: { version: '1.13.6-msft.4' },
      infrastructureResourceGroup: `ME_${seed.name}_${seed.resourceGroup}_${region}`,
      peerAuthentication: { mtls: { enabled: false } },
      peerTrafficConfiguration: { encryption: { enabled: false } },
    },
  });
}
