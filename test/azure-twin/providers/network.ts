/**
 * `Microsoft.Network` in the twin, read side only: virtual networks (get, list) with their subnets and
 * delegations, subnets (get, list), private endpoints (get, list) with their private link service
 * connections and `customDnsConfigs`, and the endpoints' network interfaces (get) holding the private
 * address. Everything is seeded (`seedVirtualNetwork`,
 * `seedPrivateEndpoint`); shapes follow fixtures/network/2024-05-01.
 *
 * A missing virtual network or private endpoint answers ARM's `ResourceNotFound`; a missing subnet of
 * an existing network answers the Network provider's own `NotFound` ("Resource <id> not found.").
 */
import { type ArmResource, AzureError, type Provider, type RouteSpec, type TwinRequest } from '../api.ts';
import { page } from '../framework/paging.ts';
import { stableGuid } from './database-common.ts';
import { notFound, requireApiVersion, resourceGroupId, type SeedHost, seedTarget } from './source-apps.ts';

/** Api-versions the Network routes accept: the current stable one the checks send and its neighbours. */
export const NETWORK_API_VERSIONS = [
  '2024-07-01',
  '2024-05-01',
  '2024-03-01',
  '2024-01-01',
  '2023-11-01',
  '2023-09-01',
  '2023-05-01',
] as const;

export const VNET_TYPE = 'Microsoft.Network/virtualNetworks';
export const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';
export const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';
export const NIC_TYPE = 'Microsoft.Network/networkInterfaces';

const GROUP = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers';
const VNET = `${GROUP}/${VNET_TYPE}/{virtualNetworkName}`;
const SUBNET = `${VNET}/subnets/{subnetName}`;
const PE = `${GROUP}/${PRIVATE_ENDPOINT_TYPE}/{privateEndpointName}`;
const NIC = `${GROUP}/${NIC_TYPE}/{networkInterfaceName}`;

function check(req: TwinRequest, type: string): void {
  requireApiVersion(req, NETWORK_API_VERSIONS, type);
}

const vnetId = (p: Record<string, string>) =>
  `${resourceGroupId(p)}/providers/${VNET_TYPE}/${p.virtualNetworkName}`;
const nicId = (p: Record<string, string>) =>
  `${resourceGroupId(p)}/providers/${NIC_TYPE}/${p.networkInterfaceName}`;
const endpointId = (p: Record<string, string>) =>
  `${resourceGroupId(p)}/providers/${PRIVATE_ENDPOINT_TYPE}/${p.privateEndpointName}`;

/** The virtual network id a subnet id belongs to (`.../virtualNetworks/{vnet}`), or null for anything else. */
export function virtualNetworkOfSubnet(subnetId: string): string | null {
  const match = /^(.*\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+)\/subnets\/[^/]+$/i.exec(
    subnetId,
  );
  return match ? match[1]! : null;
}

/**
 * A subnet as GET returns it: its stored body plus `privateEndpoints`, the endpoints whose NIC lives
 * in it (the Network provider computes that list; it is not written by anyone).
 */
function subnetView(host: { store: ArmStoreLike }, subnet: ArmResource): ArmResource {
  const subscription = subnet.id.split('/resourceGroups/')[0]!;
  const endpoints = host.store
    .listByScope(subscription, PRIVATE_ENDPOINT_TYPE)
    .filter(
      (pe) =>
        ((pe.properties?.subnet as { id?: string } | undefined)?.id ?? '').toLowerCase() ===
        subnet.id.toLowerCase(),
    )
    .map((pe) => ({ id: pe.id }));
  return {
    ...subnet,
    properties: { ...subnet.properties, ...(endpoints.length ? { privateEndpoints: endpoints } : {}) },
  };
}

interface ArmStoreLike {
  get(id: string): ArmResource | undefined;
  children(parentId: string, type: string): ArmResource[];
  listByScope(scope: string, type: string): ArmResource[];
}

/** A virtual network with its subnets embedded, as GET and list return it. */
function vnetView(host: { store: ArmStoreLike }, vnet: ArmResource): ArmResource {
  const subnets = host.store.children(vnet.id, SUBNET_TYPE).map((subnet) => subnetView(host, subnet));
  return { ...vnet, properties: { ...vnet.properties, subnets } };
}

function mustGetVnet(host: { store: ArmStoreLike }, params: Record<string, string>): ArmResource {
  const found = host.store.get(vnetId(params));
  if (!found) throw notFound(VNET_TYPE, params.virtualNetworkName!, params.resourceGroupName!);
  return found;
}

const read = (
  path: string,
  action: string,
  type: string,
  handler: RouteSpec['handler'],
  withGroup = true,
): RouteSpec => ({
  method: 'GET',
  path,
  audience: 'arm',
  action,
  ...(withGroup ? { parents: (p: Record<string, string>) => [resourceGroupId(p)] } : {}),
  handler(req, twin) {
    check(req, type);
    return handler(req, twin);
  },
});

const routes: RouteSpec[] = [
  read(VNET, 'Microsoft.Network/virtualNetworks/read', 'virtualNetworks', (req, twin) => ({
    status: 200,
    body: vnetView(twin, mustGetVnet(twin, req.params)),
  })),
  read(`${GROUP}/${VNET_TYPE}`, 'Microsoft.Network/virtualNetworks/read', 'virtualNetworks', (req, twin) => ({
    status: 200,
    body: page(
      req,
      twin.store.listByScope(resourceGroupId(req.params), VNET_TYPE).map((vnet) => vnetView(twin, vnet)),
    ),
  })),
  read(
    `/subscriptions/{subscriptionId}/providers/${VNET_TYPE}`,
    'Microsoft.Network/virtualNetworks/read',
    'virtualNetworks',
    (req, twin) => ({
      status: 200,
      body: page(
        req,
        twin.store
          .listByScope(`/subscriptions/${req.params.subscriptionId}`, VNET_TYPE)
          .map((vnet) => vnetView(twin, vnet)),
      ),
    }),
    false,
  ),
  read(SUBNET, 'Microsoft.Network/virtualNetworks/subnets/read', 'virtualNetworks/subnets', (req, twin) => {
    const vnet = mustGetVnet(twin, req.params);
    const id = `${vnet.id}/subnets/${req.params.subnetName}`;
    const subnet = twin.store.get(id);
    if (!subnet) throw new AzureError(404, 'NotFound', `Resource ${id} not found.`);
    return { status: 200, body: subnetView(twin, subnet) };
  }),
  read(
    `${VNET}/subnets`,
    'Microsoft.Network/virtualNetworks/subnets/read',
    'virtualNetworks/subnets',
    (req, twin) => {
      const vnet = mustGetVnet(twin, req.params);
      return {
        status: 200,
        body: page(
          req,
          twin.store.children(vnet.id, SUBNET_TYPE).map((subnet) => subnetView(twin, subnet)),
        ),
      };
    },
  ),
  read(PE, 'Microsoft.Network/privateEndpoints/read', 'privateEndpoints', (req, twin) => {
    const found = twin.store.get(endpointId(req.params));
    if (!found)
      throw notFound(PRIVATE_ENDPOINT_TYPE, req.params.privateEndpointName!, req.params.resourceGroupName!);
    return { status: 200, body: found };
  }),
  read(
    `${GROUP}/${PRIVATE_ENDPOINT_TYPE}`,
    'Microsoft.Network/privateEndpoints/read',
    'privateEndpoints',
    (req, twin) => ({
      status: 200,
      body: page(req, twin.store.listByScope(resourceGroupId(req.params), PRIVATE_ENDPOINT_TYPE)),
    }),
  ),
  read(NIC, 'Microsoft.Network/networkInterfaces/read', 'networkInterfaces', (req, twin) => {
    const found = twin.store.get(nicId(req.params));
    if (!found) throw notFound(NIC_TYPE, req.params.networkInterfaceName!, req.params.resourceGroupName!);
    return { status: 200, body: found };
  }),
];

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = { name: 'network', routes };

// ---------------------------------------------------------------------------------------------
// Seeds

export interface SubnetSeed {
  name: string;
  /** e.g. `10.0.1.0/24`. */
  addressPrefix: string;
  /** Service the subnet is delegated to, e.g. `Microsoft.DBforPostgreSQL/flexibleServers`. */
  delegation?: string;
}

export interface VirtualNetworkSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** Default `['10.0.0.0/16']`. */
  addressPrefixes?: string[];
  subnets?: SubnetSeed[];
}

/** Puts a virtual network and its subnets into the twin (GET shapes); returns the network's ARM id. */
export function seedVirtualNetwork(host: SeedHost, seed: VirtualNetworkSeed): string {
  const twin = seedTarget(host);
  const id = `/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroup}/providers/${VNET_TYPE}/${seed.name}`;
  twin.store.put({
    id,
    name: seed.name,
    type: VNET_TYPE,
    location: seed.location ?? 'eastus',
    etag: `W/"${stableGuid(id)}"`,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: stableGuid(`${id}#guid`),
      addressSpace: { addressPrefixes: seed.addressPrefixes ?? ['10.0.0.0/16'] },
      dhcpOptions: { dnsServers: [] },
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  });
  for (const subnet of seed.subnets ?? []) {
    const subnetId = `${id}/subnets/${subnet.name}`;
    twin.store.put({
      id: subnetId,
      name: subnet.name,
      type: SUBNET_TYPE,
      etag: `W/"${stableGuid(subnetId)}"`,
      properties: {
        provisioningState: 'Succeeded',
        addressPrefix: subnet.addressPrefix,
        delegations: subnet.delegation
          ? [
              {
                name: 'delegation',
                id: `${subnetId}/delegations/delegation`,
                type: `${SUBNET_TYPE}/delegations`,
                properties: {
                  provisioningState: 'Succeeded',
                  serviceName: subnet.delegation,
                  actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
                },
              },
            ]
          : [],
        privateEndpointNetworkPolicies: 'Disabled',
        privateLinkServiceNetworkPolicies: 'Enabled',
        purpose: '',
      },
    });
  }
  return id;
}

export interface PrivateEndpointSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** The subnet the endpoint's NIC lives in (seed it first with `seedVirtualNetwork`). */
  subnetId: string;
  /** The resource the endpoint connects to (a database server id). */
  targetId: string;
  /** `postgresqlServer`, `mysqlServer` or `sqlServer`. */
  groupId: string;
  /** The address the endpoint's NIC holds in the subnet, e.g. `10.0.4.4`. */
  privateIp: string;
  /** The target's FQDN, for `customDnsConfigs`. */
  fqdn: string;
  /**
   * Connection state, as the target server's private endpoint connection shows it too. Approved
   * connections are auto-approved ones (`privateLinkServiceConnections`); the others went through
   * manual approval (`manualPrivateLinkServiceConnections`), as Azure files them.
   */
  status?: 'Approved' | 'Pending' | 'Rejected' | 'Disconnected';
}

const STATE_TEXT: Record<string, string> = {
  Approved: 'Auto-Approved',
  Pending: 'Awaiting approval',
  Rejected: 'Rejected by the resource owner',
  Disconnected: 'Disconnected',
};

/** The `privateLinkServiceConnectionState` both sides of a connection show for `status`. */
export function connectionState(status: string): {
  status: string;
  description: string;
  actionsRequired: string;
} {
  return { status, description: STATE_TEXT[status] ?? status, actionsRequired: 'None' };
}

/** Puts a private endpoint (and the NIC id it names) into the twin in the GET shape; returns its ARM id. */
export function seedPrivateEndpoint(host: SeedHost, seed: PrivateEndpointSeed): string {
  const twin = seedTarget(host);
  const group = `/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroup}`;
  const id = `${group}/providers/${PRIVATE_ENDPOINT_TYPE}/${seed.name}`;
  const status = seed.status ?? 'Approved';
  const manual = status !== 'Approved';
  const connectionKind = manual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections';
  const connection = {
    id: `${id}/${connectionKind}/${seed.name}`,
    name: seed.name,
    type: `${PRIVATE_ENDPOINT_TYPE}/${connectionKind}`,
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceId: seed.targetId,
      groupIds: [seed.groupId],
      requestMessage: manual ? 'Please approve my connection.' : '',
      privateLinkServiceConnectionState: connectionState(status),
    },
  };
  const nic = `${group}/providers/${NIC_TYPE}/${seed.name}.nic.${stableGuid(id).slice(0, 8)}`;
  // The NIC Azure creates for the endpoint: the private address lives on its ipConfiguration.
  twin.store.put({
    id: nic,
    name: nic.split('/').pop()!,
    type: NIC_TYPE,
    location: seed.location ?? 'eastus',
    etag: `W/"${stableGuid(nic)}"`,
    properties: {
      provisioningState: 'Succeeded',
      ipConfigurations: [
        {
          name: `privateEndpointIpConfig.${stableGuid(nic)}`,
          id: `${nic}/ipConfigurations/privateEndpointIpConfig.${stableGuid(nic)}`,
          type: `${NIC_TYPE}/ipConfigurations`,
          properties: {
            provisioningState: 'Succeeded',
            privateIPAddress: seed.privateIp,
            privateIPAllocationMethod: 'Dynamic',
            subnet: { id: seed.subnetId },
            primary: true,
            privateIPAddressVersion: 'IPv4',
            privateLinkConnectionProperties: {
              groupId: seed.groupId,
              requiredMemberName: seed.groupId,
              fqdns: [seed.fqdn],
            },
          },
        },
      ],
      dnsSettings: {
        dnsServers: [],
        appliedDnsServers: [],
        internalDomainNameSuffix: 'twin.internal.cloudapp.net',
      },
      macAddress: '',
      enableAcceleratedNetworking: false,
      disableTcpStateTracking: false,
      enableIPForwarding: false,
      primary: true,
      privateEndpoint: { id },
      vnetEncryptionSupported: false,
      nicType: 'Standard',
    },
  });
  twin.store.put({
    id,
    name: seed.name,
    type: PRIVATE_ENDPOINT_TYPE,
    location: seed.location ?? 'eastus',
    etag: `W/"${stableGuid(id)}"`,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: stableGuid(`${id}#guid`),
      privateLinkServiceConnections: manual ? [] : [connection],
      manualPrivateLinkServiceConnections: manual ? [connection] : [],
      subnet: { id: seed.subnetId },
      networkInterfaces: [{ id: nic }],
      customDnsConfigs: [{ fqdn: seed.fqdn, ipAddresses: [seed.privateIp] }],
      applicationSecurityGroups: [],
      ipConfigurations: [],
      customNetworkInterfaceName: '',
      isIPv6EnabledPrivateEndpoint: false,
    },
  });
  return id;
}
