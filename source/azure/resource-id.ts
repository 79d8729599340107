/**
 * ARM resource ids and the names in them, built in one place. Every name a person or a file gives is
 * checked against Azure's naming rule for its kind before it becomes part of an id (so `-g 'x/../rg'`
 * is refused instead of resolving to another group), and every id becomes a request path only through
 * `armRequestPath`, which percent-encodes each segment and refuses `.`, `..` and empty segments.
 *
 * The rules are those of Learn "Naming rules and restrictions for Azure resources" (resource-name-rules)
 * and, where the REST specs are stricter or more exact, their path-parameter patterns (PostgreSQL flexible
 * `ServerNameParameter` / `DatabaseNameParameter` / firewall rule names: `^[-\w\._]+$`). Names are compared
 * case-insensitively by Azure, so letters of either case are accepted where the rule says lowercase.
 */

/** The three app platforms an app can run on (the `--target` values). */
export type AppKind = 'webapp' | 'containerapp' | 'spring';

/** The ARM type of each app platform (a Spring app lives under `Spring/<service>/apps`). */
export const APP_ARM_TYPES: Record<AppKind, string> = {
  webapp: 'Microsoft.Web/sites',
  containerapp: 'Microsoft.App/containerApps',
  spring: 'Microsoft.AppPlatform/Spring',
};

/**
 * One of Azure's naming rules. The rules of a database kind's own names (its servers, databases,
 * firewall rules) are in its descriptor (source/databases/<kind>/descriptor.ts); the rules every
 * kind shares are here.
 */
export interface NameRule {
  /** What people call such a name, for messages: `resource group name`. */
  what: string;
  min: number;
  max: number;
  /** The characters and shape allowed (the length is checked separately). */
  shape: RegExp;
  /** The rule in words, as the message states it. */
  rule: string;
}

/** .NET's `\w` (the REST specs' patterns are .NET regexes): letters, marks, digits, connectors. */
export const DOTNET_WORD = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`;
export const LETTERS_DIGITS_HYPHENS = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const SPRING_NAME = /^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const RULES = {
  'resource-group': {
    what: 'resource group name',
    min: 1,
    max: 90,
    // Letters and digits as .NET's Char.IsLetterOrDigit sees them (Lu, Ll, Lt, Lm, Lo, Nd).
    shape: /^[-_.()\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nd}]*[-_()\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nd}]$/u,
    rule: '1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period',
  },
  webapp: {
    what: 'web app name',
    min: 2,
    max: 60,
    shape: /^[\p{L}\p{N}](?:[-\p{L}\p{M}\p{N}]*[\p{L}\p{M}\p{N}])?$/u,
    rule: '2-60 letters, digits and hyphens, not starting or ending with a hyphen',
  },
  containerapp: {
    what: 'container app name',
    min: 2,
    max: 32,
    shape: /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    rule: '2-32 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit',
  },
  'spring-service': {
    what: 'Spring Apps service name',
    min: 4,
    max: 32,
    shape: SPRING_NAME,
    rule: '4-32 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit',
  },
  'spring-app': {
    what: 'Spring app name',
    min: 4,
    max: 32,
    shape: SPRING_NAME,
    rule: '4-32 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit',
  },
  server: {
    what: 'server name',
    min: 1,
    max: 63,
    shape: LETTERS_DIGITS_HYPHENS,
    rule: '1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen',
  },
  /** `--database` before the server's kind is known: the widest of the kinds' rules (Azure SQL's). */
  database: {
    what: 'database name',
    min: 1,
    max: 128,
    shape: /^[^<>*%&:\\/?\u0000-\u001f\u007f-\u009f]*[^<>*%&:\\/?\u0000-\u001f\u007f-\u009f. ]$/u,
    rule: '1-128 characters without < > * % & : \\ / ? or control characters, not ending in a period or space',
  },
  /** The flexible servers' firewall rule names (the REST specs' `^[-\w\._]+$`). */
  'firewall-rule': {
    what: 'firewall rule name',
    min: 1,
    max: 128,
    shape: new RegExp(`^[-${DOTNET_WORD}._]+$`, 'u'),
    rule: '1-128 letters, digits, underscores, hyphens and periods',
  },
  linker: {
    what: 'Service Connector connection name',
    min: 1,
    max: 128,
    // The spec states no pattern; Service Connector refuses `-` (microsoft/azure-container-apps#427).
    shape: /^[A-Za-z0-9_.]+$/,
    rule: '1-128 letters, digits, underscores and periods',
  },
  'user-assigned-identity': {
    what: 'user-assigned identity name',
    min: 3,
    max: 128,
    shape: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    rule: '3-128 letters, digits, hyphens and underscores, starting with a letter or digit',
  },
} satisfies Record<string, NameRule>;

/** The kinds of names sc-doctor puts into ARM ids that every database kind shares. */
export type NameKind = keyof typeof RULES;

/** A name's kind, or a database kind's own rule (from its descriptor). */
export type NameRuleOf = NameKind | NameRule;

const ruleOf = (kind: NameRuleOf): NameRule => (typeof kind === 'string' ? RULES[kind] : kind);

/**
 * What an id needs of a kind of database server: its ARM type and the rules of its own names (a
 * database kind's descriptor is one).
 */
export interface ServerType {
  armType: string;
  names: { server: NameRule; database: NameRule; firewallRule: NameRule };
}

/** A name that breaks Azure's rule for its kind. */
export class BadResourceName extends Error {
  constructor(
    readonly kind: NameRuleOf,
    readonly value: string,
    /** The rule in words. */
    readonly rule: string,
  ) {
    super(`'${clip(value)}' is not a valid ${ruleOf(kind).what}: Azure allows ${rule}.`);
    this.name = 'BadResourceName';
  }
}

/** Why `name` cannot be a `kind` name (Azure's rule in words), or undefined when it can. */
export function nameProblem(kind: NameRuleOf, name: string): string | undefined {
  const rule = ruleOf(kind);
  const ok =
    name.length >= rule.min &&
    name.length <= rule.max &&
    !CONTROL.test(name) &&
    !/^\.+$/.test(name) &&
    rule.shape.test(name);
  return ok ? undefined : rule.rule;
}

/** What people call a `kind` name, e.g. `resource group name`. */
export function nameWhat(kind: NameRuleOf): string {
  return ruleOf(kind).what;
}

/** `name` when it is a valid `kind` name; throws `BadResourceName` otherwise. */
export function checkedName(kind: NameRuleOf, name: string): string {
  const problem = nameProblem(kind, name);
  if (problem !== undefined) throw new BadResourceName(kind, name, problem);
  return name;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function subscriptionSegment(subscriptionId: string): string {
  if (!GUID.test(subscriptionId))
    throw new Error(`'${clip(subscriptionId)}' is not a subscription id (a GUID)`);
  return subscriptionId;
}

/**
 * The ARM ids sc-doctor builds from names, each name checked for its kind. Ids keep names as Azure
 * writes them (unencoded): `armRequestPath` encodes them when an id becomes a URL.
 */
export const armIds = {
  /** `/subscriptions/{id}/resourceGroups/{group}`. */
  resourceGroup(subscriptionId: string, resourceGroup: string): string {
    return `/subscriptions/${subscriptionSegment(subscriptionId)}/resourceGroups/${checkedName('resource-group', resourceGroup)}`;
  },
  /** A database server of the type `type` (a database kind's descriptor). */
  server(type: ServerType, subscriptionId: string, resourceGroup: string, name: string): string {
    const group = armIds.resourceGroup(subscriptionId, resourceGroup);
    return `${group}/providers/${type.armType}/${checkedName(type.names.server, name)}`;
  },
  /** An app; a Spring app needs its service. */
  app(
    kind: AppKind,
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    service: string | null = null,
  ): string {
    const base = `${armIds.resourceGroup(subscriptionId, resourceGroup)}/providers/${APP_ARM_TYPES[kind]}`;
    if (kind !== 'spring') return `${base}/${checkedName(kind, name)}`;
    return `${base}/${checkedName('spring-service', service ?? '')}/apps/${checkedName('spring-app', name)}`;
  },
  /** A database of the server `serverId` (of the type `type`). */
  database(serverId: string, type: ServerType, name: string): string {
    return `${serverId}/databases/${checkedName(type.names.database, name)}`;
  },
  /** A firewall rule of the server `serverId` (of the type `type`). */
  firewallRule(serverId: string, type: ServerType, name: string): string {
    return `${serverId}/firewallRules/${checkedName(type.names.firewallRule, name)}`;
  },
  /** A Service Connector connection (linker) of the app `appId`. */
  linker(appId: string, name: string): string {
    return `${appId}/providers/Microsoft.ServiceLinker/linkers/${checkedName('linker', name)}`;
  },
  /** The user-assigned identities of a subscription (a collection). */
  identities(subscriptionId: string): string {
    return `/subscriptions/${subscriptionSegment(subscriptionId)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
  },
};

/** An ARM id (or a path under one) that cannot be sent: a `.`/`..` or empty segment. */
export class BadArmPath extends Error {
  constructor(readonly path: string) {
    super(`'${clip(path)}' is not an Azure resource path (it has an empty, '.' or '..' segment)`);
    this.name = 'BadArmPath';
  }
}

/**
 * The request path of an ARM id or of a path under one (`{id}/firewallRules`), relative (no leading
 * slash), each segment percent-encoded. A segment a URL would resolve (`.`, `..`) or collapse (empty)
 * is refused: the request must go to exactly the resource the id names.
 */
export function armRequestPath(path: string): string {
  const segments = path.replace(/^\/+/, '').split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..'))
    throw new BadArmPath(path);
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

/** The last segment of an ARM id (`.../userAssignedIdentities/id-orders` → `id-orders`). */
export function lastSegment(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

/** The resource group id (`/subscriptions/s/resourceGroups/g`) of an ARM id. */
export function resourceGroupIdOf(id: string): string | null {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)?.[0] ?? null;
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
