/**
 * Service Connector (`Microsoft.ServiceLinker/linkers`) on Web sites, Container Apps and Spring apps,
 * following Service Connector's REST reference: list/get, PUT and PATCH (201/200 +
 * `Azure-AsyncOperation`, Accepted → Succeeded), DELETE (202 → Deleting → Succeeded; missing → 204),
 * validateLinker (202; the terminal status body carries the result, derived from the world) and
 * listConfigurations. On success a linker writes the settings of linker-settings.ts to the source
 * (app settings, connection strings, container env or deployment env), switches the source's system
 * identity on or binds the user identity; deleting it removes exactly the settings it wrote.
 * Secrets sent in `authInfo` are never echoed and never stored in the linker.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type ArmResource,
  AzureError,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type TwinRequest,
  type TwinResponse,
} from '../api.ts';
import { requireLinkedAccess } from '../framework/linked-access.ts';
import { firewallRule } from './database-routes.ts';
import {
  type LinkerOperationKind,
  type OperationOutcome,
  pollLinkerOperation,
  startLinkerOperation,
} from './linker-operations.ts';
import { type AuthKind, settingsFor, TARGETS, type TargetKind } from './linker-settings.ts';
import {
  applyIdentity,
  attachUami,
  hasSystemIdentity,
  hasUserIdentity,
  readSourceSettings,
  type SettingsTarget,
  type SourceSetting,
  sameId,
  sourceKind,
  UAMI_TYPE,
  writeSourceSettings,
} from './source-apps.ts';

export const SERVICE_LINKER_API_VERSIONS = [
  '2024-07-01-preview',
  '2024-04-01',
  '2023-04-01-preview',
  '2022-11-01-preview',
  '2022-05-01',
  '2022-01-01-preview',
  '2021-11-01-preview',
] as const;
const LINKER_TYPE = 'microsoft.servicelinker/linkers';
const LINKERS = '/{*resourceUri}/providers/Microsoft.ServiceLinker/linkers';
const LINKER = `${LINKERS}/{linkerName}`;
const AUTH_KINDS: readonly AuthKind[] = [
  'systemAssignedIdentity',
  'userAssignedIdentity',
  'servicePrincipalSecret',
];

/** One setting a linker wrote: the value for plain ones, a digest for secrets (to detect drift). */
interface WrittenSetting {
  name: string;
  value: string | null;
  digest: string;
  secret: boolean;
}

/** Twin-only bookkeeping kept beside the wire body; never sent. */
interface LinkerState {
  written: WrittenSetting[];
  where: SettingsTarget;
  etag: string;
  /** Firewall rules the linker added to its target (publicNetworkSolution not opted out). */
  rules?: string[];
}

type StoredLinker = ArmResource & { _twin: LinkerState };

/** Secrets of PUTs whose operation has not run yet; kept out of the store. */
const pendingSecrets = new Map<string, string>();

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sourceIdOf(params: Record<string, string>): string {
  return `/${params.resourceUri!.replace(/^\/+/, '')}`;
}

function linkerIdOf(params: Record<string, string>): string {
  return `${sourceIdOf(params)}/providers/Microsoft.ServiceLinker/linkers/${params.linkerName}`;
}

function parentsOf(params: Record<string, string>): string[] {
  const id = sourceIdOf(params);
  const group = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\//i.exec(id);
  return group ? [group[1]!, id] : [];
}

function check(req: TwinRequest): void {
  if (req.apiVersion && !(SERVICE_LINKER_API_VERSIONS as readonly string[]).includes(req.apiVersion)) {
    throw new AzureError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'global' and API version '${req.apiVersion}' for type 'linkers'. The supported api-versions are '${SERVICE_LINKER_API_VERSIONS.join(', ')}'.`,
    );
  }
}

function linkerNotFound(name: string): AzureError {
  return new AzureError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ServiceLinker/linkers/${name}' was not found.`,
  );
}

/** The body as Azure sends it: bookkeeping removed. */
function wire(linker: StoredLinker): ArmResource {
  const { _twin, ...body } = linker;
  return body;
}

function etagHeader(linker: StoredLinker): Record<string, string> {
  return { ETag: `"${linker._twin.etag}"` };
}

// ---------------------------------------------------------------------------------------------
// Request parsing

interface Target {
  kind: TargetKind;
  serverId: string;
  server: string;
  database: string;
}

function parseTarget(targetService: any): Target {
  const id = String(targetService?.id ?? '');
  if (targetService?.type !== 'AzureResource') {
    throw new AzureError(
      400,
      'TargetTypeNotSupported',
      `Target service type ${String(targetService?.type ?? '')} is not supported.`,
    );
  }
  for (const [kind, info] of Object.entries(TARGETS) as [TargetKind, (typeof TARGETS)[TargetKind]][]) {
    const pattern = new RegExp(
      `^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/${info.serverType.replace(/[./]/g, '\\$&')}/([^/]+))(/databases/([^/]+))?$`,
      'i',
    );
    const match = pattern.exec(id);
    if (!match) continue;
    if (!match[3]) {
      throw new AzureError(
        400,
        'TargetTypeNotSupported',
        `Target resource type ${info.serverType.toUpperCase()} is not supported.`,
      );
    }
    return { kind, serverId: match[1]!, server: match[2]!, database: match[4]! };
  }
  const type = /\/providers\/([^/]+\/[^/]+)/i.exec(id)?.[1] ?? id;
  throw new AzureError(
    400,
    'TargetTypeNotSupported',
    `Target resource type ${type.toUpperCase()} is not supported.`,
  );
}

/** The null-filled echo the 2024 RP versions return; secrets dropped. */
function echoProperties(input: Record<string, any>, provisioningState: string): Record<string, unknown> {
  const pns = input.publicNetworkSolution ?? {};
  const ci = input.configurationInfo ?? {};
  const {
    secret: _secret,
    certificate: _certificate,
    secretInfo,
    ...auth
  } = (input.authInfo ?? {}) as Record<string, any>;
  const authInfo: Record<string, unknown> = {
    roles: null,
    userName: null,
    deleteOrUpdateBehavior: null,
    authMode: null,
    ...auth,
  };
  if (secretInfo !== undefined)
    authInfo.secretInfo = secretInfo === null ? null : { secretType: secretInfo.secretType ?? null };
  return {
    publicNetworkSolution: {
      firewallRules: pns.firewallRules ?? null,
      deleteOrUpdateBehavior: pns.deleteOrUpdateBehavior ?? null,
      action: pns.action ?? null,
    },
    configurationInfo: {
      customizedKeys: ci.customizedKeys ?? null,
      configurationStore: { appConfigurationId: ci.configurationStore?.appConfigurationId ?? null },
      additionalConfigurations: ci.additionalConfigurations ?? null,
      additionalConnectionStringProperties: ci.additionalConnectionStringProperties ?? null,
      deleteOrUpdateBehavior: ci.deleteOrUpdateBehavior ?? null,
      action: ci.action ?? null,
      daprProperties: ci.daprProperties ?? null,
    },
    provisioningState,
    targetService: {
      id: input.targetService?.id,
      resourceProperties: input.targetService?.resourceProperties ?? null,
      type: input.targetService?.type,
    },
    authInfo,
    clientType: input.clientType ?? 'none',
    scope: input.scope ?? null,
    vNetSolution: input.vNetSolution ?? null,
    secretStore: {
      keyVaultId: input.secretStore?.keyVaultId ?? null,
      keyVaultSecretName: input.secretStore?.keyVaultSecretName ?? null,
    },
  };
}

/** 2022-05-01 has no `userName`, `configurationInfo` or `publicNetworkSolution`: the RP never sees them. */
function forApiVersion(properties: Record<string, any>, apiVersion: string | null): Record<string, any> {
  if (apiVersion !== '2022-05-01') return properties;
  const { configurationInfo: _c, publicNetworkSolution: _p, ...rest } = properties;
  const { userName: _u, ...auth } = (rest.authInfo ?? {}) as Record<string, unknown>;
  return { ...rest, authInfo: auth };
}

function validateRequest(
  sourceId: string,
  properties: Record<string, any>,
): { target: Target; auth: AuthKind } {
  const target = parseTarget(properties.targetService);
  // A container app keeps its settings in the env of one container: the linker must name it
  // (fixtures/SOURCES.md, "Service Connector": the refusal is the twin's choice, Azure documents none).
  if (sourceKind(sourceId) === 'containerApp' && (typeof properties.scope !== 'string' || !properties.scope))
    throw new AzureError(
      400,
      'BadRequest',
      "The property 'scope' is required when the source is a container app: give the name of the container whose environment variables hold the connection.",
    );
  const authType = properties.authInfo?.authType;
  if (!AUTH_KINDS.includes(authType)) {
    // The twin models identity connections only (what sc-doctor creates).
    throw new AzureError(
      400,
      'BadRequest',
      `Auth type '${String(authType)}' is not supported by the twin's Service Connector.`,
    );
  }
  const clientType = properties.clientType ?? 'none';
  const blank = { host: '', db: '', user: '', clientId: '', tenantId: '', secret: '' };
  if (!settingsFor(target.kind, clientType, authType, blank)) {
    throw new AzureError(
      400,
      'BadRequest',
      `Client type '${clientType}' is not supported for auth type '${authType}' with target ${TARGETS[target.kind].serverType}.`,
    );
  }
  if (
    authType === 'userAssignedIdentity' &&
    (!properties.authInfo.clientId || !properties.authInfo.subscriptionId)
  ) {
    throw new AzureError(
      400,
      'BadRequest',
      'clientId and subscriptionId are required for a user assigned identity.',
    );
  }
  if (
    authType === 'servicePrincipalSecret' &&
    (!properties.authInfo.clientId || !properties.authInfo.principalId || !properties.authInfo.secret)
  ) {
    throw new AzureError(
      400,
      'BadRequest',
      'clientId, principalId and secret are required for a service principal.',
    );
  }
  return { target, auth: authType };
}

// ---------------------------------------------------------------------------------------------
// Side effects

function findUami(twin: TwinContext, subscriptionId: string, clientId: string): ArmResource | undefined {
  return twin.store
    .listByScope(`/subscriptions/${subscriptionId}`, UAMI_TYPE)
    .find(
      (identity) => String((identity.properties as any)?.clientId).toLowerCase() === clientId.toLowerCase(),
    );
}

function identityStyle(sourceId: string): 'web' | 'compact' {
  return sourceKind(sourceId) === 'web' ? 'web' : 'compact';
}

/** Switches on the system identity / binds the UAMI on the source, as the RP does (DOC-IAC). */
function ensureIdentity(
  twin: TwinContext,
  sourceId: string,
  properties: Record<string, any>,
): ArmResource | undefined {
  const source = twin.store.get(sourceId);
  if (!source)
    throw new AzureError(
      404,
      'GeneralUserError',
      `Execution failed. The source resource '${sourceId}' was not found.`,
    );
  const auth = properties.authInfo;
  if (auth.authMode === 'optOutAllAuth') return undefined;
  if (auth.authType === 'systemAssignedIdentity' && !hasSystemIdentity(source.identity)) {
    const type = String(source.identity?.type ?? 'None');
    const wanted = /userassigned/i.test(type) ? 'SystemAssigned,UserAssigned' : 'SystemAssigned';
    const display =
      sourceKind(sourceId) === 'springApp' ? `${source.id.split('/')[8]}/apps/${source.name}` : source.name;
    source.identity = applyIdentity(
      twin,
      source.id,
      display,
      source.identity,
      { type: wanted },
      identityStyle(sourceId),
    );
    twin.store.put(source);
  }
  if (auth.authType === 'userAssignedIdentity') {
    const uami = findUami(twin, auth.subscriptionId, auth.clientId);
    if (!uami)
      throw new AzureError(
        400,
        'GeneralUserError',
        `Execution failed. No user assigned identity with client id '${auth.clientId}' was found.`,
      );
    if (!hasUserIdentity(source.identity, uami.id)) {
      source.identity = attachUami(source.identity, uami, identityStyle(sourceId));
      twin.store.put(source);
    }
    return uami;
  }
  return undefined;
}

/**
 * What the RP does to the target's network unless `publicNetworkSolution.action` is `optOut`
 * (DOC-INT "Service Connector internals"; SPEC 2024-04-01 `PublicNetworkSolution`): on a target that
 * admits public traffic it adds a firewall rule for each outbound address of the source, and the
 * "Azure services" rule (0.0.0.0) and the given ranges when `firewallRules` asks for them. A target
 * that denies public traffic is left alone. The rule names Azure uses are not documented: the twin's
 * are `ServiceLinker_<linker>_<n>` (fixtures/SOURCES.md, "Service Connector"). Returns the ids it added.
 */
function openTargetFirewall(
  twin: TwinContext,
  target: Target,
  sourceId: string,
  linkerName: string,
  properties: Record<string, any>,
): string[] {
  const solution = (properties.publicNetworkSolution ?? {}) as Record<string, any>;
  if (String(solution.action ?? 'enable').toLowerCase() === 'optout') return [];
  const server = twin.store.get(target.serverId);
  const props = (server?.properties ?? {}) as Record<string, any>;
  const publicAccess = props.network?.publicNetworkAccess ?? props.publicNetworkAccess ?? 'Enabled';
  if (!server || String(publicAccess).toLowerCase() === 'disabled') return [];
  const source = twin.store.get(sourceId);
  const wanted: { start: string; end: string }[] = source
    ? sourceOutboundIps(source).map((ip) => ({ start: ip, end: ip }))
    : [];
  const rules = (solution.firewallRules ?? {}) as Record<string, any>;
  for (const range of (rules.ipRanges ?? []) as string[]) {
    const [start, end] = String(range).split('-');
    if (start) wanted.push({ start, end: end ?? start });
  }
  const serverType = TARGETS[target.kind].serverType;
  const added: string[] = [];
  const safe = linkerName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  wanted.forEach((range, index) => {
    const rule = firewallRule(
      serverType,
      server.id,
      `ServiceLinker_${safe}_${index + 1}`,
      range.start,
      range.end,
    );
    twin.store.put(rule);
    added.push(rule.id);
  });
  if (String(rules.azureServices).toLowerCase() === 'true') {
    const rule = firewallRule(
      serverType,
      server.id,
      'AllowAllAzureServicesAndResourcesWithinAzureIps',
      '0.0.0.0',
      '0.0.0.0',
    );
    if (!twin.store.get(rule.id)) {
      twin.store.put(rule);
      added.push(rule.id);
    }
  }
  return added;
}

function serverHost(twin: TwinContext, target: Target): string {
  const server = twin.store.get(target.serverId);
  const fqdn = (server?.properties as any)?.fullyQualifiedDomainName;
  return typeof fqdn === 'string' && fqdn ? fqdn : `${target.server}${TARGETS[target.kind].dnsSuffix}`;
}

function whereFor(sourceId: string, properties: Record<string, any>, target: Target): SettingsTarget {
  const kind = sourceKind(sourceId);
  if (kind === 'web') {
    return properties.clientType === 'dotnet-connectionString'
      ? { store: 'connectionStrings', connectionType: TARGETS[target.kind].connectionStringType }
      : { store: 'appSettings' };
  }
  return { store: 'env', container: properties.scope ?? null };
}

/** `AZURE_POSTGRESQL_HOST` → `AZURE_POSTGRESQL_CONN2_HOST` for the second connection to that target type (DOC-INT). */
function qualify(key: string, token: string, linkerName: string): string {
  const prefix = `AZURE_${token}_`;
  if (!key.startsWith(prefix)) return key;
  return `${prefix}${linkerName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${key.slice(prefix.length)}`;
}

function computeSettings(
  twin: TwinContext,
  linkerId: string,
  linkerName: string,
  sourceId: string,
  properties: Record<string, any>,
  target: Target,
  auth: AuthKind,
  uami: ArmResource | undefined,
  secret: string,
): SourceSetting[] {
  if (properties.configurationInfo?.action === 'optOut') return [];
  const info = properties.authInfo;
  const clientId =
    auth === 'userAssignedIdentity'
      ? String((uami?.properties as any)?.clientId ?? info.clientId)
      : String(info.clientId ?? '');
  const templates =
    settingsFor(target.kind, properties.clientType ?? 'none', auth, {
      host: serverHost(twin, target),
      db: target.database,
      // What the RP writes without a user name is unverified; `az` would have sent aad_<connection>.
      user: info.userName ?? `aad_${linkerName}`,
      clientId,
      tenantId: twin.world.tenantId,
      secret,
    }) ?? [];
  const token = TARGETS[target.kind].token;
  const otherOfSameType = twin.store
    .listByScope(sourceId, LINKER_TYPE)
    .some(
      (other) =>
        !sameId(other.id, linkerId) &&
        sameId(`${sourceId}/providers/Microsoft.ServiceLinker/linkers/${other.name}`, other.id) &&
        otherTargetKind(other) === target.kind,
    );
  const renames = (properties.configurationInfo?.customizedKeys ?? {}) as Record<string, string>;
  const settings: SourceSetting[] = templates.map((template) => {
    const name = otherOfSameType ? qualify(template.key, token, linkerName) : template.key;
    // Whether a customized key names the default or the qualified name is not documented: either
    // renames it (fixtures/SOURCES.md, "Service Connector").
    return {
      name: renames[name] ?? renames[template.key] ?? name,
      value: template.value,
      ...(template.secret ? { secret: true } : {}),
    };
  });
  for (const [name, value] of Object.entries(
    (properties.configurationInfo?.additionalConfigurations ?? {}) as Record<string, string>,
  )) {
    settings.push({ name, value: String(value) });
  }
  return settings;
}

function otherTargetKind(linker: ArmResource): TargetKind | undefined {
  try {
    return parseTarget((linker.properties as any)?.targetService).kind;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation (derived from the world)

interface Detail {
  name: string;
  description: string;
  result: 'success' | 'failure' | 'warning';
  errorMessage: string | null;
  errorCode: string | null;
}

function ok(name: string): Detail {
  return { name, description: name, result: 'success', errorMessage: null, errorCode: null };
}

function failed(
  name: string,
  code: string,
  message: string,
  result: 'failure' | 'warning' = 'failure',
): Detail {
  return {
    name,
    description: message,
    result,
    errorMessage: result === 'failure' ? message : null,
    errorCode: result === 'failure' ? code : null,
  };
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function sourceOutboundIps(source: ArmResource): string[] {
  const props = (source.properties ?? {}) as Record<string, any>;
  if (typeof props.outboundIpAddresses === 'string')
    return props.outboundIpAddresses.split(',').filter(Boolean);
  if (Array.isArray(props.outboundIpAddresses)) return props.outboundIpAddresses as string[];
  return [];
}

function firewallCheck(twin: TwinContext, target: Target, source: ArmResource): Detail {
  const name = 'Target service firewall validated.';
  const server = twin.store.get(target.serverId);
  const props = (server?.properties ?? {}) as Record<string, any>;
  const publicAccess = props.network?.publicNetworkAccess ?? props.publicNetworkAccess ?? 'Enabled';
  if (String(publicAccess).toLowerCase() === 'disabled') {
    return failed(
      name,
      'TargetNetworkAccess',
      'Deny public network access is set to yes. Please confirm you are using private endpoint connection to access target resource.',
      'warning',
    );
  }
  const rules = twin.store
    .children(target.serverId, `${TARGETS[target.kind].serverType}/firewallRules`)
    .map((rule) => {
      const p = (rule.properties ?? {}) as Record<string, string>;
      return {
        start: ipToNumber(p.startIpAddress ?? '255.255.255.255'),
        end: ipToNumber(p.endIpAddress ?? '0.0.0.0'),
      };
    });
  if (rules.some((rule) => rule.start === 0 && rule.end === 0)) return ok(name);
  const ips = sourceOutboundIps(source);
  const admitted =
    ips.length > 0 &&
    ips.every((ip) => rules.some((rule) => rule.start <= ipToNumber(ip) && ipToNumber(ip) <= rule.end));
  return admitted
    ? ok(name)
    : failed(
        name,
        'TargetNetworkAccess',
        "The target service firewall does not allow the source's outbound IP addresses or Azure services.",
      );
}

function validate(twin: TwinContext, linker: StoredLinker, sourceId: string): Detail[] {
  const details: Detail[] = [];
  const properties = linker.properties as Record<string, any>;
  const target = parseTarget(properties.targetService);
  const exists =
    twin.store.get(target.serverId) !== undefined &&
    twin.store.get(properties.targetService.id) !== undefined;
  details.push(
    exists
      ? ok('Target resource existence validated.')
      : failed(
          'Target resource existence validated.',
          'TargetNotFound',
          `The target resource '${properties.targetService.id}' was not found.`,
        ),
  );
  const source = twin.store.get(sourceId);
  if (exists && source) details.push(firewallCheck(twin, target, source));
  const { written, where } = linker._twin;
  const current = readSourceSettings(
    twin.store,
    sourceId,
    where,
    written.map((setting) => setting.name),
  );
  const drifted = written
    .filter(
      (setting) => current[setting.name] === undefined || digest(current[setting.name]!) !== setting.digest,
    )
    .map((s) => s.name);
  details.push(
    drifted.length === 0
      ? ok('Configured connection information validated.')
      : failed(
          'Configured connection information validated.',
          'ConfigurationMissing',
          `These settings are missing or changed on the source: ${drifted.join(', ')}.`,
        ),
  );
  const auth = properties.authInfo as Record<string, any>;
  const identityName = 'Managed Identity existence validated.';
  if (auth.authType === 'systemAssignedIdentity') {
    const principalId = source?.identity?.principalId as string | undefined;
    details.push(
      hasSystemIdentity(source?.identity) && principalId && twin.principal(principalId)
        ? ok(identityName)
        : failed(identityName, 'IdentityNotFound', 'The source has no system assigned identity.'),
    );
  } else if (auth.authType === 'userAssignedIdentity') {
    const uami = findUami(twin, auth.subscriptionId, auth.clientId);
    details.push(
      uami && hasUserIdentity(source?.identity, uami.id)
        ? ok(identityName)
        : failed(
            identityName,
            'IdentityNotFound',
            `The user assigned identity with client id '${auth.clientId}' is not assigned to the source.`,
          ),
    );
  } else {
    const name = 'Service principal existence validated.';
    details.push(
      twin.principal(auth.clientId)
        ? ok(name)
        : failed(name, 'IdentityNotFound', `No service principal with client id '${auth.clientId}'.`),
    );
  }
  return details;
}

// ---------------------------------------------------------------------------------------------
// Handlers

function location(twin: TwinContext, sourceId: string): string | undefined {
  return twin.store.get(sourceId)?.location;
}

/** Starts one of the linker's operations; the status URL sits in the source's region. Returns that URL. */
function startOperation(
  req: TwinRequest,
  twin: TwinContext,
  kind: LinkerOperationKind,
  id: string,
  sourceId: string,
  work: () => Promise<OperationOutcome> | OperationOutcome,
): string {
  const fault = twin.takeLroFault?.(id);
  const injected = () => {
    // The RP's own operation failed downstream: a linker being created is left Failed, as Azure leaves it.
    const stored = twin.store.get(id);
    if (stored && kind === 'create') {
      (stored.properties as Record<string, unknown>).provisioningState = 'Failed';
      twin.store.put(stored);
    }
    throw new AzureError(500, fault!.code ?? 'InternalServerError', fault!.message ?? 'Injected failure.');
  };
  return startLinkerOperation({
    kind,
    baseUrl: twin.baseUrl,
    subscriptionId: id.split('/')[2]!,
    location: location(twin, sourceId),
    resourceId: id,
    apiVersion: req.apiVersion ?? '2024-04-01',
    now: () => twin.nowIso(),
    work: fault ? injected : work,
  });
}

/** Takes back from the source exactly the settings a linker wrote (before a rewrite or on delete). */
function removeWrittenSettings(twin: TwinContext, sourceId: string, state: LinkerState): void {
  writeSourceSettings(
    twin.store,
    sourceId,
    state.where,
    [],
    state.written.map((s) => s.name),
  );
}

/** The 202 of a delete or validation: both polling headers point at the operation, no body. */
function operationAccepted(url: string): TwinResponse {
  return {
    status: 202,
    headers: { 'Azure-AsyncOperation': url, Location: url, 'Retry-After': '0' },
    body: null,
  };
}

function upsert(method: 'PUT' | 'PATCH'): RouteSpec {
  return {
    method,
    path: LINKER,
    audience: 'arm',
    action: 'Microsoft.ServiceLinker/linkers/write',
    parents: parentsOf,
    handler(req, twin) {
      check(req);
      const sourceId = sourceIdOf(req.params);
      if (!sourceKind(sourceId))
        throw new AzureError(
          400,
          'BadRequest',
          `Source resource '${sourceId}' is not supported by Service Connector in the twin.`,
        );
      const linkerName = req.params.linkerName!;
      if (!/^[A-Za-z0-9_.]{1,128}$/.test(linkerName)) {
        throw new AzureError(
          400,
          'BadRequest',
          `The linker name '${linkerName}' is invalid: use letters, digits, '_' and '.'.`,
        );
      }
      const id = linkerIdOf(req.params);
      const existing = twin.store.get(id) as StoredLinker | undefined;
      if (method === 'PATCH' && !existing) throw linkerNotFound(linkerName);
      const requested = forApiVersion((req.body?.properties ?? {}) as Record<string, any>, req.apiVersion);
      const properties =
        method === 'PATCH'
          ? {
              ...(existing!.properties as Record<string, any>),
              ...requested,
              authInfo: { ...(existing!.properties as any).authInfo, ...requested.authInfo },
            }
          : requested;
      const { target, auth } = validateRequest(sourceId, properties);
      // Whether ARM checks the target as a linked scope is not documented (refusal notes, Service
      // Connector section): the twin takes the ARM-generic linked check with the least a linker needs
      // on its target, reading the database.
      requireLinkedAccess(
        twin.world,
        req.caller,
        'Microsoft.ServiceLinker/linkers/write',
        sourceId,
        `${TARGETS[target.kind].serverType}/databases/read`,
        [String(properties.targetService.id)],
      );
      const secret =
        typeof properties.authInfo.secret === 'string' ? (properties.authInfo.secret as string) : '';
      const who = req.caller.userPrincipalName ?? req.caller.appId ?? req.caller.objectId;
      const whoType = req.caller.kind === 'user' ? 'User' : 'Application';
      const now = twin.nowIso();
      const systemData = {
        createdBy: (existing?.systemData as any)?.createdBy ?? who,
        createdByType: (existing?.systemData as any)?.createdByType ?? whoType,
        createdAt: (existing?.systemData as any)?.createdAt ?? now,
        lastModifiedBy: who,
        lastModifiedByType: whoType,
        lastModifiedAt: now,
      };
      const accepted: StoredLinker = {
        id,
        name: linkerName,
        type: LINKER_TYPE,
        systemData,
        properties: echoProperties(properties, 'Accepted'),
        _twin: existing?._twin ?? {
          written: [],
          where: whereFor(sourceId, properties, target),
          etag: randomUUID(),
        },
      };
      accepted._twin.etag = randomUUID();
      twin.store.put(accepted);
      const operationKey = randomUUID();
      if (secret) pendingSecrets.set(operationKey, secret);
      const url = startOperation(req, twin, 'create', id, sourceId, () => {
        const secretValue = pendingSecrets.get(operationKey) ?? '';
        pendingSecrets.delete(operationKey);
        const stored = twin.store.get(id) as StoredLinker | undefined;
        if (!stored)
          throw new AzureError(
            404,
            'GeneralUserError',
            'Execution failed. The linker was deleted while being created.',
          );
        try {
          // A missing target database is found while provisioning, like the RP's other downstream
          // failures (a Failed operation with GeneralUserError, "Execution failed. ...").
          if (!twin.store.get(String(properties.targetService.id)))
            throw new AzureError(
              400,
              'GeneralUserError',
              `Execution failed. The target resource '${properties.targetService.id}' was not found.`,
            );
          const uami = ensureIdentity(twin, sourceId, properties);
          const rules = openTargetFirewall(twin, target, sourceId, linkerName, properties);
          const where = whereFor(sourceId, properties, target);
          const settings = computeSettings(
            twin,
            id,
            linkerName,
            sourceId,
            properties,
            target,
            auth,
            uami,
            secretValue,
          );
          removeWrittenSettings(twin, sourceId, stored._twin);
          writeSourceSettings(twin.store, sourceId, where, settings);
          stored._twin = {
            where,
            etag: randomUUID(),
            rules: [...new Set([...(stored._twin.rules ?? []), ...rules])],
            written: settings.map((s) => ({
              name: s.name,
              value: s.secret ? null : s.value,
              digest: digest(s.value),
              secret: s.secret === true,
            })),
          };
          (stored.properties as Record<string, unknown>).provisioningState = 'Succeeded';
          twin.store.put(stored);
          return { properties: { Message: null } };
        } catch (error) {
          (stored.properties as Record<string, unknown>).provisioningState = 'Failed';
          twin.store.put(stored);
          throw error;
        }
      });
      return {
        status: method === 'PUT' ? 201 : 200,
        headers: { 'Azure-AsyncOperation': url, 'Retry-After': '0', ...etagHeader(accepted) },
        body: wire(accepted),
      };
    },
  };
}

const getLinker: RouteSpec = {
  method: 'GET',
  path: LINKER,
  audience: 'arm',
  action: 'Microsoft.ServiceLinker/linkers/read',
  parents: parentsOf,
  handler(req, twin) {
    check(req);
    const linker = twin.store.get(linkerIdOf(req.params)) as StoredLinker | undefined;
    if (!linker) throw linkerNotFound(req.params.linkerName!);
    return { status: 200, headers: etagHeader(linker), body: wire(linker) };
  },
};

const listLinkers: RouteSpec = {
  method: 'GET',
  path: LINKERS,
  audience: 'arm',
  action: 'Microsoft.ServiceLinker/linkers/read',
  parents: parentsOf,
  handler(req, twin) {
    check(req);
    const sourceId = sourceIdOf(req.params);
    const own = twin.store
      .listByScope(sourceId, LINKER_TYPE)
      .filter((linker) =>
        sameId(linker.id, `${sourceId}/providers/Microsoft.ServiceLinker/linkers/${linker.name}`),
      );
    return {
      status: 200,
      body: { value: own.map((linker) => wire(linker as StoredLinker)), nextLink: null },
    };
  },
};

const deleteLinker: RouteSpec = {
  method: 'DELETE',
  path: LINKER,
  audience: 'arm',
  action: 'Microsoft.ServiceLinker/linkers/delete',
  parents: parentsOf,
  handler(req, twin) {
    check(req);
    const id = linkerIdOf(req.params);
    const sourceId = sourceIdOf(req.params);
    if (!twin.store.get(id)) return { status: 204 };
    const url = startOperation(req, twin, 'delete', id, sourceId, () => {
      const stored = twin.store.get(id) as StoredLinker | undefined;
      if (stored && twin.store.get(sourceId)) {
        removeWrittenSettings(twin, sourceId, stored._twin);
      }
      // Firewall rules stay unless the linker asked for a forced clean-up (SPEC 2024-04-01
      // `deleteOrUpdateBehavior`; what Azure removes then is not documented).
      const behaviour = (stored?.properties as any)?.publicNetworkSolution?.deleteOrUpdateBehavior;
      if (stored && String(behaviour).toLowerCase() === 'forcedcleanup')
        for (const rule of stored._twin.rules ?? []) twin.store.delete(rule);
      twin.store.delete(id);
      return { properties: null };
    });
    return operationAccepted(url);
  },
};

const validateLinker: RouteSpec = {
  method: 'POST',
  path: `${LINKER}/validateLinker`,
  audience: 'arm',
  action: 'Microsoft.ServiceLinker/linkers/validateLinker/action',
  parents: parentsOf,
  handler(req, twin) {
    check(req);
    const id = linkerIdOf(req.params);
    const sourceId = sourceIdOf(req.params);
    if (!twin.store.get(id)) throw linkerNotFound(req.params.linkerName!);
    const started = twin.nowIso();
    const url = startOperation(req, twin, 'validate', id, sourceId, () => {
      const linker = twin.store.get(id) as StoredLinker | undefined;
      if (!linker)
        throw new AzureError(404, 'GeneralUserError', 'Execution failed. The linker no longer exists.');
      const details = validate(twin, linker, sourceId);
      const ended = twin.nowIso();
      const available = details.every((detail) => detail.result !== 'failure');
      const authType = (linker.properties as any).authInfo.authType as string;
      const targetId = (linker.properties as any).targetService.id as string;
      const result = {
        linkerName: linker.name,
        isConnectionAvailable: available,
        validationDetail: details,
        reportStartTimeUtc: started,
        reportEndTimeUtc: ended,
        sourceId,
        targetId,
        authType,
      };
      const message = {
        LinkerName: linker.name,
        IsConnectionAvailable: available,
        ValidationDetail: details.map((d) => ({
          Name: d.name,
          Description: d.description,
          Result: ['success', 'failure', 'warning'].indexOf(d.result),
          ErrorMessage: d.errorMessage,
          ErrorCode: d.errorCode,
        })),
        ReportStartTimeUtc: started,
        ReportEndTimeUtc: ended,
        SourceId: sourceId,
        TargetId: targetId,
        AuthType: authType,
      };
      return { properties: { Message: JSON.stringify(message), ...result } };
    });
    return operationAccepted(url);
  },
};

const listConfigurations: RouteSpec = {
  method: 'POST',
  path: `${LINKER}/listConfigurations`,
  audience: 'arm',
  action: 'Microsoft.ServiceLinker/linkers/listConfigurations/action',
  parents: parentsOf,
  handler(req, twin) {
    check(req);
    const linker = twin.store.get(linkerIdOf(req.params)) as StoredLinker | undefined;
    if (!linker) throw linkerNotFound(req.params.linkerName!);
    return {
      status: 200,
      body: {
        configurations: linker._twin.written.map((setting) => ({
          name: setting.name,
          // Secret values are not given out again.
          value: setting.value,
          configType: 'Default',
          keyVaultReferenceIdentity: null,
          description: '',
        })),
      },
    };
  },
};

const operationStatus: RouteSpec = {
  method: 'GET',
  path: '/subscriptions/{subscriptionId}/providers/Microsoft.ServiceLinker/locations/{location}/operationStatuses/{operationId}',
  audience: 'arm',
  handler: (req) => pollLinkerOperation(req.params.operationId!),
};

/** The provider the framework registers (`providers/index.ts`). */
export const provider: Provider = {
  name: 'servicelinker',
  routes: [
    listLinkers,
    getLinker,
    upsert('PUT'),
    upsert('PATCH'),
    deleteLinker,
    validateLinker,
    listConfigurations,
    operationStatus,
  ],
};

/**
 * Puts a linker into the store as a finished PUT leaves it (for generated scenarios such as `fleet`),
 * with the settings it wrote recorded as written; the settings themselves are the caller's to seed.
 * The target is not checked: a linker whose database was deleted afterwards is a scenario too.
 */
export function seedLinker(
  host: { store: TwinContext['store'] },
  seed: {
    sourceId: string;
    name: string;
    targetId: string;
    authType: AuthKind;
    clientType?: string;
    /** A container app's container (`scope`). */
    scope?: string;
    written: { name: string; value: string }[];
  },
): void {
  const properties = {
    targetService: { type: 'AzureResource', id: seed.targetId },
    authInfo: { authType: seed.authType },
    clientType: seed.clientType ?? 'none',
    ...(seed.scope ? { scope: seed.scope } : {}),
  };
  const id = `${seed.sourceId}/providers/Microsoft.ServiceLinker/linkers/${seed.name}`;
  const stored: StoredLinker = {
    id,
    name: seed.name,
    type: LINKER_TYPE,
    systemData: {
      createdBy: 'twin-seed',
      createdByType: 'User',
      createdAt: '2026-01-05T09:30:00Z',
      lastModifiedBy: 'twin-seed',
      lastModifiedByType: 'User',
      lastModifiedAt: '2026-01-05T09:30:00Z',
    },
    properties: echoProperties(properties, 'Succeeded'),
    _twin: {
      written: seed.written.map((setting) => ({
        name: setting.name,
        value: setting.value,
        digest: digest(setting.value),
        secret: false,
      })),
      where:
        sourceKind(seed.sourceId) === 'web'
          ? { store: 'appSettings' }
          : { store: 'env', container: seed.scope ?? null },
      etag: randomUUID(),
    },
  };
  host.store.put(stored);
}
