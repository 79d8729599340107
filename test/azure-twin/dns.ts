/**
 * What Azure DNS would answer for a database server's host name, asked from a given network, computed
 * from what the twin holds (servers, private endpoints, private DNS zones and their links). Tests hand
 * it to the product as its injected resolver, so no lookup ever leaves the process.
 *
 * The rules, as Azure applies them:
 * - A public server (no private endpoint, not VNet-integrated): an A record. Its address is always
 *   127.0.0.1, where the twin's databases listen: a routable public address would send the product's
 *   TCP probe off the machine.
 * - A server with a private endpoint connection: the public name is a CNAME to
 *   `<name>.privatelink.<suffix>` (the twin's suffixes are `postgres.twin.test`, `mysql.twin.test`,
 *   `database.twin.test`). Asked from a network linked to a private DNS zone of that name holding an A
 *   record for the server, the chain ends at the endpoint's private address; from anywhere else it
 *   continues to the public answer (127.0.0.1), as Azure's public zone does.
 * - A VNet-integrated flexible server: the public name is a CNAME to `<name>.<its private DNS zone>`.
 *   From a network linked to that zone the chain ends at the server's private address; elsewhere the
 *   target does not exist (no address at all: the server has no public endpoint).
 * - Any other name: not found.
 *
 * "From" is a virtual network (or a subnet of it, or an app whose VNet integration names one); nothing
 * means the developer's machine on the internet.
 */
import type { ArmResource } from './api.ts';
import { MANAGED_ENVIRONMENT_TYPE } from './providers/managed-environments.ts';
import { virtualNetworkOfSubnet } from './providers/network.ts';
import { A_RECORD_TYPE, VNET_LINK_TYPE, ZONE_TYPE } from './providers/private-dns.ts';

/** The address every public database answer carries: the twin's databases listen there. */
export const TWIN_PUBLIC_ADDRESS = '127.0.0.1';

const SERVER_TYPES = [
  'Microsoft.DBforPostgreSQL/flexibleServers',
  'Microsoft.DBforMySQL/flexibleServers',
  'Microsoft.Sql/servers',
];

/** Where the question is asked from. */
export interface DnsVantage {
  virtualNetworkId?: string;
  /** A subnet: its virtual network is the vantage. */
  subnetId?: string;
  /** A web app (its `virtualNetworkSubnetId`) or a container app (its environment's infrastructure subnet). */
  appId?: string;
}

export interface TwinDnsAnswer {
  /** The name asked, lower-cased, without a trailing dot. */
  hostname: string;
  /** The CNAME chain, in order (empty for a plain A answer). */
  cnames: string[];
  /** IPv4 addresses the chain ends at; empty when its last name does not exist. */
  addresses: string[];
}

/** What the DNS view reads: the twin's resource store (a `Twin`, a `TwinContext` or a seed target all fit). */
export interface DnsHost {
  store: { all(): ArmResource[]; get(id: string): ArmResource | undefined };
}

const lower = (text: string) => text.toLowerCase().replace(/\.$/, '');

/** The virtual network id a vantage stands in, or null for the internet. */
export function vantageNetwork(host: DnsHost, from: DnsVantage | undefined): string | null {
  if (!from) return null;
  if (from.virtualNetworkId) return from.virtualNetworkId;
  if (from.subnetId) return virtualNetworkOfSubnet(from.subnetId);
  if (!from.appId) return null;
  const app = host.store.get(from.appId);
  const props = (app?.properties ?? {}) as Record<string, unknown>;
  if (typeof props.virtualNetworkSubnetId === 'string')
    return virtualNetworkOfSubnet(props.virtualNetworkSubnetId);
  if (typeof props.managedEnvironmentId === 'string') {
    const environment = host.store.get(props.managedEnvironmentId);
    if (environment?.type.toLowerCase() !== MANAGED_ENVIRONMENT_TYPE.toLowerCase()) return null;
    const subnet = (
      environment.properties?.vnetConfiguration as { infrastructureSubnetId?: string } | undefined
    )?.infrastructureSubnetId;
    return subnet ? virtualNetworkOfSubnet(subnet) : null;
  }
  return null;
}

/** The addresses `name` has in a private zone linked to `network`, or null when no linked zone holds it. */
function privateAnswer(resources: ArmResource[], name: string, network: string | null): string[] | null {
  if (!network) return null;
  for (const zone of resources.filter((r) => sameType(r, ZONE_TYPE))) {
    const zoneName = lower(zone.name);
    if (!name.endsWith(`.${zoneName}`)) continue;
    const linked = resources.some(
      (r) =>
        sameType(r, VNET_LINK_TYPE) &&
        r.id.toLowerCase().startsWith(`${zone.id.toLowerCase()}/`) &&
        lower((r.properties?.virtualNetwork as { id?: string } | undefined)?.id ?? '') === lower(network),
    );
    if (!linked) continue;
    const relative = name.slice(0, -(zoneName.length + 1));
    const record = resources.find(
      (r) => sameType(r, A_RECORD_TYPE) && r.id.toLowerCase() === `${zone.id.toLowerCase()}/a/${relative}`,
    );
    if (record) {
      return ((record.properties?.aRecords ?? []) as { ipv4Address: string }[]).map((a) => a.ipv4Address);
    }
  }
  return null;
}

function sameType(resource: ArmResource, type: string): boolean {
  return resource.type.toLowerCase() === type.toLowerCase();
}

/** The private DNS zone id a VNet-integrated flexible server names, or null. */
function integratedZone(server: ArmResource): string | null {
  const network = (server.properties?.network ?? {}) as Record<string, unknown>;
  if (typeof network.delegatedSubnetResourceId !== 'string') return null;
  const zone = network.privateDnsZoneArmResourceId ?? network.privateDnsZoneResourceId;
  return typeof zone === 'string' ? zone : null;
}

/**
 * Answers `hostname` as Azure DNS would from `from` (see the file header). Returns null for a name
 * that does not exist at all (NXDOMAIN).
 */
export function resolveInTwin(host: DnsHost, hostname: string, from?: DnsVantage): TwinDnsAnswer | null {
  const name = lower(hostname);
  const resources = host.store.all();
  const network = vantageNetwork(host, from);
  const server = resources.find(
    (r) =>
      SERVER_TYPES.some((type) => sameType(r, type)) &&
      lower(String(r.properties?.fullyQualifiedDomainName ?? '')) === name,
  );
  if (!server) {
    // A name inside a private zone (a CNAME target asked for directly).
    const addresses = privateAnswer(resources, name, network);
    return addresses ? { hostname: name, cnames: [], addresses } : null;
  }
  const serverName = lower(server.name);
  const zoneId = integratedZone(server);
  if (zoneId) {
    const target = `${serverName}.${lower(zoneId.split('/').pop()!)}`;
    return { hostname: name, cnames: [target], addresses: privateAnswer(resources, target, network) ?? [] };
  }
  const connections = (server.properties?.privateEndpointConnections ?? []) as unknown[];
  if (connections.length > 0) {
    const target = `${serverName}.privatelink.${name.slice(serverName.length + 1)}`;
    return {
      hostname: name,
      cnames: [target],
      addresses: privateAnswer(resources, target, network) ?? [TWIN_PUBLIC_ADDRESS],
    };
  }
  return { hostname: name, cnames: [], addresses: [TWIN_PUBLIC_ADDRESS] };
}

/** A DNS failure shaped like Node's (`code` ENOTFOUND or ENODATA, `hostname`). */
export class TwinDnsError extends Error {
  constructor(
    readonly code: 'ENOTFOUND' | 'ENODATA',
    readonly syscall: string,
    readonly hostname: string,
  ) {
    super(`${syscall} ${code} ${hostname}`);
  }
}

/** The subset of `node:dns/promises` a network check uses, answered from the twin. */
export interface TwinResolver {
  /** The first CNAME of `hostname` (as `dns.resolveCname`); ENODATA when it has none. */
  resolveCname(hostname: string): Promise<string[]>;
  /** The addresses at the end of the chain (as `dns.resolve4`); ENOTFOUND when there are none. */
  resolve4(hostname: string): Promise<string[]>;
  /** As `dns.lookup(hostname, { all: true })`. */
  lookup(hostname: string, options: { all: true }): Promise<{ address: string; family: 4 }[]>;
}

/** A resolver over `resolveInTwin` from one vantage point, for injection into the product's checks. */
export function twinResolver(host: DnsHost, from?: DnsVantage): TwinResolver {
  const answer = (hostname: string, syscall: string): TwinDnsAnswer => {
    const found = resolveInTwin(host, hostname, from);
    if (!found) throw new TwinDnsError('ENOTFOUND', syscall, hostname);
    return found;
  };
  const addresses = (hostname: string, syscall: string): string[] => {
    const found = answer(hostname, syscall);
    if (found.addresses.length === 0) throw new TwinDnsError('ENOTFOUND', syscall, hostname);
    return found.addresses;
  };
  return {
    async resolveCname(hostname) {
      const found = answer(hostname, 'queryCname');
      if (found.cnames.length === 0) throw new TwinDnsError('ENODATA', 'queryCname', hostname);
      return [found.cnames[0]!];
    },
    async resolve4(hostname) {
      return addresses(hostname, 'queryA');
    },
    async lookup(hostname) {
      return addresses(hostname, 'getaddrinfo').map((address) => ({ address, family: 4 as const }));
    },
  };
}
