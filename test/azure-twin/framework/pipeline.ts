/**
 * The request pipeline of the twin's HTTPS server: fault/latency injection → JSON body → auth →
 * api-version → route → parents → RBAC → handler, with ARM's (or Graph's) error shapes and ids.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AzureError,
  type Principal,
  type TwinContext,
  type TwinRequest,
  type TwinResponse,
  type World,
} from '../api.ts';
import type { TokenConfig } from '../tokens.ts';
import type { ArmLimits } from './arm-limits.ts';
import { ARM_AUDIENCE } from './audiences.ts';
import { authenticate, callerOf, wwwAuthenticate } from './auth.ts';
import type { TwinClock } from './clock.ts';
import {
  authorizationFailed,
  invalidRequestContent,
  invalidResourceType,
  missingApiVersion,
  parentResourceNotFound,
  resourceGroupNotFound,
  subscriptionNotFound,
  WebRpError,
  webErrorBody,
} from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { isAllowed } from './permissions.ts';
import { REGISTRATION_PATH } from './providers-registration.ts';
import { normalisePath, type Router } from './router.ts';

/** Internal (non-Azure) routes under `/_twin/`, guarded by the admin header instead of a token. */
export type InternalHandler = (req: TwinRequest) => TwinResponse | Promise<TwinResponse>;

export interface PipelineDeps {
  router: Router;
  context: TwinContext;
  tokenConfig: TokenConfig;
  clock: TwinClock;
  faults: FaultInjector;
  graphAudience: () => string;
  adminKey: string;
  internal: Map<string, InternalHandler>;
  /** ARM's per-subscription request budgets (`World.armThrottling`). */
  limits?: ArmLimits;
}

/** Header that unlocks `/_twin/*` (state, faults, the stand-in az). */
export const ADMIN_HEADER = 'x-twin-admin';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPipeline(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error) => {
      if (!res.headersSent)
        send(res, 500, { error: { code: 'InternalServerError', message: String(error) } }, {});
      else res.destroy();
    });
  };
}

async function handle(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Keep the host the client used (Graph is `localhost`, ARM `127.0.0.1`) so nextLinks point back at it.
  // A doubled leading slash would make the request target a protocol-relative URL: collapse it first.
  const target = (req.url ?? '/').replace(/^\/{2,}/, '/');
  const url = new URL(target, req.headers.host ? `https://${req.headers.host}` : deps.context.baseUrl);
  const path = normalisePath(decodeURIComponent(url.pathname));
  const method = (req.method ?? 'GET').toUpperCase();
  const kind: 'internal' | 'graph' | 'arm' = path.startsWith('/_twin/')
    ? 'internal'
    : /^\/(v1\.0|beta)(\/|$)/i.test(path)
      ? 'graph'
      : 'arm';
  const ids = requestIds(req);
  /** Headers every answer to this request carries (ARM's remaining budget), refusals included. */
  let budget: Record<string, string> = {};

  if (kind !== 'internal') {
    if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
    const fault = deps.faults.take(method, path);
    if (fault) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        const code = fault.code ?? 'InjectedFault';
        const message = fault.message ?? `Fault injected by the twin for ${method} ${path}.`;
        // ARM's throttling answers carry Retry-After (Learn "Understand how ARM throttles requests").
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
        const body =
          fault.envelope === 'web' ? webErrorBody(code, message) : errorBody(kind, code, message, ids);
        send(res, fault.status, body, ids, headers);
        return;
      }
    }
  }

  const raw = await readBody(req);
  let body: unknown;
  try {
    body = raw.length > 0 ? JSON.parse(raw) : undefined;
  } catch (error) {
    return sendError(res, kind, invalidRequestContent((error as Error).message), ids, deps.context.world);
  }

  const twinReq: TwinRequest = {
    method,
    url,
    path,
    params: {},
    query: url.searchParams,
    headers: req.headers,
    body,
    apiVersion: url.searchParams.get('api-version'),
    caller: undefined as unknown as Principal,
  };

  try {
    if (kind === 'internal') {
      if (req.headers[ADMIN_HEADER] !== deps.adminKey) {
        throw new AzureError(
          401,
          'TwinAdminRequired',
          `Internal twin routes need the ${ADMIN_HEADER} header.`,
        );
      }
      const handler = deps.internal.get(`${method} ${path.toLowerCase()}`);
      if (!handler) throw new AzureError(404, 'NotFound', `No internal twin route ${method} ${path}.`);
      return respond(res, await handler(twinReq), ids);
    }

    const audience = kind === 'graph' ? deps.graphAudience() : ARM_AUDIENCE;
    const claims = authenticate(
      req.headers.authorization,
      audience,
      deps.tokenConfig,
      deps.clock.nowSeconds(),
    );
    twinReq.caller = callerOf(claims, (id) => deps.context.principal(id));

    if (kind === 'arm' && !twinReq.apiVersion) throw missingApiVersion();

    const match = deps.router.match(method, path);
    if (match === undefined || match === 'method') {
      if (kind === 'graph') {
        throw new AzureError(
          400,
          'BadRequest',
          `Resource not found for the segment '${path.split('/').pop()}'.`,
        );
      }
      if (match === 'method') {
        throw new AzureError(
          405,
          'MethodNotAllowed',
          `The requested resource does not support http method '${method}'.`,
        );
      }
      throw noRoute(path, twinReq.apiVersion);
    }
    if (match.spec.audience !== kind) {
      throw noRoute(path, twinReq.apiVersion);
    }
    twinReq.params = match.params;

    if (kind === 'arm') {
      if (deps.limits)
        budget = deps.limits.take(
          deps.context.world,
          deps.clock.nowMs(),
          method,
          path,
          twinReq.caller.objectId,
        );
      checkSubscription(deps.context.world, path);
      checkRegistration(deps.context.world, path);
      for (const id of match.spec.parents?.(match.params) ?? []) checkExists(deps.context, id);
      if (
        match.spec.action &&
        !isAllowed(
          deps.context.world.roleAssignments,
          twinReq.caller.objectId,
          match.scope,
          match.spec.action,
          deps.context.world.customRoles,
        )
      ) {
        throw authorizationFailed(twinReq.caller, match.spec.action, match.scope);
      }
    }
    const answer = await match.spec.handler(twinReq, deps.context);
    return respond(res, { ...answer, headers: { ...budget, ...answer.headers } }, ids);
  } catch (error) {
    if (error instanceof AzureError)
      return sendError(
        res,
        kind,
        kind === 'graph' ? graphFlavour(error) : error,
        ids,
        deps.context.world,
        budget,
      );
    throw error;
  }
}

/** Graph words its 401s differently from ARM and uses one code for all of them. */
function graphFlavour(error: AzureError): AzureError {
  if (error.status !== 401) return error;
  const message = /missing/i.test(error.message)
    ? 'Access token is empty.'
    : error.code === 'InvalidAuthenticationTokenAudience'
      ? 'Access token validation failure. Invalid audience.'
      : /expiry/i.test(error.message)
        ? 'Lifetime validation failed, the token is expired.'
        : 'Access token validation failure.';
  return new AzureError(401, 'InvalidAuthenticationToken', message);
}

function noRoute(path: string, apiVersion: string | null): AzureError {
  const providerMatch = /\/providers\/([^/]+)\/([^/]+)/i.exec(path);
  if (providerMatch) {
    // The resource type ARM reports is the part after the namespace, names stripped.
    const after = path.slice(providerMatch.index + `/providers/${providerMatch[1]}/`.length).split('/');
    const typeSegments = after.filter((_, index) => index % 2 === 0);
    return invalidResourceType(providerMatch[1]!, typeSegments.join('/'), apiVersion);
  }
  return new AzureError(404, 'NotFound', `The requested path '${path}' is not served by the twin.`);
}

function checkSubscription(world: World, path: string): void {
  const match = /^\/subscriptions\/([^/]+)/i.exec(path);
  if (!match) return;
  const id = match[1]!.toLowerCase();
  if (!world.subscriptions.some((s) => s.subscriptionId.toLowerCase() === id))
    throw subscriptionNotFound(match[1]!);
}

/**
 * ARM refuses calls into a namespace the subscription has not registered: 409
 * `MissingSubscriptionRegistration` with the namespace as `details[0].target` (full body captured in
 * microsoft/microsoft-foundry-for-vscode#244; Learn "Resolve errors for resource provider
 * registration"). The namespace is that of the last `/providers/` segment (extension resources such as
 * linkers belong to theirs, not to the resource they extend).
 */
function checkRegistration(world: World, path: string): void {
  const unregistered = world.unregisteredProviders ?? [];
  if (unregistered.length === 0 || !/^\/subscriptions\//i.test(path) || REGISTRATION_PATH.test(path)) return;
  const namespaces = [...path.matchAll(/\/providers\/([^/]+)/gi)].map((m) => m[1]!);
  const namespace = namespaces.at(-1);
  if (!namespace || !unregistered.some((ns) => ns.toLowerCase() === namespace.toLowerCase())) return;
  const message = `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`;
  throw new AzureError(409, 'MissingSubscriptionRegistration', message, {
    details: [{ code: 'MissingSubscriptionRegistration', target: namespace, message }],
  });
}

function checkExists(context: TwinContext, id: string): void {
  const group = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i.exec(id);
  if (group) {
    const [, sub, name] = group as unknown as [string, string, string];
    const found = context.world.resourceGroups.some(
      (rg) =>
        rg.subscriptionId.toLowerCase() === sub.toLowerCase() && rg.name.toLowerCase() === name.toLowerCase(),
    );
    if (!found) throw resourceGroupNotFound(name);
    return;
  }
  const subscription = /^\/subscriptions\/([^/]+)$/i.exec(id);
  if (subscription) {
    checkSubscription(context.world, id);
    return;
  }
  if (!context.store.get(id)) throw parentResourceNotFound(id.split('/').pop() ?? id);
}

interface RequestIds {
  requestId: string;
  correlationId: string;
  clientRequestId?: string;
}

function requestIds(req: IncomingMessage): RequestIds {
  const correlation = req.headers['x-ms-correlation-request-id'];
  const client = req.headers['x-ms-client-request-id'] ?? req.headers['client-request-id'];
  return {
    requestId: randomUUID(),
    correlationId: typeof correlation === 'string' ? correlation : randomUUID(),
    ...(typeof client === 'string' ? { clientRequestId: client } : {}),
  };
}

function errorBody(
  kind: 'internal' | 'graph' | 'arm',
  code: string,
  message: string,
  ids: RequestIds,
  extra: Record<string, unknown> = {},
): unknown {
  if (kind === 'graph') {
    return {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ''),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId ?? ids.requestId,
        },
      },
    };
  }
  return { error: { code, message, ...extra } };
}

function sendError(
  res: ServerResponse,
  kind: 'internal' | 'graph' | 'arm',
  error: AzureError,
  ids: RequestIds,
  world: World,
  budget: Record<string, string> = {},
): void {
  const thrown = (error.extra.headers ?? {}) as Record<string, string>;
  const headers: Record<string, string> = { ...budget, ...thrown };
  if (error.status === 401 && kind !== 'internal') headers['WWW-Authenticate'] = wwwAuthenticate(world);
  if (error.code === 'AuthorizationFailed' || error.status === 401) headers['x-ms-failure-cause'] = 'gateway';
  const { headers: _headers, retryAfterSeconds: _retry, ...extra } = error.extra;
  const body =
    error instanceof WebRpError
      ? webErrorBody(error.code, error.message, error.entity)
      : errorBody(kind, error.code, error.message, ids, extra);
  send(res, error.status, body, ids, headers);
}

function respond(res: ServerResponse, response: TwinResponse, ids: RequestIds): void {
  send(res, response.status, response.body, ids, response.headers ?? {});
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  ids: RequestIds | Record<string, never>,
  headers: Record<string, string> = {},
): void {
  const out: Record<string, string> = { ...headers };
  if ('requestId' in ids) {
    out['x-ms-request-id'] = ids.requestId;
    out['x-ms-correlation-request-id'] = ids.correlationId;
    if (ids.clientRequestId) out['x-ms-client-request-id'] = ids.clientRequestId;
  }
  if (body === undefined) {
    res.writeHead(status, out);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  out['Content-Type'] = 'application/json; charset=utf-8';
  out['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(status, out);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
