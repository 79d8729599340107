/**
 * `entra-config`: is Microsoft Entra authentication set up on the server, and is the signed-in caller
 * an Entra admin (setup connects as one to create the app's database user)? Per server kind:
 * PostgreSQL `authConfig` and its admins; MySQL's single admin and the server identity's Graph app
 * roles (without them the server cannot look up Entra users); SQL's admin and Entra-only flag.
 */
import { armError, armGet, graphGet } from '../azure/arm.ts';
import type { Check, CheckContext, CheckResult } from '../core/types.ts';
import { type CallerGroups, callerGroups } from './caller-groups.ts';
import type { ServerFacts } from './facts.ts';
import { lastSegment, serverFactsOf } from './facts-of.ts';
import {
  mysqlEntraAdminCommand,
  mysqlServerIdentityCommands,
  postgresEntraAdminCommand,
  postgresEntraAuthCommand,
  sqlEntraAdminCommand,
} from './remedy-commands.ts';
import { SERVER_API_VERSIONS } from './server-api.ts';

/** Microsoft Graph's own application id, the same in every tenant. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The Graph application permissions a MySQL server identity needs to resolve Entra principals. */
export const MYSQL_GRAPH_ROLES = ['User.Read.All', 'GroupMember.Read.All', 'Application.Read.All'] as const;

/** Who is asking, from the sign-in (never the token). */
interface Caller {
  objectId: string | undefined;
  name: string;
}

export const entraConfigCheck: Check = {
  id: 'entra-config',
  title: 'Entra authentication',
  needs: ['server', 'signin'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no database server to look at' };
    const signIn = await ctx.services.azure.signIn();
    const caller: Caller = signIn.ok
      ? { objectId: signIn.identity.objectId, name: signIn.identity.user ?? 'you' }
      : { objectId: undefined, name: 'you' };
    switch (server.kind) {
      case 'postgres':
        return postgres(ctx, server, caller);
      case 'mysql':
        return mysql(ctx, server, caller);
      case 'sql':
        return sql(ctx, server, caller);
    }
  },
};

type Resource = keyof (typeof SERVER_API_VERSIONS)[keyof typeof SERVER_API_VERSIONS];
type Get = (path: string, resource: Resource) => ReturnType<typeof armGet>;

/** GETs below the server at the api-version its SDK sends for that resource. */
function getter(ctx: CheckContext, server: ServerFacts): Get {
  const versions = SERVER_API_VERSIONS[server.kind];
  return (path, resource) => armGet(ctx.services.azure, path, versions[resource]!, ctx.signal);
}

function unreadable(what: string, response: Awaited<ReturnType<typeof armGet>>): CheckResult {
  const error = armError(response.body);
  return {
    status: 'fail',
    message: `cannot read ${what} (${response.status}${error ? ` ${error.code}` : ''})`,
    details: error ? [error.message] : [],
    remediation: {
      summary:
        response.status === 403
          ? 'Ask for at least Reader on the server to see its Entra settings.'
          : 'Try again; if it persists, the request id helps Azure support.',
      commands: [],
      fixable: false,
    },
    blocking: response.status === 403,
  };
}

const sameId = (a: string | undefined | null, b: string | undefined | null) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

async function postgres(ctx: CheckContext, server: ServerFacts, caller: Caller): Promise<CheckResult> {
  const get = getter(ctx, server);
  // The server's authConfig came with the server check's read; only the admins are asked for here.
  const adminsAnswer = await get(`${server.id}/administrators`, 'administrators');
  const auth = server.authConfig ?? { activeDirectoryAuth: null, passwordAuth: null };
  const entraOn = auth.activeDirectoryAuth === 'Enabled';
  const passwordOn = auth.passwordAuth !== 'Disabled';
  const authLine = `Entra authentication ${entraOn ? 'on' : 'off'} · password authentication ${passwordOn ? 'on' : 'off'}`;
  if (!entraOn) {
    return {
      status: 'fail',
      message: `Microsoft Entra authentication is off on ${server.name}`,
      details: [authLine],
      remediation: {
        summary: 'Setup turns on Entra authentication (the server may restart).',
        commands: [postgresEntraAuthCommand(server)],
        fixable: true,
      },
      data: { entraAuth: false, passwordAuth: passwordOn, admins: [] },
    };
  }
  if (adminsAnswer.status !== 200) return unreadable(`the Entra admins of ${server.name}`, adminsAnswer);
  const admins = listOf(adminsAnswer.body).map((item) => {
    const props = (item.properties ?? {}) as {
      objectId?: string;
      principalName?: string;
      principalType?: string;
    };
    return {
      objectId: props.objectId ?? lastSegment(String(item.name ?? '')),
      principalName: props.principalName ?? '',
      principalType: props.principalType ?? 'Unknown',
    };
  });
  const adminLines = admins.map((a) => `admin ${a.principalName} (${a.principalType}, ${a.objectId})`);
  const direct = admins.find((a) => sameId(a.objectId, caller.objectId));
  const groupAdmins = admins.filter((a) => a.principalType.toLowerCase() === 'group');
  const groups = !direct && groupAdmins.length > 0 ? await callerGroups(ctx) : undefined;
  const through = groups?.ok
    ? groupAdmins.find((a) => groups.groups.some((g) => sameId(g.id, a.objectId)))
    : undefined;
  // The name setup logs in with: a group admin's members log in as the group.
  const login = direct?.principalName ?? through?.principalName ?? null;
  const data = { entraAuth: true, passwordAuth: passwordOn, admins, login };
  if (!direct && !through) {
    return {
      status: 'warn',
      message:
        admins.length === 0
          ? `no Entra admin on ${server.name}`
          : `${caller.name} is not an Entra admin of ${server.name}`,
      details: [
        authLine,
        ...adminLines,
        ...groupLines(groups),
        "Setup connects as an Entra admin to create the app's database user.",
      ],
      remediation: {
        summary: 'Setup adds you as an Entra admin (PostgreSQL allows several; existing admins stay).',
        commands: [postgresEntraAdminCommand(server, caller)],
        fixable: true,
      },
      data,
    };
  }
  return {
    status: 'pass',
    message: `Entra on · ${caller.name} is an admin${through ? ` through group ${through.principalName}` : ''}${passwordOn ? '' : ' · Entra-only'}`,
    details: [
      authLine,
      ...adminLines,
      ...(through
        ? [
            `${caller.name} is a member of ${through.principalName}: setup logs in as ${through.principalName}.`,
          ]
        : []),
    ],
    data,
  };
}

async function mysql(ctx: CheckContext, server: ServerFacts, caller: Caller): Promise<CheckResult> {
  const get = getter(ctx, server);
  const [adminsAnswer, onlyAnswer] = await Promise.all([
    get(`${server.id}/administrators`, 'administrators'),
    get(`${server.id}/configurations/aad_auth_only`, 'configurations'),
  ]);
  if (adminsAnswer.status !== 200) return unreadable(`the Entra admin of ${server.name}`, adminsAnswer);
  const onlyValue =
    onlyAnswer.status === 200
      ? (onlyAnswer.body as { properties?: { value?: string } }).properties?.value
      : undefined;
  // The server's identity came with the server check's read.
  const identities = server.serverIdentities;
  const adminItem = listOf(adminsAnswer.body)[0];
  const adminProps = (adminItem?.properties ?? {}) as {
    login?: string;
    sid?: string;
    identityResourceId?: string;
  };
  const admin = adminItem ? { login: adminProps.login ?? '', sid: adminProps.sid ?? '' } : null;
  const lines = [
    identities.length > 0
      ? `server identity: ${identities.map((i) => lastSegment(i.id)).join(', ')}`
      : 'server identity: none',
    admin ? `Entra admin: ${admin.login} (${admin.sid})` : 'Entra admin: none',
    `Entra-only authentication (aad_auth_only): ${onlyValue ?? `unknown (${onlyAnswer.status})`}`,
  ];
  const data = {
    identities: identities.map((i) => i.id),
    admin,
    entraOnly: onlyValue === undefined ? null : onlyValue.toUpperCase() === 'ON',
    graphRoles: null as null | { identity: string; missing: string[] },
  };

  if (identities.length === 0) {
    return {
      status: 'fail',
      message: `${server.name} has no user-assigned identity, so Entra sign-in cannot work`,
      details: [
        ...lines,
        'MySQL looks up Entra users through a user-assigned identity of the server, which needs the Graph permissions User.Read.All, GroupMember.Read.All and Application.Read.All (or Directory Readers).',
      ],
      remediation: {
        summary:
          'Setup attaches a user-assigned identity you choose; a Global or Privileged Role Administrator must grant it the Graph permissions.',
        commands: mysqlServerIdentityCommands(server),
        fixable: true,
      },
      data,
    };
  }

  // The identity Entra sign-in uses is the one the admin names; otherwise the server's first.
  const used = identities.find((i) => sameId(i.id, adminProps.identityResourceId)) ?? identities[0]!;
  const roles = await graphRolesOf(ctx, used.principalId);
  if (roles.kind === 'missing') {
    data.graphRoles = { identity: used.id, missing: roles.missing };
    return {
      status: 'fail',
      message: `identity ${lastSegment(used.id)} lacks Graph permissions ${roles.missing.join(', ')}`,
      details: [
        ...lines,
        `Without them ${server.name} cannot resolve Entra users, groups and apps at sign-in.`,
        'Directory Readers, the alternative to these permissions, is not checked.',
      ],
      remediation: {
        summary:
          'A Global Administrator or Privileged Role Administrator must grant the identity these Microsoft Graph application permissions (or the Directory Readers role).',
        commands: [],
        docsUrl: 'https://learn.microsoft.com/azure/mysql/flexible-server/concepts-azure-ad-authentication',
        fixable: false,
      },
      data,
    };
  }
  const graphLine =
    roles.kind === 'ok'
      ? `Graph permissions of ${lastSegment(used.id)}: ${MYSQL_GRAPH_ROLES.join(', ')}`
      : `cannot verify the Graph permissions of ${lastSegment(used.id)}: ${roles.reason}`;

  const groups = admin && !sameId(admin.sid, caller.objectId) ? await callerGroups(ctx) : undefined;
  const throughGroup = !!admin && !!groups?.ok && groups.groups.some((g) => sameId(g.id, admin.sid));
  const isAdmin = !!admin && (sameId(admin.sid, caller.objectId) || throughGroup);
  const withLogin = { ...data, login: isAdmin ? admin!.login : null };
  if (!isAdmin) {
    return {
      status: 'warn',
      message: admin
        ? `${caller.name} is not the Entra admin of ${server.name}`
        : `no Entra admin on ${server.name}`,
      details: [...lines, ...groupLines(groups), graphLine],
      remediation: {
        summary: admin
          ? `Setup makes you the Entra admin; MySQL has only one, so it replaces ${admin.login}.`
          : 'Setup makes you the Entra admin.',
        commands: [mysqlEntraAdminCommand(server, caller, lastSegment(used.id))],
        fixable: true,
      },
      data: withLogin,
    };
  }
  if (roles.kind === 'unknown') {
    return {
      status: 'warn',
      message: `cannot verify the Graph permissions of ${lastSegment(used.id)}`,
      details: [...lines, graphLine],
      remediation: {
        summary:
          'Check in the portal (Enterprise applications → the identity → Permissions) that it has User.Read.All, GroupMember.Read.All and Application.Read.All, or Directory Readers.',
        commands: [],
        fixable: false,
      },
      data: withLogin,
    };
  }
  return {
    status: 'pass',
    message: `Entra admin ${admin!.login}${throughGroup ? ` (${caller.name} is a member)` : ''} · identity ${lastSegment(used.id)}${data.entraOnly ? ' · Entra-only' : ''}`,
    details: [...lines, graphLine],
    data: withLogin,
  };
}

type GraphRoles =
  | { kind: 'ok' }
  | { kind: 'missing'; missing: string[] }
  | { kind: 'unknown'; reason: string };

/** The identity's Graph app roles, or why they could not be read (a 403 means "cannot verify"). */
async function graphRolesOf(ctx: CheckContext, principalId: string | null): Promise<GraphRoles> {
  if (!principalId)
    return { kind: 'unknown', reason: "the server does not show the identity's principal id" };
  const { azure } = ctx.services;
  let graph: Awaited<ReturnType<typeof graphGet>>;
  let assignments: Awaited<ReturnType<typeof graphGet>>;
  try {
    [graph, assignments] = await Promise.all([
      graphGet(azure, `v1.0/servicePrincipals(appId='${GRAPH_APP_ID}')?$select=id,appRoles`, ctx.signal),
      graphGet(
        azure,
        `v1.0/servicePrincipals/${encodeURIComponent(principalId)}/appRoleAssignments`,
        ctx.signal,
      ),
    ]);
  } catch (error) {
    return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
  for (const answer of [graph, assignments]) {
    if (answer.status !== 200) {
      const error = armError(answer.body);
      return {
        kind: 'unknown',
        reason: `Microsoft Graph answered ${answer.status}${error ? ` ${error.code}` : ''}`,
      };
    }
  }
  const graphBody = graph.body as { id?: string; appRoles?: { id?: string; value?: string }[] };
  const held = new Set(
    listOf(assignments.body)
      .filter((a) => sameId(a.resourceId as string | undefined, graphBody.id))
      .map((a) => String(a.appRoleId ?? '').toLowerCase()),
  );
  const missing = MYSQL_GRAPH_ROLES.filter((value) => {
    const role = graphBody.appRoles?.find((r) => r.value === value);
    return !role?.id || !held.has(role.id.toLowerCase());
  });
  return missing.length === 0 ? { kind: 'ok' } : { kind: 'missing', missing };
}

async function sql(ctx: CheckContext, server: ServerFacts, caller: Caller): Promise<CheckResult> {
  const get = getter(ctx, server);
  const [adminAnswer, onlyAnswer] = await Promise.all([
    get(`${server.id}/administrators/ActiveDirectory`, 'administrators'),
    get(`${server.id}/azureADOnlyAuthentications/Default`, 'entraOnly'),
  ]);
  if (adminAnswer.status !== 200 && adminAnswer.status !== 404)
    return unreadable(`the Entra admin of ${server.name}`, adminAnswer);
  const props = (
    adminAnswer.status === 200 ? ((adminAnswer.body as { properties?: unknown }).properties ?? {}) : {}
  ) as { login?: string; sid?: string };
  const admin = adminAnswer.status === 200 ? { login: props.login ?? '', sid: props.sid ?? '' } : null;
  const entraOnly =
    onlyAnswer.status === 200 &&
    (onlyAnswer.body as { properties?: { azureADOnlyAuthentication?: boolean } }).properties
      ?.azureADOnlyAuthentication === true;
  const lines = [
    admin ? `Entra admin: ${admin.login} (${admin.sid})` : 'Entra admin: none',
    onlyAnswer.status === 200
      ? `Entra-only authentication: ${entraOnly ? 'on (SQL logins are refused)' : 'off'}`
      : `Entra-only authentication: unknown (${onlyAnswer.status})`,
  ];
  // A user or group admin is named by object id, an app or managed identity by its client id.
  const adminType = server.entraAdminType ?? null;
  const groups =
    admin && !sameId(admin.sid, caller.objectId) && adminType !== 'User' && adminType !== 'Application'
      ? await callerGroups(ctx)
      : undefined;
  const throughGroup = !!admin && !!groups?.ok && groups.groups.some((g) => sameId(g.id, admin.sid));
  const isAdmin = !!admin && (sameId(admin.sid, caller.objectId) || throughGroup);
  // With SQL a group's members log in as themselves (the token names them).
  const data = { admin, entraOnly, adminType, login: isAdmin ? caller.name : null };
  if (!admin || !isAdmin) {
    const kind = ADMIN_KIND[adminType ?? ''];
    const named = admin ? `${kind ? `${kind} ` : ''}${admin.login}` : '';
    return {
      status: 'warn',
      message: admin
        ? `the Entra admin of ${server.name} is ${named}, not ${caller.name}`
        : `no Entra admin on ${server.name}`,
      details: [
        ...lines,
        ...groupLines(groups),
        ...(admin && adminType === 'Application'
          ? [
              `${admin.login} connects as dbo while it is the admin; once replaced it needs a database user of its own (setup creates one for the app's identity).`,
            ]
          : []),
      ],
      remediation: {
        summary: admin
          ? `Setup asks before making you the Entra admin: SQL has only one, so it would replace ${named}.`
          : 'Setup makes you the Entra admin.',
        commands: [sqlEntraAdminCommand(server, caller)],
        fixable: true,
      },
      data,
    };
  }
  return {
    status: 'pass',
    message: `Entra admin ${admin.login}${throughGroup ? ` (${caller.name} is a member)` : ''}${entraOnly ? ' · Entra-only' : ''}`,
    details: [
      ...lines,
      ...(throughGroup
        ? [
            `${caller.name} is a member of ${admin.login}, the admin group: setup logs in with your own token.`,
          ]
        : []),
    ],
    data,
  };
}

/** How the admin's kind reads in a sentence (SQL's `principalType`). */
const ADMIN_KIND: Record<string, string> = { User: 'the user', Group: 'the group', Application: 'the app' };

/** What the caller's group memberships showed, when they were looked up. */
function groupLines(groups: CallerGroups | undefined): string[] {
  if (!groups) return [];
  if (!groups.ok) return [`cannot verify your group memberships: ${groups.reason}`];
  return [
    groups.groups.length === 0
      ? 'you are in no Entra group'
      : `your groups: ${groups.groups.map((g) => g.displayName).join(', ')} (none of them is an admin)`,
  ];
}

/** The `value` array of a list answer (empty when there is none). */
function listOf(body: unknown): Record<string, unknown>[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}
