/**
 * The Resource Graph queries the audit sends, built from fixed templates. Nothing a user typed is ever
 * spliced into KQL as text: a resource group or a tag becomes a quoted, escaped string literal
 * (`kqlString`), and a value that no literal can hold safely (a control character) is refused before
 * any query is built. Types are compared with `in~`/`=~` and every query orders by `id` so that pages
 * come back in a stable order (Learn "Paging Resource Graph results").
 */

/** The ARM types the audit reads from Resource Graph, lower-case as Resource Graph returns them. */
export const ARG_TYPES = {
  webapp: 'microsoft.web/sites',
  containerapp: 'microsoft.app/containerapps',
  springService: 'microsoft.appplatform/spring',
  postgres: 'microsoft.dbforpostgresql/flexibleservers',
  mysql: 'microsoft.dbformysql/flexibleservers',
  sql: 'microsoft.sql/servers',
  privateEndpoint: 'microsoft.network/privateendpoints',
  identity: 'microsoft.managedidentity/userassignedidentities',
} as const;

export type DatabaseKindName = 'postgres' | 'mysql' | 'sql';

/** What narrows the apps: `--resource-group` and each `--tag k=v` (all must hold). */
export interface AppFilters {
  resourceGroup?: string;
  tags?: readonly { key: string; value: string }[];
}

/** Why a filter value cannot go into a query. */
export class KqlValueError extends Error {}

/**
 * A KQL string literal holding exactly `value`: single-quoted, with `\` and both quotes escaped by a
 * backslash (Kusto "String data type": `\\`, `\'`, `\"`). Control characters have no escape the audit
 * relies on, so they are refused rather than passed on.
 */
export function kqlString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new KqlValueError('holds a control character (a newline, a tab...), which a query cannot take');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"')}'`;
}

function typeList(types: readonly string[]): string {
  return `(${types.map(kqlString).join(', ')})`;
}

function appFilterStages(filters: AppFilters): string[] {
  const stages: string[] = [];
  if (filters.resourceGroup !== undefined)
    stages.push(`where resourceGroup =~ ${kqlString(filters.resourceGroup)}`);
  for (const tag of filters.tags ?? [])
    stages.push(`where tags[${kqlString(tag.key)}] =~ ${kqlString(tag.value)}`);
  return stages;
}

function pipeline(stages: string[]): string {
  return ['resources', ...stages].join('\n| ');
}

/** Web apps, container apps and Spring services, with their identities. */
export function appsQuery(filters: AppFilters): string {
  return pipeline([
    `where type in~ ${typeList([ARG_TYPES.webapp, ARG_TYPES.containerapp, ARG_TYPES.springService])}`,
    ...appFilterStages(filters),
    'project id, name, type, kind, location, subscriptionId, resourceGroup, identity',
    'order by id asc',
  ]);
}

/** Database servers of the chosen kinds, with their network and Entra posture. */
export function serversQuery(kinds: readonly DatabaseKindName[]): string {
  return pipeline([
    `where type in~ ${typeList(kinds.map((kind) => ARG_TYPES[kind]))}`,
    [
      'project id, name, type, location, subscriptionId, resourceGroup',
      'fqdn = tostring(properties.fullyQualifiedDomainName)',
      'state = tostring(properties.state)',
      'flexiblePublicNetworkAccess = tostring(properties.network.publicNetworkAccess)',
      'sqlPublicNetworkAccess = tostring(properties.publicNetworkAccess)',
      'delegatedSubnet = tostring(properties.network.delegatedSubnetResourceId)',
      'entraAuth = tostring(properties.authConfig.activeDirectoryAuth)',
    ].join(', '),
    'order by id asc',
  ]);
}

/** Private endpoints with their connections (expanded on this side: no `mv-expand` needed). */
export function privateEndpointsQuery(): string {
  return pipeline([
    `where type =~ ${kqlString(ARG_TYPES.privateEndpoint)}`,
    'project id, name, subscriptionId, resourceGroup, connections = properties.privateLinkServiceConnections, manualConnections = properties.manualPrivateLinkServiceConnections',
    'order by id asc',
  ]);
}

/** User-assigned identities: principal and client ids, to name the identities apps carry. */
export function identitiesQuery(): string {
  return pipeline([
    `where type =~ ${kqlString(ARG_TYPES.identity)}`,
    'project id, name, subscriptionId, resourceGroup, principalId = tostring(properties.principalId), clientId = tostring(properties.clientId)',
    'order by id asc',
  ]);
}
