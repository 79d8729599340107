/**
 * Cloud endpoints: the three named Azure clouds as data, and the Azure CLI's active cloud parsed from
 * `az cloud show -o json`, which may be a custom cloud (`az cloud register`). Tests point the tool at the
 * local Azure twin through a custom cloud.
 */

/** Everything the tool needs to know about one cloud. URLs keep the spelling the CLI uses. */
export interface CloudEndpoints {
  name: string;
  /** ARM base URL, e.g. `https://management.azure.com/`. */
  resourceManager: string;
  /** ARM token audience (`activeDirectoryResourceId`), e.g. `https://management.core.windows.net/`. */
  armResource: string;
  /** Scope for ARM tokens and the ARM clients' `credentialScopes`. */
  armScope: string;
  /** Graph base URL and token audience, e.g. `https://graph.microsoft.com/`. */
  graphResource: string;
  graphScope: string;
  /** Entra authority host, e.g. `https://login.microsoftonline.com`. */
  authority: string;
  /** Token audience of PostgreSQL and MySQL flexible servers. */
  ossrdbmsResource: string;
  ossrdbmsScope: string;
  sqlResource: string;
  sqlScope: string;
  /** Host-name suffixes with their leading dot, e.g. `.postgres.database.azure.com`. */
  suffixes: { postgres: string; mysql: string; sql: string };
  /** Azure portal URL, or `undefined` for a custom cloud that does not name one. */
  portal: string | undefined;
}

export const KNOWN_CLOUD_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;
export type KnownCloudName = (typeof KNOWN_CLOUD_NAMES)[number];

/** `az`'s rule (resource_to_scopes): append `/.default`, so `https://x/` becomes `https://x//.default`. */
export function resourceToScope(resource: string): string {
  return `${resource}/.default`;
}

/** The reverse, as AzureCliCredential does it: strip a trailing `/.default`. */
export function scopeToResource(scope: string): string {
  return scope.replace(/\/\.default$/, '');
}

interface CloudSeed {
  name: string;
  resourceManager: string;
  armResource: string;
  graphResource: string;
  authority: string;
  ossrdbmsResource: string;
  sqlResource: string;
  suffixes: { postgres: string; mysql: string; sql: string };
  portal: string | undefined;
}

function fromSeed(seed: CloudSeed): CloudEndpoints {
  return {
    ...seed,
    armScope: resourceToScope(seed.armResource),
    graphScope: resourceToScope(seed.graphResource),
    ossrdbmsScope: `${trimSlash(seed.ossrdbmsResource)}/.default`,
    sqlScope: `${trimSlash(seed.sqlResource)}/.default`,
  };
}

const CLOUDS: Record<KnownCloudName, CloudEndpoints> = {
  AzureCloud: fromSeed({
    name: 'AzureCloud',
    resourceManager: 'https://management.azure.com/',
    armResource: 'https://management.core.windows.net/',
    graphResource: 'https://graph.microsoft.com/',
    authority: 'https://login.microsoftonline.com',
    ossrdbmsResource: 'https://ossrdbms-aad.database.windows.net',
    sqlResource: 'https://database.windows.net/',
    suffixes: {
      postgres: '.postgres.database.azure.com',
      mysql: '.mysql.database.azure.com',
      sql: '.database.windows.net',
    },
    portal: 'https://portal.azure.com',
  }),
  AzureChinaCloud: fromSeed({
    name: 'AzureChinaCloud',
    resourceManager: 'https://management.chinacloudapi.cn/',
    armResource: 'https://management.core.chinacloudapi.cn/',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn/',
    authority: 'https://login.chinacloudapi.cn',
    ossrdbmsResource: 'https://ossrdbms-aad.database.chinacloudapi.cn',
    sqlResource: 'https://database.chinacloudapi.cn/',
    suffixes: {
      postgres: '.postgres.database.chinacloudapi.cn',
      mysql: '.mysql.database.chinacloudapi.cn',
      sql: '.database.chinacloudapi.cn',
    },
    portal: 'https://portal.azure.cn',
  }),
  AzureUSGovernment: fromSeed({
    name: 'AzureUSGovernment',
    resourceManager: 'https://management.usgovcloudapi.net/',
    armResource: 'https://management.core.usgovcloudapi.net/',
    graphResource: 'https://graph.microsoft.us/',
    authority: 'https://login.microsoftonline.us',
    ossrdbmsResource: 'https://ossrdbms-aad.database.usgovcloudapi.net',
    sqlResource: 'https://database.usgovcloudapi.net/',
    suffixes: {
      postgres: '.postgres.database.usgovcloudapi.net',
      mysql: '.mysql.database.usgovcloudapi.net',
      sql: '.database.usgovcloudapi.net',
    },
    portal: 'https://portal.azure.us',
  }),
};

export const PUBLIC_CLOUD: CloudEndpoints = CLOUDS.AzureCloud;

/** The named cloud, matched case-insensitively, or `undefined`. */
export function knownCloud(name: string): CloudEndpoints | undefined {
  const key = KNOWN_CLOUD_NAMES.find((known) => known.toLowerCase() === name.trim().toLowerCase());
  return key ? CLOUDS[key] : undefined;
}

export type ParsedCloud = { ok: true; cloud: CloudEndpoints } | { ok: false; reason: string };

/**
 * Parses the stdout of `az cloud show -o json`. A known cloud name takes its endpoints from the CLI's
 * answer where present (the CLI is the authority on what it talks to) and from the table otherwise; a
 * custom cloud must name at least its ARM endpoint. Unknown keys are ignored.
 */
export function parseAzCloudShow(stdout: string): ParsedCloud {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: `az cloud show did not print JSON: ${firstLine(stdout)}` };
  }
  if (!isObject(raw)) return { ok: false, reason: 'az cloud show printed JSON that is not an object' };
  const name = str(raw.name);
  const endpoints = isObject(raw.endpoints) ? raw.endpoints : {};
  const suffixes = isObject(raw.suffixes) ? raw.suffixes : {};
  const base = name ? knownCloud(name) : undefined;
  const resourceManager = str(endpoints.resourceManager) ?? base?.resourceManager;
  if (!name || !resourceManager) {
    return { ok: false, reason: 'az cloud show did not name the cloud and its resourceManager endpoint' };
  }
  const armResource = str(endpoints.activeDirectoryResourceId) ?? base?.armResource ?? resourceManager;
  const graphResource =
    str(endpoints.microsoftGraphResourceId) ?? base?.graphResource ?? PUBLIC_CLOUD.graphResource;
  const sqlSuffix = str(suffixes.sqlServerHostname) ?? base?.suffixes.sql ?? PUBLIC_CLOUD.suffixes.sql;
  const seed: CloudSeed = {
    name: base?.name ?? name,
    resourceManager,
    armResource,
    graphResource,
    authority: trimSlash(str(endpoints.activeDirectory) ?? base?.authority ?? PUBLIC_CLOUD.authority),
    ossrdbmsResource:
      str(endpoints.ossrdbmsResourceId) ?? base?.ossrdbmsResource ?? PUBLIC_CLOUD.ossrdbmsResource,
    sqlResource: base?.sqlResource ?? `https://${sqlSuffix.replace(/^\./, '')}/`,
    suffixes: {
      postgres:
        str(suffixes.postgresqlServerEndpoint) ?? base?.suffixes.postgres ?? PUBLIC_CLOUD.suffixes.postgres,
      mysql: str(suffixes.mysqlServerEndpoint) ?? base?.suffixes.mysql ?? PUBLIC_CLOUD.suffixes.mysql,
      sql: sqlSuffix,
    },
    portal: str(endpoints.portal) ?? base?.portal,
  };
  return { ok: true, cloud: fromSeed(seed) };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** First non-empty line, shortened, for messages about unexpected output. */
export function firstLine(text: string, max = 120): string {
  const line =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim() ?? '(empty)';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
