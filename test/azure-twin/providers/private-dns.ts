/**
 * `Microsoft.Network/privateDnsZones` in the twin, read side only: zones (get, list in a group), their
 * A record sets (`/A/{name}` get and list) and virtual network links (get, list). Everything is seeded
 * (`seedPrivateDnsZone`); shapes follow fixtures/privatedns/2024-06-01.
 *
 * Zones and links are tracked resources, so a missing one answers ARM's `ResourceNotFound`; a missing
 * record set of an existing zone answers the DNS provider's `NotFound`; anything under a missing zone
 * answers `ParentResourceNotFound`.
 */
import { type ArmResource, AzureError, type Provider, type RouteSpec, type TwinRequest } from '../api.ts';
import { page } from '../framework/paging.ts';
import { stableGuid } from './database-common.ts';
import { notFound, requireApiVersion, resourceGroupId, type SeedHost, seedTarget } from './source-apps.ts';

/** Api-versions the private DNS routes accept (2024-06-01 is the newest stable). */
export const PRIVATE_DNS_API_VERSIONS = ['2024-06-01', '2020-06-01', '2020-01-01', '2018-09-01'] as const;

export const ZONE_TYPE = 'Microsoft.Network/privateDnsZones';
export const A_RECORD_TYPE = 'Microsoft.Network/privateDnsZones/A';
export const VNET_LINK_TYPE = 'Microsoft.Network/privateDnsZones/virtualNetworkLinks';

const ZONES =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones';
const ZONE = `${ZONES}/{privateZoneName}`;

const zoneId = (p: Record<string, string>) =>
  `${resourceGroupId(p)}/providers/${ZONE_TYPE}/${p.privateZoneName}`;

function check(req: TwinRequest): void {
  requireApiVersion(req, PRIVATE_DNS_API_VERSIONS, 'privateDnsZones');
}

interface StoreLike {
  children(parentId: string, type: string): ArmResource[];
}

/** A zone as GET returns it: the record and link counters are computed from what the zone holds. */
function zoneView(host: { store: StoreLike }, zone: ArmResource): ArmResource {
  const records = host.store.children(zone.id, A_RECORD_TYPE).length;
  const links = host.store.children(zone.id, VNET_LINK_TYPE);
  const registering = links.filter((link) => link.properties?.registrationEnabled === true).length;
  return {
    ...zone,
    properties: {
      ...zone.properties,
      // Every zone has its SOA record set besides the A records.
      numberOfRecordSets: records + 1,
      numberOfVirtualNetworkLinks: links.length,
      numberOfVirtualNetworkLinksWithRegistration: registering,
    },
  };
}

function read(
  path: string,
  action: string,
  handler: RouteSpec['handler'],
  zoneMustExist: boolean,
): RouteSpec {
  return {
    method: 'GET',
    path,
    audience: 'arm',
    action,
    parents: (p) => (zoneMustExist ? [resourceGroupId(p), zoneId(p)] : [resourceGroupId(p)]),
    handler(req, twin) {
      check(req);
      return handler(req, twin);
    },
  };
}

const routes: RouteSpec[] = [
  read(
    ZONE,
    'Microsoft.Network/privateDnsZones/read',
    (req, twin) => {
      const zone = twin.store.get(zoneId(req.params));
      if (!zone) throw notFound(ZONE_TYPE, req.params.privateZoneName!, req.params.resourceGroupName!);
      return { status: 200, body: zoneView(twin, zone) };
    },
    false,
  ),
  read(
    ZONES,
    'Microsoft.Network/privateDnsZones/read',
    (req, twin) => ({
      status: 200,
      body: page(
        req,
        twin.store.listByScope(resourceGroupId(req.params), ZONE_TYPE).map((zone) => zoneView(twin, zone)),
      ),
    }),
    false,
  ),
  read(
    `${ZONE}/A/{relativeRecordSetName}`,
    'Microsoft.Network/privateDnsZones/A/read',
    (req, twin) => {
      const record = twin.store.get(`${zoneId(req.params)}/A/${req.params.relativeRecordSetName}`);
      if (!record) {
        throw new AzureError(
          404,
          'NotFound',
          `The resource record '${req.params.relativeRecordSetName}' does not exist in resource group '${req.params.resourceGroupName}' of subscription '${req.params.subscriptionId}'.`,
        );
      }
      return { status: 200, body: record };
    },
    true,
  ),
  read(
    `${ZONE}/A`,
    'Microsoft.Network/privateDnsZones/A/read',
    (req, twin) => ({ status: 200, body: page(req, twin.store.children(zoneId(req.params), A_RECORD_TYPE)) }),
    true,
  ),
  read(
    `${ZONE}/virtualNetworkLinks/{virtualNetworkLinkName}`,
    'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
    (req, twin) => {
      const link = twin.store.get(
        `${zoneId(req.params)}/virtualNetworkLinks/${req.params.virtualNetworkLinkName}`,
      );
      if (!link) {
        throw notFound(
          VNET_LINK_TYPE,
          `${req.params.privateZoneName}/${req.params.virtualNetworkLinkName}`,
          req.params.resourceGroupName!,
        );
      }
      return { status: 200, body: link };
    },
    true,
  ),
  read(
    `${ZONE}/virtualNetworkLinks`,
    'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
    (req, twin) => ({
      status: 200,
      body: page(req, twin.store.children(zoneId(req.params), VNET_LINK_TYPE)),
    }),
    true,
  ),
];

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = { name: 'private-dns', routes };

// ---------------------------------------------------------------------------------------------
// Seeds

export interface PrivateDnsZoneSeed {
  subscriptionId: string;
  resourceGroup: string;
  /** The zone name, e.g. `privatelink.postgres.twin.test`. */
  name: string;
  /** A record sets: relative name (e.g. the server name) and its addresses. */
  aRecords?: { name: string; ipv4Addresses: string[] }[];
  /** Virtual network links: link name and the linked network's ARM id. */
  links?: { name: string; virtualNetworkId: string; registrationEnabled?: boolean }[];
}

/** The ARM id of a private DNS zone. */
export function privateDnsZoneId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${ZONE_TYPE}/${name}`;
}

/** Puts a private DNS zone, its A record sets and its virtual network links into the twin; returns the zone id. */
export function seedPrivateDnsZone(host: SeedHost, seed: PrivateDnsZoneSeed): string {
  const twin = seedTarget(host);
  const id = privateDnsZoneId(seed.subscriptionId, seed.resourceGroup, seed.name);
  twin.store.put({
    id,
    name: seed.name,
    type: ZONE_TYPE,
    location: 'global',
    etag: stableGuid(id),
    tags: {},
    properties: {
      maxNumberOfRecordSets: 25000,
      numberOfRecordSets: 1,
      maxNumberOfVirtualNetworkLinks: 1000,
      numberOfVirtualNetworkLinks: 0,
      maxNumberOfVirtualNetworkLinksWithRegistration: 100,
      numberOfVirtualNetworkLinksWithRegistration: 0,
      provisioningState: 'Succeeded',
      internalId: stableGuid(`${id}#internal`),
    },
  });
  for (const record of seed.aRecords ?? []) {
    // The DNS provider answers record set names lower-cased.
    const name = record.name.toLowerCase();
    twin.store.put({
      id: `${id}/A/${name}`,
      name,
      type: A_RECORD_TYPE,
      etag: stableGuid(`${id}/A/${name}`),
      properties: {
        metadata: {},
        ttl: 10,
        fqdn: `${name}.${seed.name}.`,
        isAutoRegistered: false,
        aRecords: record.ipv4Addresses.map((ipv4Address) => ({ ipv4Address })),
      },
    });
  }
  for (const link of seed.links ?? []) {
    const linkId = `${id}/virtualNetworkLinks/${link.name}`;
    twin.store.put({
      id: linkId,
      name: link.name,
      type: VNET_LINK_TYPE,
      location: 'global',
      etag: stableGuid(linkId),
      tags: {},
      properties: {
        virtualNetwork: { id: link.virtualNetworkId },
        registrationEnabled: link.registrationEnabled ?? false,
        resolutionPolicy: 'Default',
        virtualNetworkLinkState: 'Completed',
        provisioningState: 'Succeeded',
      },
    });
  }
  return id;
}
