/**
 * Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`) answered from the twin's
 * own state, as the 2024-04-01 spec and Learn describe it:
 * - the `resources` table: tracked resources with ARM's columns, `type` lower-case, `id` as ARM keeps
 *   it; only what the caller may read (`<type>/read` through RBAC), silently;
 * - scope: `subscriptions` (at most 1,000; those the caller cannot read are dropped without a word,
 *   403 when none is left), `managementGroups`, or neither (the tenant: every subscription the caller
 *   has a role in);
 * - paging: `$top` (≤ 1000), `$skip`, `$skipToken` bound to the query and scope it came from;
 *   `totalRecords`, `count`, `resultTruncated` as the string "false";
 * - the per-user quota (15 queries per 5 s by default): `x-ms-user-quota-remaining` and
 *   `x-ms-user-quota-resets-after` on every answer, 429 `RateLimiting` once it is spent;
 * - the index lag (framework/arg-index.ts): a just-created resource is missing for a while;
 * - the query forms sc-doctor sends (framework/kql.ts), anything else refused with Resource Graph's
 *   `BadRequest`/`InvalidQuery` shape.
 * Sources: fixtures/SOURCES.md, "Azure Resource Graph".
 */
import { createHash } from 'node:crypto';
import {
  type ArmResource,
  AzureError,
  type Provider,
  type TwinContext,
  type TwinRequest,
  type TwinResponse,
} from '../api.ts';
import { KqlError, parseQuery, runQuery } from '../framework/kql.ts';
import { isAllowed } from '../framework/permissions.ts';

export const RESOURCE_GRAPH_API_VERSIONS = ['2024-04-01', '2022-10-01', '2021-03-01', '2019-04-01'] as const;
const MAX_SUBSCRIPTIONS = 1000;
const MAX_TOP = 1000;

/** Child types Resource Graph's `resources` table holds (the type reference); other children are not. */
const INDEXED_CHILD_TYPES = new Set(['microsoft.sql/servers/databases', 'microsoft.web/sites/slots']);

/** Quota state per twin and caller. */
const quotas = new WeakMap<TwinContext, Map<string, { windowStart: number; used: number }>>();

function supportBody(
  twin: TwinContext,
  details: Record<string, unknown>[],
): { error: Record<string, unknown> } {
  return {
    error: {
      code: 'BadRequest',
      message: `Please provide below info when asking for support: timestamp = ${twin.nowIso()}, correlationId = ${twin.uuid()}.`,
      details,
    },
  };
}

function badRequest(twin: TwinContext, details: Record<string, unknown>[]): AzureError {
  const body = supportBody(twin, details);
  return new AzureError(400, 'BadRequest', String(body.error.message), { details });
}

function invalidQuery(twin: TwinContext, error: KqlError, query: string): AzureError {
  const before = query.slice(0, error.position);
  const line = before.split('\n').length;
  const column = error.position - (before.lastIndexOf('\n') + 1);
  return badRequest(twin, [
    {
      code: 'InvalidQuery',
      message:
        'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
    },
    {
      code: 'ParserFailure',
      message: 'ParserFailure',
      line,
      characterPositionInLine: column,
      token: error.token,
    },
  ]);
}

/** `hh:mm:ss`, rounded up to the second (Learn's example: `00:00:03`). */
function resetsAfter(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/** Takes one query from the caller's window; the headers to send, and whether the query may run. */
function takeQuota(
  req: TwinRequest,
  twin: TwinContext,
): { allowed: boolean; headers: Record<string, string> } {
  const quota = twin.world.resourceGraph?.quota ?? 15;
  const windowMs = twin.world.resourceGraph?.windowMs ?? 5000;
  const now = twin.nowMs?.() ?? Date.now();
  let perCaller = quotas.get(twin);
  if (!perCaller) {
    perCaller = new Map();
    quotas.set(twin, perCaller);
  }
  const who = req.caller.objectId.toLowerCase();
  let state = perCaller.get(who);
  if (!state || now >= state.windowStart + windowMs) {
    state = { windowStart: now, used: 0 };
    perCaller.set(who, state);
  }
  const allowed = state.used < quota;
  if (allowed) state.used += 1;
  return {
    allowed,
    headers: {
      'x-ms-user-quota-remaining': String(quota - state.used),
      'x-ms-user-quota-resets-after': resetsAfter(state.windowStart + windowMs - now),
    },
  };
}

/** Subscriptions the caller has any role in (what ARM lists for it, and what a tenant query covers). */
function readableSubscriptions(req: TwinRequest, twin: TwinContext): Set<string> {
  const who = req.caller.objectId.toLowerCase();
  const out = new Set<string>();
  for (const sub of twin.world.subscriptions) {
    const scope = `/subscriptions/${sub.subscriptionId}`.toLowerCase();
    if (
      twin.world.roleAssignments.some(
        (a) =>
          a.principalId.toLowerCase() === who &&
          (a.scope === '/' ||
            a.scope.toLowerCase() === scope ||
            a.scope.toLowerCase().startsWith(`${scope}/`)),
      )
    )
      out.add(sub.subscriptionId.toLowerCase());
  }
  return out;
}

function scopeOf(req: TwinRequest, twin: TwinContext, body: Record<string, unknown>): Set<string> {
  const readable = readableSubscriptions(req, twin);
  const subscriptions = body.subscriptions;
  const groups = body.managementGroups;
  if (subscriptions !== undefined && groups !== undefined)
    throw badRequest(twin, [
      { code: 'InvalidScope', message: 'Pass either subscriptions or managementGroups, not both.' },
    ]);
  if (Array.isArray(subscriptions)) {
    if (subscriptions.length > MAX_SUBSCRIPTIONS)
      throw badRequest(twin, [
        {
          code: 'TooManySubscriptions',
          message: `The number of subscriptions in the request exceeds the allowed limit ${MAX_SUBSCRIPTIONS}. Batch the request into groups of at most ${MAX_SUBSCRIPTIONS} subscriptions.`,
        },
      ]);
    const asked = subscriptions.map((id) => String(id).toLowerCase());
    const allowed = new Set(asked.filter((id) => readable.has(id)));
    if (allowed.size === 0)
      throw new AzureError(
        403,
        'AuthorizationFailed',
        `The client '${req.caller.objectId}' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over any of the subscriptions in the request.`,
      );
    return allowed;
  }
  if (Array.isArray(groups)) {
    const out = new Set<string>();
    for (const name of groups) {
      const group = twin.world.managementGroups?.find(
        (g) => g.name.toLowerCase() === String(name).toLowerCase(),
      );
      if (!group)
        throw new AzureError(
          403,
          'AuthorizationFailed',
          `The client '${req.caller.objectId}' does not have authorization to perform action 'Microsoft.Management/managementGroups/read' over scope '/providers/Microsoft.Management/managementGroups/${String(name)}' or the scope is invalid.`,
        );
      for (const id of group.subscriptions) if (readable.has(id.toLowerCase())) out.add(id.toLowerCase());
    }
    return out;
  }
  return readable;
}

/** A tracked resource's row in the `resources` table, or undefined when the table does not hold it. */
function rowOf(resource: ArmResource, tenantId: string): Record<string, unknown> | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(
    resource.id,
  );
  if (!match) return undefined;
  const rest = match[4]!.split('/');
  // An extension resource (a linker) carries a second `/providers/`: not in this table.
  if (rest.some((part) => part.toLowerCase() === 'providers')) return undefined;
  const type = resource.type.toLowerCase();
  if (rest.length !== 2 && !INDEXED_CHILD_TYPES.has(type)) return undefined;
  return {
    id: resource.id,
    name: resource.name,
    type,
    tenantId,
    kind: resource.kind ?? '',
    location: resource.location ?? '',
    resourceGroup: match[2]!.toLowerCase(),
    subscriptionId: match[1]!,
    managedBy: '',
    sku: resource.sku ?? null,
    plan: null,
    properties: resource.properties ?? {},
    tags: resource.tags ?? {},
    identity: resource.identity ?? null,
    zones: null,
    extendedLocation: null,
  };
}

interface SkipToken {
  hash: string;
  offset: number;
}

function requestHash(query: string, scope: Set<string>, body: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([query, [...scope].sort(), body.managementGroups ?? null]))
    .digest('hex')
    .slice(0, 16);
}

function readSkipToken(twin: TwinContext, text: unknown, hash: string): number {
  try {
    const token = JSON.parse(Buffer.from(String(text), 'base64').toString('utf8')) as SkipToken;
    if (token.hash === hash && Number.isInteger(token.offset) && token.offset >= 0) return token.offset;
  } catch {
    // Falls through to the refusal.
  }
  throw badRequest(twin, [
    {
      code: 'InvalidSkipToken',
      message:
        'The skip token is not valid for this query: send it with the same query and scope as the request that returned it.',
    },
  ]);
}

function query(req: TwinRequest, twin: TwinContext): TwinResponse {
  if (!req.apiVersion || !(RESOURCE_GRAPH_API_VERSIONS as readonly string[]).includes(req.apiVersion))
    throw new AzureError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'global' and API version '${req.apiVersion}' for type 'resources'. The supported api-versions are '${RESOURCE_GRAPH_API_VERSIONS.join(', ')}'.`,
    );
  const quota = takeQuota(req, twin);
  if (!quota.allowed)
    return {
      status: 429,
      headers: quota.headers,
      body: {
        error: {
          code: 'RateLimiting',
          message: `Please provide below info when asking for support: timestamp = ${twin.nowIso()}, correlationId = ${twin.uuid()}. Details: Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.`,
        },
      },
    };
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.query !== 'string' || body.query.trim() === '')
    throw badRequest(twin, [{ code: 'InvalidQuery', message: 'The request has no query.' }]);
  let parsed: ReturnType<typeof parseQuery>;
  try {
    parsed = parseQuery(body.query);
  } catch (error) {
    if (error instanceof KqlError) throw invalidQuery(twin, error, body.query);
    throw error;
  }
  const scope = scopeOf(req, twin, body);
  const options = (body.options ?? {}) as Record<string, unknown>;
  const top = options.$top === undefined ? MAX_TOP : Number(options.$top);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
    throw badRequest(twin, [{ code: 'InvalidTop', message: `$top must be between 1 and ${MAX_TOP}.` }]);
  if (options.resultFormat !== undefined && options.resultFormat !== 'objectArray')
    throw badRequest(twin, [
      { code: 'UnsupportedResultFormat', message: 'The twin answers objectArray only.' },
    ]);
  const hash = requestHash(body.query, scope, body);
  const skip =
    options.$skipToken !== undefined
      ? readSkipToken(twin, options.$skipToken, hash)
      : Number(options.$skip ?? 0);

  const resources = twin.indexed ? twin.indexed() : twin.store.all();
  const rows: Record<string, unknown>[] = [];
  for (const resource of resources) {
    const row = rowOf(resource, twin.world.tenantId);
    if (!row || !scope.has(String(row.subscriptionId).toLowerCase())) continue;
    // Resource Graph shows only what the caller may read, without saying what it left out.
    if (
      !isAllowed(
        twin.world.roleAssignments,
        req.caller.objectId,
        resource.id,
        `${resource.type}/read`,
        twin.world.customRoles,
      )
    )
      continue;
    rows.push(row);
  }
  let result: Record<string, unknown>[];
  try {
    result = runQuery(parsed, rows);
  } catch (error) {
    if (error instanceof KqlError) throw invalidQuery(twin, error, body.query);
    throw error;
  }
  const page = result.slice(skip, skip + top);
  const more = skip + page.length < result.length;
  return {
    status: 200,
    headers: quota.headers,
    body: {
      totalRecords: result.length,
      count: page.length,
      data: page,
      facets: [],
      resultTruncated: 'false',
      ...(more
        ? {
            $skipToken: Buffer.from(
              JSON.stringify({ hash, offset: skip + page.length } satisfies SkipToken),
            ).toString('base64'),
          }
        : {}),
    },
  };
}

export const provider: Provider = {
  name: 'resource-graph',
  routes: [
    {
      method: 'POST',
      path: '/providers/Microsoft.ResourceGraph/resources',
      audience: 'arm',
      handler: query,
    },
  ],
};
