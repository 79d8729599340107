/**
 * Microsoft Graph v1.0 in the twin: `/me`, users, service principals (by id, by appId, `$filter` on
 * appId / displayName / servicePrincipalNames) and their app role assignments. Shapes follow Graph
 * v1.0 (`@odata.context`, `value`, `@odata.nextLink`; errors `{ error: { code, message, innerError } }`).
 */
import {
  type AppRoleAssignment,
  AzureError,
  type Principal,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type TwinRequest,
} from '../api.ts';
import { GRAPH_APP_ID, inDirectory } from '../framework/world.ts';

/** App roles of the Microsoft Graph service principal the MySQL server identity needs (ids are Graph's). */
export const GRAPH_APP_ROLES = [
  {
    allowedMemberTypes: ['Application'],
    description: 'Allows the app to read user profiles without a signed in user.',
    displayName: "Read all users' full profiles",
    id: 'df021288-bdef-4463-88db-98f22de89214',
    isEnabled: true,
    origin: 'Application',
    value: 'User.Read.All',
  },
  {
    allowedMemberTypes: ['Application'],
    description: 'Allows the app to read memberships for all groups without a signed-in user.',
    displayName: 'Read all group memberships',
    id: '98830695-27a2-44f7-8c18-0c3ebc9698f6',
    isEnabled: true,
    origin: 'Application',
    value: 'GroupMember.Read.All',
  },
  {
    allowedMemberTypes: ['Application'],
    description: 'Allows the app to read all applications and service principals without a signed-in user.',
    displayName: 'Read all applications',
    id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    isEnabled: true,
    origin: 'Application',
    value: 'Application.Read.All',
  },
];

const PAGE_SIZE = 100;

function origin(req: TwinRequest): string {
  return req.url.origin;
}

function notFound(id: string): AzureError {
  return new AzureError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function isServicePrincipal(p: Principal): boolean {
  return p.kind !== 'user';
}

function userBody(p: Principal) {
  const [givenName, ...rest] = p.displayName.split(' ');
  return {
    businessPhones: [],
    displayName: p.displayName,
    givenName: givenName ?? null,
    jobTitle: null,
    mail: p.userPrincipalName ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: rest.join(' ') || null,
    userPrincipalName: p.userPrincipalName ?? null,
    id: p.objectId,
  };
}

function servicePrincipalBody(p: Principal) {
  const managed = p.kind === 'managedIdentity';
  const userAssigned = managed && /\/userAssignedIdentities\//i.test(p.alternativeId ?? '');
  return {
    id: p.objectId,
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: managed ? [`isExplicit=${userAssigned ? 'True' : 'False'}`, p.alternativeId ?? ''] : [],
    appDisplayName: managed ? null : p.displayName,
    appDescription: null,
    appId: p.appId ?? null,
    appOwnerOrganizationId: managed ? null : p.tenantId,
    appRoleAssignmentRequired: false,
    displayName: p.displayName,
    servicePrincipalNames: managed
      ? [p.appId ?? '', `https://identity.azure.net/${p.objectId}`]
      : [p.appId ?? ''],
    servicePrincipalType: managed ? 'ManagedIdentity' : 'Application',
    signInAudience: managed ? null : 'AzureADMultipleOrgs',
    tags: [],
    appRoles: p.appId === GRAPH_APP_ID ? GRAPH_APP_ROLES : [],
    oauth2PermissionScopes: [],
  };
}

function assignmentBody(twin: TwinContext, a: AppRoleAssignment) {
  const principal = twin.principal(a.principalId);
  const resource = twin.principal(a.resourceId);
  return {
    id: a.id,
    deletedDateTime: null,
    appRoleId: a.appRoleId,
    createdDateTime: '2026-01-05T10:00:00Z',
    principalDisplayName: principal?.displayName ?? null,
    principalId: a.principalId,
    principalType: principal?.kind === 'user' ? 'User' : 'ServicePrincipal',
    resourceDisplayName: resource?.displayName ?? null,
    resourceId: a.resourceId,
  };
}

/** A Graph collection page: `@odata.context`, `value` and, when more remain, `@odata.nextLink`. */
function collection(req: TwinRequest, context: string, items: unknown[]) {
  const offset = Number.parseInt(req.query.get('$skiptoken') ?? '0', 10) || 0;
  const top = Math.min(Number.parseInt(req.query.get('$top') ?? `${PAGE_SIZE}`, 10) || PAGE_SIZE, 999);
  const body: Record<string, unknown> = {
    '@odata.context': `${origin(req)}/v1.0/$metadata#${context}`,
    value: items.slice(offset, offset + top),
  };
  if (offset + top < items.length) {
    const next = new URL(req.url.toString());
    next.searchParams.set('$skiptoken', String(offset + top));
    body['@odata.nextLink'] = next.toString().replace('%24skiptoken=', '$skiptoken=');
  }
  return { status: 200, body };
}

/** A single Graph entity: `@odata.context` (`{context}/$entity`) first, then the entity's properties. */
function entity(req: TwinRequest, context: string, properties: object, status = 200) {
  return {
    status,
    body: { '@odata.context': `${origin(req)}/v1.0/$metadata#${context}/$entity`, ...properties },
  };
}

/** The `$filter` forms the tool uses; anything else is Graph's 400. */
function filterServicePrincipals(filter: string, all: Principal[]): Principal[] {
  const appId = /^\s*appId\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (appId) return all.filter((p) => p.appId?.toLowerCase() === appId[1]!.toLowerCase());
  const displayName = /^\s*displayName\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (displayName) return all.filter((p) => p.displayName.toLowerCase() === displayName[1]!.toLowerCase());
  const spn = /^\s*servicePrincipalNames\/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'([^']*)'\s*\)\s*$/i.exec(filter);
  if (spn) {
    const wanted = spn[2]!.toLowerCase();
    return all.filter((p) =>
      servicePrincipalBody(p).servicePrincipalNames.some((name) => name.toLowerCase() === wanted),
    );
  }
  throw new AzureError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property of resource 'ServicePrincipal': '${filter}'.`,
  );
}

/**
 * The principals Entra's directory knows now: one created while replication lag is on is missing
 * until it has replicated (Graph answers 404 for it, and filters leave it out).
 */
export function directoryPrincipals(twin: TwinContext): Principal[] {
  const now = twin.nowMs?.() ?? Date.now();
  return twin.world.principals.filter((p) => inDirectory(p, now));
}

function requireServicePrincipal(twin: TwinContext, id: string): Principal {
  const found = directoryPrincipals(twin).find(
    (p) => p.objectId.toLowerCase() === id.toLowerCase() && isServicePrincipal(p),
  );
  if (!found) throw notFound(id);
  return found;
}

const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/v1.0/me',
    audience: 'graph',
    handler: (req) => {
      if (req.caller.kind !== 'user') {
        throw new AzureError(
          400,
          'BadRequest',
          '/me request is only valid with delegated authentication flow.',
        );
      }
      return entity(req, 'users', userBody(req.caller));
    },
  },
  {
    method: 'GET',
    path: '/v1.0/users/{id}',
    audience: 'graph',
    handler: (req, twin) => {
      const user = directoryPrincipals(twin).find(
        (p) =>
          p.objectId.toLowerCase() === req.params.id!.toLowerCase() ||
          p.userPrincipalName?.toLowerCase() === req.params.id!.toLowerCase(),
      );
      if (user?.kind !== 'user') throw notFound(req.params.id!);
      return entity(req, 'users', userBody(user));
    },
  },
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals',
    audience: 'graph',
    handler: (req, twin) => {
      const all = directoryPrincipals(twin).filter(isServicePrincipal);
      const filter = req.query.get('$filter');
      const found = filter ? filterServicePrincipals(filter, all) : all;
      return collection(req, 'servicePrincipals', found.map(servicePrincipalBody));
    },
  },
  {
    method: 'GET',
    path: "/v1.0/servicePrincipals(appId='{appId}')",
    audience: 'graph',
    handler: (req, twin) => {
      const appId = req.params.appId!;
      const found = directoryPrincipals(twin).find(
        (p) => isServicePrincipal(p) && p.appId?.toLowerCase() === appId.toLowerCase(),
      );
      if (!found) throw notFound(appId);
      return entity(req, 'servicePrincipals', servicePrincipalBody(found));
    },
  },
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals/{id}',
    audience: 'graph',
    handler: (req, twin) => {
      const found = requireServicePrincipal(twin, req.params.id!);
      return entity(req, 'servicePrincipals', servicePrincipalBody(found));
    },
  },
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals/{id}/appRoleAssignments',
    audience: 'graph',
    handler: (req, twin) => {
      const sp = requireServicePrincipal(twin, req.params.id!);
      const assignments = twin.world.appRoleAssignments.filter(
        (a) => a.principalId.toLowerCase() === sp.objectId.toLowerCase(),
      );
      return collection(
        req,
        `servicePrincipals('${sp.objectId}')/appRoleAssignments`,
        assignments.map((a) => assignmentBody(twin, a)),
      );
    },
  },
  {
    method: 'POST',
    path: '/v1.0/servicePrincipals/{id}/appRoleAssignments',
    audience: 'graph',
    handler: (req, twin) => {
      const sp = requireServicePrincipal(twin, req.params.id!);
      const body = (req.body ?? {}) as { principalId?: string; resourceId?: string; appRoleId?: string };
      if (!body.principalId || !body.resourceId || !body.appRoleId) {
        throw new AzureError(
          400,
          'Request_BadRequest',
          'principalId, resourceId and appRoleId are required.',
        );
      }
      if (body.principalId.toLowerCase() !== sp.objectId.toLowerCase()) {
        throw new AzureError(
          400,
          'Request_BadRequest',
          'The principalId must match the service principal in the URL.',
        );
      }
      const resource = requireServicePrincipal(twin, body.resourceId);
      const roles = servicePrincipalBody(resource).appRoles;
      if (!roles.some((r) => r.id.toLowerCase() === body.appRoleId!.toLowerCase())) {
        throw new AzureError(
          400,
          'Request_BadRequest',
          `Permission being assigned was not found on application '${resource.appId}'.`,
        );
      }
      const existing = twin.world.appRoleAssignments.find(
        (a) =>
          a.principalId.toLowerCase() === sp.objectId.toLowerCase() &&
          a.resourceId.toLowerCase() === resource.objectId.toLowerCase() &&
          a.appRoleId.toLowerCase() === body.appRoleId!.toLowerCase(),
      );
      if (existing) {
        throw new AzureError(
          400,
          'Request_BadRequest',
          'Permission being assigned already exists on the object',
        );
      }
      const assignment: AppRoleAssignment = {
        id: twin.uuid(),
        principalId: sp.objectId,
        resourceId: resource.objectId,
        appRoleId: body.appRoleId,
      };
      twin.world.appRoleAssignments.push(assignment);
      return entity(
        req,
        `servicePrincipals('${sp.objectId}')/appRoleAssignments`,
        assignmentBody(twin, assignment),
        201,
      );
    },
  },
];

export const provider: Provider = { name: 'graph', routes };
