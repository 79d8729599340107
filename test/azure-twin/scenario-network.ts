/**
 * The network the doctor scenarios stand on, seeded through the Network and private DNS providers so
 * every id a server or app names exists:
 *
 * - `vnet-orders` (10.0.0.0/16): subnets `postgres` and `mysql` (delegated to the flexible servers),
 *   `apps` (delegated to App Service), `aca` (delegated to Container Apps environments) and
 *   `endpoints` (private endpoints).
 * - `vnet-apps` (10.1.0.0/16): the apps' own network, for worlds where the apps live apart from the
 *   database's network (subnets `apps` and `aca`).
 * - VNet-integrated servers: zones `private.postgres.twin.test` / `private.mysql.twin.test` holding
 *   the servers' private addresses (10.0.1.4, 10.0.2.4), linked to `vnet-orders`.
 * - The private endpoint `pe-orders` to PostgreSQL (10.0.4.4) and the zone
 *   `privatelink.postgres.twin.test`, linked to whichever networks the scenario names.
 */

import { IDS } from './framework/world.ts';
import { seedPrivateEndpoint, seedVirtualNetwork } from './providers/network.ts';
import { privateDnsZoneId, seedPrivateDnsZone } from './providers/private-dns.ts';
import type { ScenarioTarget } from './scenarios.ts';

const sub = IDS.subscriptionId;
const rg = 'rg-orders';
const groupId = `/subscriptions/${sub}/resourceGroups/${rg}`;
const vnet = (name: string) => `${groupId}/providers/Microsoft.Network/virtualNetworks/${name}`;

/** ARM ids of the scenario network. */
export const NETWORK_IDS = {
  ordersVnet: vnet('vnet-orders'),
  appsVnet: vnet('vnet-apps'),
  subnets: {
    postgres: `${vnet('vnet-orders')}/subnets/postgres`,
    mysql: `${vnet('vnet-orders')}/subnets/mysql`,
    apps: `${vnet('vnet-orders')}/subnets/apps`,
    containerApps: `${vnet('vnet-orders')}/subnets/aca`,
    endpoints: `${vnet('vnet-orders')}/subnets/endpoints`,
    appsVnetApps: `${vnet('vnet-apps')}/subnets/apps`,
    appsVnetContainerApps: `${vnet('vnet-apps')}/subnets/aca`,
  },
  privateEndpoint: `${groupId}/providers/Microsoft.Network/privateEndpoints/pe-orders`,
  privatelinkZone: privateDnsZoneId(sub, rg, 'privatelink.postgres.twin.test'),
  postgresZone: privateDnsZoneId(sub, rg, 'private.postgres.twin.test'),
  mysqlZone: privateDnsZoneId(sub, rg, 'private.mysql.twin.test'),
} as const;

/** The private addresses the scenario network hands out. */
export const PRIVATE_IPS = { postgres: '10.0.1.4', mysql: '10.0.2.4', privateEndpoint: '10.0.4.4' } as const;

const APP_DELEGATION = 'Microsoft.Web/serverFarms';
const ACA_DELEGATION = 'Microsoft.App/environments';

/** Seeds `vnet-orders` with its five subnets. */
export function seedOrdersVnet(target: ScenarioTarget): void {
  seedVirtualNetwork(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: 'vnet-orders',
    addressPrefixes: ['10.0.0.0/16'],
    subnets: [
      {
        name: 'postgres',
        addressPrefix: '10.0.1.0/24',
        delegation: 'Microsoft.DBforPostgreSQL/flexibleServers',
      },
      { name: 'mysql', addressPrefix: '10.0.2.0/24', delegation: 'Microsoft.DBforMySQL/flexibleServers' },
      { name: 'apps', addressPrefix: '10.0.3.0/24', delegation: APP_DELEGATION },
      { name: 'endpoints', addressPrefix: '10.0.4.0/24' },
      { name: 'aca', addressPrefix: '10.0.8.0/23', delegation: ACA_DELEGATION },
    ],
  });
}

/** Seeds `vnet-apps`, a network of the apps' own that is not linked to any database zone. */
export function seedAppsVnet(target: ScenarioTarget): void {
  seedVirtualNetwork(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: 'vnet-apps',
    addressPrefixes: ['10.1.0.0/16'],
    subnets: [
      { name: 'apps', addressPrefix: '10.1.3.0/24', delegation: APP_DELEGATION },
      { name: 'aca', addressPrefix: '10.1.8.0/23', delegation: ACA_DELEGATION },
    ],
  });
}

/** The private DNS zones of the VNet-integrated servers, linked to `vnet-orders`. */
export function seedIntegratedServerZones(target: ScenarioTarget): void {
  for (const [zone, server, address] of [
    ['private.postgres.twin.test', 'pg-orders', PRIVATE_IPS.postgres],
    ['private.mysql.twin.test', 'mysql-orders', PRIVATE_IPS.mysql],
  ] as const) {
    seedPrivateDnsZone(target, {
      subscriptionId: sub,
      resourceGroup: rg,
      name: zone,
      aRecords: [{ name: server, ipv4Addresses: [address] }],
      links: [{ name: 'vnet-orders-link', virtualNetworkId: NETWORK_IDS.ordersVnet }],
    });
  }
}

/**
 * The private endpoint `pe-orders` to the PostgreSQL server in `vnet-orders/endpoints`, with the
 * connection `status` (the server's own connection must be seeded with the same status), and the
 * `privatelink` zone holding its address, linked to `linkedVnets`.
 */
export function seedPostgresPrivateLink(
  target: ScenarioTarget,
  status: 'Approved' | 'Pending' | 'Rejected',
  serverId: string,
  linkedVnets: string[],
): void {
  seedPrivateEndpoint(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: 'pe-orders',
    subnetId: NETWORK_IDS.subnets.endpoints,
    targetId: serverId,
    groupId: 'postgresqlServer',
    privateIp: PRIVATE_IPS.privateEndpoint,
    fqdn: 'pg-orders.postgres.twin.test',
    status,
  });
  seedPrivateDnsZone(target, {
    subscriptionId: sub,
    resourceGroup: rg,
    name: 'privatelink.postgres.twin.test',
    aRecords: [{ name: 'pg-orders', ipv4Addresses: [PRIVATE_IPS.privateEndpoint] }],
    links: linkedVnets.map((id) => ({ name: `${id.split('/').pop()}-link`, virtualNetworkId: id })),
  });
}
