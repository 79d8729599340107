/**
 * What the three kinds of "source" apps (App Service sites, Container Apps, Spring apps) share in the
 * twin: managed-identity blocks (switching the system identity on registers a new principal), the
 * place their settings live (app settings, container env, deployment env), and small ARM helpers.
 * Service Connector writes through `readSourceSettings`/`writeSourceSettings` so it never needs to
 * know which kind of app it is linking.
 */
import { randomUUID } from 'node:crypto';
import {
  type ArmResource,
  AzureError,
  type Principal,
  type ResourceStore,
  type RouteSpec,
  type TwinRequest,
  type World,
} from '../api.ts';
import { requireIdentityAssign } from '../framework/linked-access.ts';

/** What a seed helper needs from a running twin (the framework's handle and `TwinContext` both fit). */
export interface SeedTarget {
  store: ResourceStore;
  world: World;
  addPrincipal(principal: Principal): Principal;
}

/** A seed helper's first argument: a `SeedTarget`, or the handle `startTwin()` returns (through its `context`). */
export type SeedHost = SeedTarget | { context: SeedTarget };

export function seedTarget(host: SeedHost): SeedTarget {
  return 'context' in host ? host.context : host;
}

/** The part of the twin the identity helpers use (a `TwinContext` or a `SeedTarget`). */
export interface IdentityHost {
  store: ResourceStore;
  world: World;
  addPrincipal(principal: Principal): Principal;
}

export const UAMI_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** Throws ARM's answer to an api-version the resource type does not have. */
export function requireApiVersion(req: TwinRequest, allowed: readonly string[], type: string): void {
  if (req.apiVersion === null) {
    throw new AzureError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!allowed.includes(req.apiVersion)) {
    throw new AzureError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'eastus' and API version '${req.apiVersion}' for type '${type}'. The supported api-versions are '${allowed.join(', ')}'.`,
    );
  }
}

export function resourceGroupId(params: Record<string, string>): string {
  return `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroupName}`;
}

export function notFound(type: string, name: string, resourceGroup: string): AzureError {
  return new AzureError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** ARM ids compare case-insensitively. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `{ value: [...] }` list body. */
export function listBody(items: unknown[]): { value: unknown[] } {
  return { value: items };
}

/** What tells one top-level source app type (sites, container apps) from another in its read routes. */
export interface SourceAppSpec {
  /** e.g. `Microsoft.Web/sites`. */
  type: string;
  /** The route param naming the app, e.g. `name` or `containerAppName`. */
  nameParam: string;
  /** Api-versions the routes accept, and the type the 400 for any other names. */
  apiVersions: readonly string[];
  versionType: string;
}

/** Path template, id and api-version gate of a source app type directly under a resource group. */
export function sourceApp(spec: SourceAppSpec) {
  return {
    path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${spec.type}/{${spec.nameParam}}`,
    id: (params: Record<string, string>) =>
      `${resourceGroupId(params)}/providers/${spec.type}/${params[spec.nameParam]}`,
    check: (req: TwinRequest) => requireApiVersion(req, spec.apiVersions, spec.versionType),
  };
}

/**
 * GET of one app and the lists by group and by subscription. `view` is what each stored app answers
 * (Container Apps leaves out secret values; sites answer what is stored).
 */
export function sourceAppReadRoutes(
  spec: SourceAppSpec,
  view: (app: ArmResource) => ArmResource = (app) => app,
): { get: RouteSpec; listInGroup: RouteSpec; listInSubscription: RouteSpec } {
  const app = sourceApp(spec);
  const action = `${spec.type}/read`;
  return {
    get: {
      method: 'GET',
      path: app.path,
      audience: 'arm',
      action,
      parents: (p) => [resourceGroupId(p)],
      handler(req, twin) {
        app.check(req);
        const found = twin.store.get(app.id(req.params));
        if (!found) throw notFound(spec.type, req.params[spec.nameParam]!, req.params.resourceGroupName!);
        return { status: 200, body: view(found) };
      },
    },
    listInGroup: {
      method: 'GET',
      path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${spec.type}`,
      audience: 'arm',
      action,
      parents: (p) => [resourceGroupId(p)],
      handler(req, twin) {
        app.check(req);
        return {
          status: 200,
          body: listBody(twin.store.listByScope(resourceGroupId(req.params), spec.type).map(view)),
        };
      },
    },
    listInSubscription: {
      method: 'GET',
      path: `/subscriptions/{subscriptionId}/providers/${spec.type}`,
      audience: 'arm',
      action,
      handler(req, twin) {
        app.check(req);
        return {
          status: 200,
          body: listBody(
            twin.store.listByScope(`/subscriptions/${req.params.subscriptionId}`, spec.type).map(view),
          ),
        };
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Identity

/** How each RP spells the combined identity type. */
export type IdentityStyle = 'web' | 'compact';

export interface IdentityRequest {
  type?: string;
  userAssignedIdentities?: Record<string, unknown> | null;
}

function parseTypes(type: string | undefined): { system: boolean; user: boolean } {
  const parts = (type ?? 'None').split(',').map((part) => part.trim().toLowerCase());
  return { system: parts.includes('systemassigned'), user: parts.includes('userassigned') };
}

function typeName(system: boolean, user: boolean, style: IdentityStyle): string {
  if (system && user) return style === 'web' ? 'SystemAssigned, UserAssigned' : 'SystemAssigned,UserAssigned';
  if (system) return 'SystemAssigned';
  if (user) return 'UserAssigned';
  return 'None';
}

/**
 * The managed-identity service's refusal as the RPs pass it on: 400 `FailedIdentityOperation` wrapping
 * the inner BadRequest (shape captured in Azure/azure-cli#31837).
 */
function failedIdentityOperation(resourceId: string, inner: string): AzureError {
  const response = JSON.stringify({ error: { code: 'BadRequest', message: inner } });
  return new AzureError(
    400,
    'FailedIdentityOperation',
    `Identity operation for resource '${resourceId}' failed with error 'Failed to perform resource identity operation. Status: 'BadRequest'. Response: '${response}'.'`,
  );
}

/**
 * The `identity.type` values an RP takes: its spec's enum. Microsoft.Web writes the combined type
 * with a space (`SystemAssigned, UserAssigned`, ManagedServiceIdentity in web's CommonDefinitions.json);
 * Microsoft.App and Microsoft.AppPlatform without one (`SystemAssigned,UserAssigned`, common-types
 * managedidentity.json and AppPlatform's ManagedIdentityType). Compared ignoring case, as ARM RPs
 * parse enums; any other spelling is refused.
 */
export function identityTypes(style: IdentityStyle): string[] {
  return ['None', 'SystemAssigned', 'UserAssigned', typeName(true, true, style)];
}

/**
 * ARM's own check of a linked resource id before the RP sees the body: a user-assigned identity key
 * that is not a fully qualified ARM id is refused 400 `LinkedInvalidPropertyId` (the text captured in
 * Azure/azure-cli#25401 and MicrosoftDocs/azure-docs#112377).
 */
export function checkIdentityKeys(identity: IdentityRequest | undefined): void {
  for (const key of Object.keys(identity?.userAssignedIdentities ?? {})) {
    if (/^\/subscriptions\/[^/]+\//i.test(key) || /^\/providers\/[^/]+\//i.test(key)) continue;
    throw new AzureError(
      400,
      'LinkedInvalidPropertyId',
      `Property id '${key}' at path '' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
    );
  }
}

/**
 * Checks an identity block of a write before anything changes: user-assigned identity keys are ARM
 * ids (`checkIdentityKeys`); the type must be one of the RP's enum values (`identityTypes`; otherwise
 * the twin sends the managed-identity service's wrapped BadRequest, the neighbour captured for a
 * malformed identity); user-assigned identities only with a type that includes `UserAssigned` (inner
 * text captured in Azure/azure-rest-api-specs#17650); and the caller needs the assign action on
 * every identity attached (403 `LinkedAuthorizationFailed`).
 */
export function checkIdentityWrite(
  req: TwinRequest,
  world: World,
  action: string,
  resourceId: string,
  requested: IdentityRequest | undefined,
  style: IdentityStyle,
): void {
  if (!requested) return;
  checkIdentityKeys(requested);
  if (requested.type !== undefined) {
    const accepted = identityTypes(style);
    if (
      typeof requested.type !== 'string' ||
      !accepted.some((type) => type.toLowerCase() === String(requested.type).toLowerCase())
    )
      throw failedIdentityOperation(
        resourceId,
        `The request format was unexpected: identity type '${String(requested.type)}' is not supported. Supported types are ${accepted.map((t) => `'${t}'`).join(', ')}.`,
      );
    const parts = requested.type.split(',').map((part) => part.trim().toLowerCase());
    const entries = Object.values(requested.userAssignedIdentities ?? {}).filter((v) => v !== null);
    if (!parts.includes('userassigned') && entries.length > 0)
      throw failedIdentityOperation(
        resourceId,
        'The request format was unexpected, a non-UserAssigned identity type should not contain: userAssignedIdentities',
      );
  }
  requireIdentityAssign(world, req.caller, action, resourceId, requested);
}

/** A UAMI by ARM id, or a 400 like ARM's when it does not exist. */
function resolveUami(store: ResourceStore, id: string): ArmResource {
  const found = store.get(id);
  if (!found || found.type.toLowerCase() !== UAMI_TYPE.toLowerCase()) {
    throw new AzureError(
      400,
      'FailedIdentityOperation',
      `Identity operation failed: the user assigned identity '${id}' was not found.`,
    );
  }
  return found;
}

/**
 * The identity block after applying `requested` to `current` (PUT and PATCH alike: absent fields keep
 * their value; a `null` user identity entry removes it). Switching the system identity on registers
 * a new managed-identity principal named `displayName`; switching it off forgets the principal id
 * (Azure deletes that service principal; the twin keeps it in the world, unreferenced).
 */
export function applyIdentity(
  host: IdentityHost,
  resourceId: string,
  displayName: string,
  current: Record<string, unknown> | undefined,
  requested: IdentityRequest | undefined,
  style: IdentityStyle,
): Record<string, unknown> | undefined {
  if (!requested) return current;
  const before = parseTypes(current?.type as string | undefined);
  const wanted = requested.type === undefined ? before : parseTypes(requested.type);
  const out: Record<string, unknown> = { type: typeName(wanted.system, wanted.user, style) };
  if (wanted.system) {
    if (before.system && typeof current?.principalId === 'string') {
      out.principalId = current.principalId;
      out.tenantId = current.tenantId;
    } else {
      const principal = host.addPrincipal({
        objectId: randomUUID(),
        appId: randomUUID(),
        tenantId: host.world.tenantId,
        kind: 'managedIdentity',
        displayName,
        alternativeId: resourceId,
      });
      out.principalId = principal.objectId;
      out.tenantId = principal.tenantId;
    }
  }
  if (wanted.user) {
    const existing =
      (before.user ? (current?.userAssignedIdentities as Record<string, unknown>) : undefined) ?? {};
    const merged: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(existing)) merged[id] = value;
    for (const [id, value] of Object.entries(requested.userAssignedIdentities ?? {})) {
      const key = Object.keys(merged).find((known) => sameId(known, id)) ?? id;
      if (value === null) {
        delete merged[key];
        continue;
      }
      const uami = resolveUami(host.store, id);
      const props = uami.properties as { principalId: string; clientId: string };
      merged[uami.id] = { principalId: props.principalId, clientId: props.clientId };
      if (key !== uami.id) delete merged[key];
    }
    out.userAssignedIdentities = merged;
  }
  return out;
}

/** Sets the identity block on `app`, or removes it when there is none or its type is `None`, as ARM shows it. */
export function setIdentity(app: ArmResource, identity: Record<string, unknown> | undefined): void {
  if (identity && identity.type !== 'None') app.identity = identity;
  else delete app.identity;
}

/** Adds a UAMI to a source's identity block (Service Connector's user-identity side effect). */
export function attachUami(
  identity: Record<string, unknown> | undefined,
  uami: ArmResource,
  style: IdentityStyle,
): Record<string, unknown> {
  const types = parseTypes(identity?.type as string | undefined);
  const props = uami.properties as { principalId: string; clientId: string };
  const users = {
    ...((types.user ? identity?.userAssignedIdentities : undefined) as Record<string, unknown> | undefined),
  };
  if (!Object.keys(users).some((id) => sameId(id, uami.id)))
    users[uami.id] = { principalId: props.principalId, clientId: props.clientId };
  return { ...identity, type: typeName(types.system, true, style), userAssignedIdentities: users };
}

export function hasSystemIdentity(identity: Record<string, unknown> | undefined): boolean {
  return parseTypes(identity?.type as string | undefined).system && typeof identity?.principalId === 'string';
}

export function hasUserIdentity(identity: Record<string, unknown> | undefined, uamiId: string): boolean {
  const users = identity?.userAssignedIdentities as Record<string, unknown> | undefined;
  return (
    parseTypes(identity?.type as string | undefined).user &&
    Object.keys(users ?? {}).some((id) => sameId(id, uamiId))
  );
}

/** Builds an identity block for a seed: system identity and/or UAMIs (which must already exist). */
export function seedIdentity(
  host: IdentityHost,
  resourceId: string,
  displayName: string,
  systemIdentity: boolean | undefined,
  userIdentities: string[] | undefined,
  style: IdentityStyle,
): Record<string, unknown> | undefined {
  const system = systemIdentity === true;
  const user = (userIdentities ?? []).length > 0;
  if (!system && !user) return undefined;
  const users: Record<string, unknown> = {};
  for (const id of userIdentities ?? []) users[id] = {};
  return applyIdentity(
    host,
    resourceId,
    displayName,
    undefined,
    { type: typeName(system, user, style), userAssignedIdentities: users },
    style,
  );
}

// ---------------------------------------------------------------------------------------------
// Where a source app keeps its settings

export type SourceKind = 'web' | 'containerApp' | 'springApp';

const SOURCE_PATTERNS: { kind: SourceKind; pattern: RegExp }[] = [
  {
    kind: 'web',
    pattern:
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+(\/slots\/[^/]+)?$/i,
  },
  {
    kind: 'containerApp',
    pattern:
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/containerApps\/[^/]+$/i,
  },
  {
    kind: 'springApp',
    pattern:
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.AppPlatform\/Spring\/[^/]+\/apps\/[^/]+$/i,
  },
];

/** The kind of source an ARM id names, or undefined for anything Service Connector cannot link from here. */
export function sourceKind(id: string): SourceKind | undefined {
  return SOURCE_PATTERNS.find((entry) => entry.pattern.test(id))?.kind;
}

/** One setting on a source. `secret` settings are stored where the platform keeps secrets. */
export interface SourceSetting {
  name: string;
  value: string;
  secret?: boolean;
}

/** Where the settings go: app settings, or (dotnet-connectionString) App Service connection strings. */
export type SettingsTarget =
  | { store: 'appSettings' }
  | { store: 'connectionStrings'; connectionType: string }
  | { store: 'env'; container: string | null };

export function appSettingsId(siteId: string): string {
  return `${siteId}/config/appsettings`;
}

export function connectionStringsId(siteId: string): string {
  return `${siteId}/config/connectionstrings`;
}

/**
 * The active deployment of a Spring app, where its environment variables live: the one marked
 * `properties.active` (Deployments_List.json; the app resource does not name it at 2023-12-01).
 */
export function springDeployment(store: ResourceStore, appId: string): ArmResource | undefined {
  return store
    .listByScope(appId, 'Microsoft.AppPlatform/Spring/apps/deployments')
    .find((deployment) => (deployment.properties as { active?: unknown } | undefined)?.active === true);
}

function containerOf(app: ArmResource, name: string | null): Record<string, unknown> {
  const containers = ((app.properties as any)?.template?.containers ?? []) as Record<string, unknown>[];
  const found = name === null ? containers[0] : containers.find((container) => container.name === name);
  if (!found)
    throw new AzureError(
      400,
      'GeneralUserError',
      `Execution failed. Container '${name ?? ''}' was not found in the container app.`,
    );
  return found;
}

/** Current values of `names` on a source (absent names are left out). */
export function readSourceSettings(
  store: ResourceStore,
  sourceId: string,
  where: SettingsTarget,
  names: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const kind = sourceKind(sourceId);
  if (kind === 'web') {
    if (where.store === 'connectionStrings') {
      const props = (store.get(connectionStringsId(sourceId))?.properties ?? {}) as Record<
        string,
        { value: string }
      >;
      for (const name of names) if (props[name]) out[name] = props[name].value;
    } else {
      const props = (store.get(appSettingsId(sourceId))?.properties ?? {}) as Record<string, string>;
      for (const name of names) if (name in props) out[name] = props[name]!;
    }
  } else if (kind === 'containerApp') {
    const app = store.get(sourceId);
    if (!app) return out;
    const container = containerOf(app, where.store === 'env' ? where.container : null);
    const secrets = ((app.properties as any)?.configuration?.secrets ?? []) as {
      name: string;
      value?: string;
    }[];
    for (const entry of (container.env ?? []) as { name: string; value?: string; secretRef?: string }[]) {
      if (!names.includes(entry.name)) continue;
      if (entry.secretRef !== undefined) {
        const secret = secrets.find((s) => s.name === entry.secretRef);
        if (secret?.value !== undefined) out[entry.name] = secret.value;
      } else if (entry.value !== undefined) out[entry.name] = entry.value;
    }
  } else if (kind === 'springApp') {
    const env = ((springDeployment(store, sourceId)?.properties as any)?.deploymentSettings
      ?.environmentVariables ?? {}) as Record<string, string>;
    for (const name of names) if (name in env) out[name] = env[name]!;
  }
  return out;
}

function secretName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Sets (`value` given) or removes (`remove`) settings on a source, wherever that kind keeps them. */
export function writeSourceSettings(
  store: ResourceStore,
  sourceId: string,
  where: SettingsTarget,
  set: SourceSetting[],
  remove: string[] = [],
): void {
  const kind = sourceKind(sourceId);
  if (kind === 'web') {
    if (where.store === 'connectionStrings') {
      const doc = store.get(connectionStringsId(sourceId)) ?? configDoc(sourceId, 'connectionstrings');
      const props = { ...(doc.properties as Record<string, unknown>) };
      for (const name of remove) delete props[name];
      for (const setting of set) props[setting.name] = { value: setting.value, type: where.connectionType };
      store.put({ ...doc, properties: props });
    } else {
      const doc = store.get(appSettingsId(sourceId)) ?? configDoc(sourceId, 'appsettings');
      const props = { ...(doc.properties as Record<string, string>) };
      for (const name of remove) delete props[name];
      for (const setting of set) props[setting.name] = setting.value;
      store.put({ ...doc, properties: props });
    }
    return;
  }
  if (kind === 'containerApp') {
    const app = store.get(sourceId);
    if (!app) return;
    const container = containerOf(app, where.store === 'env' ? where.container : null);
    const props = (app.properties ?? {}) as Record<string, any>;
    props.configuration = props.configuration ?? {};
    app.properties = props;
    const config = props.configuration;
    let secrets = (config.secrets ?? []) as { name: string; value?: string }[];
    let env = ((container.env ?? []) as { name: string; value?: string; secretRef?: string }[]).filter(
      (entry) => {
        if (!remove.includes(entry.name) && !set.some((s) => s.name === entry.name)) return true;
        if (entry.secretRef !== undefined)
          secrets = secrets.filter((secret) => secret.name !== entry.secretRef);
        return false;
      },
    );
    for (const setting of set) {
      if (setting.secret) {
        const ref = secretName(setting.name);
        secrets = [...secrets.filter((secret) => secret.name !== ref), { name: ref, value: setting.value }];
        env = [...env, { name: setting.name, secretRef: ref }];
      } else env = [...env, { name: setting.name, value: setting.value }];
    }
    container.env = env;
    config.secrets = secrets;
    store.put(app);
    return;
  }
  if (kind === 'springApp') {
    const deployment = springDeployment(store, sourceId);
    if (!deployment)
      throw new AzureError(
        400,
        'GeneralUserError',
        'Execution failed. The Spring app has no active deployment.',
      );
    const props = (deployment.properties ?? {}) as Record<string, any>;
    props.deploymentSettings = props.deploymentSettings ?? {};
    deployment.properties = props;
    const settings = props.deploymentSettings;
    const env = { ...(settings.environmentVariables ?? {}) } as Record<string, string>;
    for (const name of remove) delete env[name];
    for (const setting of set) env[setting.name] = setting.value;
    settings.environmentVariables = env;
    store.put(deployment);
  }
}

function configDoc(siteId: string, name: string): ArmResource {
  return {
    id: `${siteId}/config/${name}`,
    name,
    type: 'Microsoft.Web/sites/config',
    kind: 'app',
    properties: {},
  };
}

/** Container App secrets are write-only on GET: the values are dropped from the answer. */
export function withoutSecretValues(app: ArmResource): ArmResource {
  const secrets = (app.properties as any)?.configuration?.secrets as { name: string }[] | undefined;
  if (!secrets) return app;
  const copy = structuredClone(app);
  (copy.properties as any).configuration.secrets = secrets.map((secret) => ({ name: secret.name }));
  return copy;
}
