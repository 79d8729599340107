/**
 * Microsoft Graph groups as the tool reads them (v1.0): a group by id, its members, and the groups a
 * user or service principal belongs to (`memberOf` direct, `transitiveMemberOf` through nested
 * groups). Bodies follow the Graph v1.0 reference examples for `group` and `directoryObject`
 * collections (`@odata.type` on each item, as Graph sends it for mixed collections).
 */
import {
  AzureError,
  type Group,
  type Provider,
  type RouteSpec,
  type TwinContext,
  type TwinRequest,
} from '../api.ts';
import { directoryPrincipals } from './graph.ts';

function notFound(id: string): AzureError {
  return new AzureError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function groupBody(group: Group) {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: group.objectId,
    displayName: group.displayName,
    description: null,
    mail: null,
    mailEnabled: false,
    mailNickname: group.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    securityEnabled: true,
    groupTypes: [],
    createdDateTime: '2026-01-05T09:00:00Z',
  };
}

function memberBody(twin: TwinContext, id: string) {
  const group = (twin.world.groups ?? []).find((g) => g.objectId.toLowerCase() === id.toLowerCase());
  if (group) return groupBody(group);
  const principal = twin.principal(id);
  if (!principal) return { '@odata.type': '#microsoft.graph.directoryObject', id };
  return principal.kind === 'user'
    ? {
        '@odata.type': '#microsoft.graph.user',
        id: principal.objectId,
        displayName: principal.displayName,
        userPrincipalName: principal.userPrincipalName,
      }
    : {
        '@odata.type': '#microsoft.graph.servicePrincipal',
        id: principal.objectId,
        appId: principal.appId,
        displayName: principal.displayName,
      };
}

/** Groups `objectId` is a direct member of, or (transitive) a member of through nested groups too. */
export function groupsOf(groups: Group[], objectId: string, transitive: boolean): Group[] {
  const found = new Map<string, Group>();
  const visit = (id: string) => {
    for (const group of groups) {
      if (found.has(group.objectId)) continue;
      if (!group.members.some((member) => member.toLowerCase() === id.toLowerCase())) continue;
      found.set(group.objectId, group);
      if (transitive) visit(group.objectId);
    }
  };
  visit(objectId);
  return [...found.values()];
}

function collection(req: TwinRequest, context: string, items: unknown[]) {
  return {
    status: 200,
    body: { '@odata.context': `${req.url.origin}/v1.0/$metadata#${context}`, value: items },
  };
}

function memberOfRoutes(kind: 'memberOf' | 'transitiveMemberOf'): RouteSpec[] {
  const answer = (req: TwinRequest, twin: TwinContext, objectId: string) =>
    collection(
      req,
      'directoryObjects',
      groupsOf(twin.world.groups ?? [], objectId, kind === 'transitiveMemberOf').map(groupBody),
    );
  return [
    {
      method: 'GET',
      path: `/v1.0/me/${kind}`,
      audience: 'graph',
      handler: (req, twin) => {
        // `/me` is the signed-in user of a delegated token; an app token has none (as GET /v1.0/me).
        if (req.caller.kind !== 'user')
          throw new AzureError(
            400,
            'BadRequest',
            '/me request is only valid with delegated authentication flow.',
          );
        return answer(req, twin, req.caller.objectId);
      },
    },
    ...(['users', 'servicePrincipals'] as const).map(
      (collectionName): RouteSpec => ({
        method: 'GET',
        path: `/v1.0/${collectionName}/{id}/${kind}`,
        audience: 'graph',
        handler: (req, twin) => {
          const principal = directoryPrincipals(twin).find(
            (p) => p.objectId.toLowerCase() === req.params.id!.toLowerCase(),
          );
          const wanted = collectionName === 'users' ? 'user' : 'other';
          if (!principal || (principal.kind === 'user') !== (wanted === 'user'))
            throw notFound(req.params.id!);
          return answer(req, twin, principal.objectId);
        },
      }),
    ),
  ];
}

function requireGroup(twin: TwinContext, id: string): Group {
  const group = (twin.world.groups ?? []).find((g) => g.objectId.toLowerCase() === id.toLowerCase());
  if (!group) throw notFound(id);
  return group;
}

const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/v1.0/groups/{id}',
    audience: 'graph',
    handler: (req, twin) => {
      const { '@odata.type': _type, ...body } = groupBody(requireGroup(twin, req.params.id!));
      return {
        status: 200,
        body: { '@odata.context': `${req.url.origin}/v1.0/$metadata#groups/$entity`, ...body },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1.0/groups/{id}/members',
    audience: 'graph',
    handler: (req, twin) =>
      collection(
        req,
        'directoryObjects',
        requireGroup(twin, req.params.id!).members.map((id) => memberBody(twin, id)),
      ),
  },
  ...memberOfRoutes('memberOf'),
  ...memberOfRoutes('transitiveMemberOf'),
];

export const provider: Provider = { name: 'graph-groups', routes };
