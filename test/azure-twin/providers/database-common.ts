/**
 * Pieces the three database resource providers (PostgreSQL flexible, MySQL flexible, Azure SQL) share:
 * ARM ids, api-version gates, the ARM "not found" text, firewall-rule validation and list answers.
 */
import { type ArmResource, AzureError, type TwinRequest, type TwinResponse } from '../api.ts';
import { page } from '../framework/paging.ts';

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}` from route params. */
export function serverId(params: Record<string, string>, namespace: string, type: string): string {
  return `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroupName}/providers/${namespace}/${type}/${params.serverName}`;
}

/** The resource group id of a route's params (first `parents` entry of every database route). */
export function resourceGroupId(params: Record<string, string>): string {
  return `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroupName}`;
}

/**
 * Rejects api-versions the real provider does not serve for the type, with ARM's answer for an
 * unregistered version (400 `NoRegisteredProviderFound`).
 */
export function requireApiVersion(req: TwinRequest, type: string, accepted: readonly string[]): void {
  const version = req.apiVersion ?? '';
  if (accepted.includes(version)) return;
  throw new AzureError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location 'eastus' and API version '${version}' for type '${type}'. The supported api-versions are '${accepted.join(', ')}'. The supported locations are 'eastus'.`,
  );
}

/** ARM's 404 for a missing resource (`type` is the full type, e.g. `Microsoft.Sql/servers/databases`). */
export function resourceNotFound(type: string, name: string, resourceGroup: string): AzureError {
  return new AzureError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** The stored resource or the ARM 404 naming it the way ARM does (`type/server/child`). */
export function mustGet(
  store: { get(id: string): ArmResource | undefined },
  id: string,
  displayType: string,
  displayName: string,
  resourceGroup: string,
): ArmResource {
  const found = store.get(id);
  if (!found) throw resourceNotFound(displayType, displayName, resourceGroup);
  return found;
}

/** `{ value, nextLink? }` for a list route. */
export function listAnswer(req: TwinRequest, items: unknown[]): TwinResponse {
  return { status: 200, body: page(req, items) };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: unknown): text is string {
  return typeof text === 'string' && IPV4.test(text);
}

/** IPv4 address as an unsigned 32-bit number (for range checks). */
export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** The `InvalidParameterValue` text the flexible-server providers use for a bad field. */
export function invalidParameter(parameter: string): AzureError {
  return new AzureError(
    400,
    'InvalidParameterValue',
    `Invalid value given for parameter ${parameter}. Specify a valid parameter value.`,
  );
}

/**
 * Firewall rule checks of the flexible servers: IPv4 start/end, start not after end, and the rule
 * name pattern of the spec (`^[-\w\._]+$` PostgreSQL, `^[a-zA-Z0-9][-_a-zA-Z0-9]{0,79}$` MySQL).
 */
export function validateFlexibleFirewallRule(
  name: string,
  namePattern: RegExp,
  body: any,
): { startIpAddress: string; endIpAddress: string } {
  if (!namePattern.test(name)) invalidName(name);
  const start = body?.properties?.startIpAddress;
  const end = body?.properties?.endIpAddress;
  if (!isIpv4(start)) throw invalidParameter('StartIpAddress');
  if (!isIpv4(end)) throw invalidParameter('EndIpAddress');
  if (ipv4ToNumber(start) > ipv4ToNumber(end)) throw invalidParameter('EndIpAddress');
  return { startIpAddress: start, endIpAddress: end };
}

function invalidName(name: string): never {
  throw new AzureError(
    400,
    'InvalidResourceName',
    `The resource name '${name}' is invalid. It must match the pattern of the resource type.`,
  );
}

/** Id prefix for child routes: `{server}/{childType}/{name}`. */
export function childId(server: string, childType: string, name: string): string {
  return `${server}/${childType}/${name}`;
}

/** Copies `source` into `target` recursively (objects merge, everything else replaces): ARM PATCH. */
export function mergePatch(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
    ) {
      mergePatch(current as Record<string, unknown>, value as Record<string, unknown>);
    } else if (value !== undefined) {
      target[key] = value;
    }
  }
  return target;
}

/** A GUID derived from text, so seeded names and ids are the same on every run. */
export function stableGuid(text: string): string {
  let hash = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 16; round++) {
    for (const ch of `${round}:${text}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(hash & 0xff);
  }
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Where a seed puts a server: its subscription, group and name. */
export interface ServerSeedPlace {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** The ARM id of a seeded server of `serverType`. */
export function seededServerId(serverType: string, place: ServerSeedPlace): string {
  return `/subscriptions/${place.subscriptionId}/resourceGroups/${place.resourceGroup}/providers/${serverType}/${place.name}`;
}

/** A private endpoint a seeded server is connected to, with the connection's status (Approved unless given). */
export interface SeededEndpoint {
  id: string;
  status?: 'Approved' | 'Pending' | 'Rejected' | 'Disconnected';
}

/** The seed options every database server type has. */
export interface DatabaseServerSeed extends ServerSeedPlace {
  location?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** Private endpoint id (or several), each connected with status Approved unless given. */
  privateEndpoint?: string | SeededEndpoint[];
  firewallRules?: { name: string; startIpAddress: string; endIpAddress: string }[];
  databases?: string[];
  tags?: Record<string, string>;
}

/** The seed options both flexible server types add: state and VNet integration. */
export interface FlexibleServerSeed extends DatabaseServerSeed {
  state?: 'Ready' | 'Stopped' | 'Starting' | 'Stopping' | 'Updating' | 'Disabled' | 'Dropping';
  /** Subnet id: makes the server VNet-integrated (private access); public access then defaults to Disabled. */
  delegatedSubnet?: string;
  /** Private DNS zone id for a VNet-integrated server; defaults to one named after the server in its group. */
  privateDnsZone?: string;
}

/** A seed's private endpoint option (one id, or several with their statuses) as a list. */
export function seededEndpoints(option: string | SeededEndpoint[] | undefined): SeededEndpoint[] {
  return typeof option === 'string' ? [{ id: option }] : (option ?? []);
}

/**
 * The `network` block of a seeded flexible server: public access defaults to Disabled when it is
 * VNet-integrated, whose private DNS zone defaults to `<name>.private.<dnsZoneLabel>.database.azure.com`
 * in the group. The RPs name the zone property differently (`dnsZoneProperty`).
 */
export function seededFlexibleNetwork(
  opts: ServerSeedPlace & { publicNetworkAccess?: string; delegatedSubnet?: string; privateDnsZone?: string },
  dnsZoneProperty: string,
  dnsZoneLabel: string,
): Record<string, string> {
  const network: Record<string, string> = {
    publicNetworkAccess: opts.publicNetworkAccess ?? (opts.delegatedSubnet ? 'Disabled' : 'Enabled'),
  };
  if (opts.delegatedSubnet) {
    network.delegatedSubnetResourceId = opts.delegatedSubnet;
    network[dnsZoneProperty] =
      opts.privateDnsZone ??
      `/subscriptions/${opts.subscriptionId}/resourceGroups/${opts.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${opts.name}.private.${dnsZoneLabel}.database.azure.com`;
  }
  return network;
}
