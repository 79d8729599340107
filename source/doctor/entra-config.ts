/**
 * `entra-config`: is Microsoft Entra authentication set up on the server, and is the signed-in caller
 * an Entra admin (setup connects as one to create the app's database user)? Per server kind:
 * PostgreSQL `authConfig` and its admins; MySQL's single admin and the server identity's Graph app
 * roles (without them the server cannot look up Entra users); SQL's admin and Entra-only flag.
 */
import { armError, armGet } from '../azure/arm.ts';
import { enumIn, enumIs } from '../azure/enums.ts';
import { GRAPH_READ_PERMISSIONS, type GraphReadRights, graphReadRights } from '../azure/graph-read-rights.ts';
import { commandLine } from '../core/command-line.ts';
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

export { GRAPH_APP_ID } from '../azure/graph-read-rights.ts';
/** The Graph application permissions a MySQL server identity needs to resolve Entra principals. */
export const MYSQL_GRAPH_ROLES = GRAPH_READ_PERMISSIONS;

/**
 * Who is asking, from the sign-in (never the token). An app (service principal or managed identity)
 * is one everywhere: PostgreSQL admin type ServicePrincipal, SQL admin `sid` = its client id, Graph
 * groups through `servicePrincipals/{id}`.
 */
interface Caller {
  objectId: string | undefined;
  /** The sign-in name: a person's UPN, an app's client id. */
  name: string;
  /** How the caller reads in a sentence: `dana@contoso.com`, `the managed identity <client id>`. */
  label: string;
  isApp: boolean;
  appId: string | undefined;
}

/** The caller from the sign-in state. */
function callerOf(signIn: Awaited<ReturnType<CheckContext['services']['azure']['signIn']>>): Caller {
  if (!signIn.ok) return { objectId: undefined, name: 'you', label: 'you', isApp: false, appId: undefined };
  const { identity } = signIn;
  const managed = identity.userType === 'managedIdentity' || signIn.credential === 'managed-identity';
  const isApp = managed || identity.userType === 'servicePrincipal';
  const name = identity.user ?? identity.appId ?? 'you';
  return {
    objectId: identity.objectId,
    name,
    label: isApp ? `the ${managed ? 'managed identity' : 'service principal'} ${name}` : name,
    isApp,
    appId: identity.appId,
  };
}

export const entraConfigCheck: Check = {
  id: 'entra-config',
  title: 'Entra authentication',
  needs: ['server', 'signin'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no database server to look at' };
    const caller = callerOf(await ctx.services.azure.signIn());
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
  const entraOn = enumIs(auth.activeDirectoryAuth, 'Enabled');
  const passwordOn = !enumIs(auth.passwordAuth, 'Disabled');
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
  // The admin entry's name, not the token's: portal-made entries and B2B guests (`#EXT#`) differ.
  const login = (direct?.principalName || undefined) ?? through?.principalName ?? null;
  const data = {
    entraAuth: true,
    passwordAuth: passwordOn,
    admins,
    login,
    loginVia: direct ? 'direct' : through ? 'group' : null,
  };
  if (!direct && !through) {
    return {
      status: 'warn',
      message:
        admins.length === 0
          ? `no Entra admin on ${server.name}`
          : `${caller.label} is not an Entra admin of ${server.name}`,
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
    message: `Entra on · ${caller.label} is an admin${through ? ` through group ${through.principalName}` : ''}${passwordOn ? '' : ' · Entra-only'}`,
    details: [
      authLine,
      ...adminLines,
      ...(through
        ? [
            `${caller.label} is a member of ${through.principalName}: setup logs in as ${through.principalName}.`,
          ]
        : direct?.principalName && direct.principalName !== caller.name
          ? [`the admin entry names ${direct.principalName}: setup logs in with that name.`]
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
  const roles = await rightsOf(ctx, used.principalId);
  if (roles.status === 'missing') {
    data.graphRoles = { identity: used.id, missing: roles.missing };
    return {
      status: 'fail',
      message: `identity ${lastSegment(used.id)} lacks Graph permissions ${roles.missing.join(', ')}`,
      details: [
        ...lines,
        `Without them ${server.name} cannot resolve Entra users, groups and apps at sign-in.`,
        'It is not in Directory Readers either (the alternative to these permissions).',
      ],
      remediation: {
        summary:
          'A Global Administrator or Privileged Role Administrator must grant the identity these Microsoft Graph application permissions (or the Directory Readers role).',
        commands: roles.grantCommands,
        docsUrl: 'https://learn.microsoft.com/azure/mysql/flexible-server/concepts-azure-ad-authentication',
        fixable: false,
      },
      data,
    };
  }
  const graphLine =
    roles.status === 'granted'
      ? `Graph permissions of ${lastSegment(used.id)}: ${roles.how}`
      : `cannot verify the Graph permissions of ${lastSegment(used.id)}: ${roles.reason}`;

  const groups = admin && !sameId(admin.sid, caller.objectId) ? await callerGroups(ctx) : undefined;
  const throughGroup = !!admin && !!groups?.ok && groups.groups.some((g) => sameId(g.id, admin.sid));
  const isAdmin = !!admin && (sameId(admin.sid, caller.objectId) || throughGroup);
  const withLogin = {
    ...data,
    // The admin entry's `login` is the name MySQL knows the caller by (a group's for its members).
    login: isAdmin ? admin!.login : null,
    loginVia: isAdmin ? (throughGroup ? 'group' : 'direct') : null,
  };
  if (!isAdmin) {
    return {
      status: 'warn',
      message: admin
        ? `${caller.label} is not the Entra admin of ${server.name}`
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
  if (roles.status === 'unknown') {
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
    message: `Entra admin ${admin!.login}${throughGroup ? ` (${caller.label} is a member)` : ''} · identity ${lastSegment(used.id)}${data.entraOnly ? ' · Entra-only' : ''}`,
    details: [...lines, graphLine],
    data: withLogin,
  };
}

/** The identity's Graph read rights, or why they could not be read (a 403 means "cannot verify"). */
async function rightsOf(ctx: CheckContext, principalId: string | null): Promise<GraphReadRights> {
  if (!principalId)
    return { status: 'unknown', reason: "the server does not show the identity's principal id" };
  return graphReadRights(ctx.services.azure, principalId, ctx.signal);
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
  const isCaller = (sid: string) =>
    sameId(sid, caller.objectId) || (caller.isApp && sameId(sid, caller.appId ?? caller.name));
  const groups =
    admin && !isCaller(admin.sid) && !enumIn(adminType, 'User', 'Application')
      ? await callerGroups(ctx)
      : undefined;
  const throughGroup = !!admin && !!groups?.ok && groups.groups.some((g) => sameId(g.id, admin.sid));
  const isAdmin = !!admin && (isCaller(admin.sid) || throughGroup);
  // With SQL a group's members log in as themselves (the token names them).
  const data = {
    admin,
    entraOnly,
    adminType,
    login: isAdmin ? caller.name : null,
    loginVia: isAdmin ? (throughGroup ? 'group' : 'direct') : null,
    serverIdentity: null as null | { principalId: string | null; graph: GraphReadRights['status'] | 'none' },
  };
  // An app cannot have SQL impersonate it to Graph: its CREATE USER ... FROM EXTERNAL PROVIDER is
  // resolved through the server's own identity, which must exist and read Graph, or it fails.
  const identity = caller.isApp ? await sqlServerIdentityFinding(ctx, server, caller, data) : undefined;
  if (identity?.blocking) return { ...identity.result, details: [...lines, ...identity.result.details!] };
  const identityLines = identity?.lines ?? [];
  if (!admin || !isAdmin) {
    const kind = ADMIN_KIND[adminType ?? ''];
    const named = admin ? `${kind ? `${kind} ` : ''}${admin.login}` : '';
    return {
      status: 'warn',
      message: admin
        ? `the Entra admin of ${server.name} is ${named}, not ${caller.label}`
        : `no Entra admin on ${server.name}`,
      details: [
        ...lines,
        ...groupLines(groups),
        ...(admin && enumIs(adminType, 'Application')
          ? [
              `${admin.login} connects as dbo while it is the admin; once replaced it needs a database user of its own (setup creates one for the app's identity).`,
            ]
          : []),
        ...identityLines,
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
    status: identity?.status ?? 'pass',
    message: `Entra admin ${admin.login}${throughGroup ? ` (${caller.label} is a member)` : ''}${entraOnly ? ' · Entra-only' : ''}${identity?.status === 'warn' ? ` · cannot verify the Graph permissions of the server identity` : ''}`,
    details: [
      ...lines,
      ...(throughGroup
        ? [
            `${caller.label} is a member of ${admin.login}, the admin group: setup logs in with your own token.`,
          ]
        : []),
      ...identityLines,
    ],
    ...(identity?.status === 'warn' && identity.remediation ? { remediation: identity.remediation } : {}),
    data,
  };
}

/** What the SQL server's identity means for an app caller: blocking when it is missing or cannot read Graph. */
type IdentityFinding =
  | { blocking: true; result: CheckResult }
  | {
      blocking: false;
      status: 'pass' | 'warn';
      lines: string[];
      remediation?: NonNullable<CheckResult['remediation']>;
    };

/**
 * Azure SQL run by a service principal or managed identity: the server identity (primary
 * user-assigned, else system-assigned) must exist and hold User.Read.All, GroupMember.Read.All and
 * Application.Read.All (or Directory Readers), or `CREATE USER ... FROM EXTERNAL PROVIDER` fails
 * (error 33134, "Server identity is not configured"). Learn: "Microsoft Entra service principals
 * with Azure SQL".
 */
async function sqlServerIdentityFinding(
  ctx: CheckContext,
  server: ServerFacts,
  caller: Caller,
  data: { serverIdentity: null | { principalId: string | null; graph: GraphReadRights['status'] | 'none' } },
): Promise<IdentityFinding> {
  const identity = server.sqlServerIdentity ?? null;
  const docsUrl = 'https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-service-principal';
  const why = `${caller.label} creates the app's database user, and an app's CREATE USER ... FROM EXTERNAL PROVIDER is resolved through ${server.name}'s own identity, which must read Microsoft Graph.`;
  if (!identity?.principalId) {
    data.serverIdentity = { principalId: null, graph: 'none' };
    return {
      blocking: true,
      result: {
        status: 'fail',
        message: `${server.name} has no server identity, so ${caller.label} cannot create Entra users in it`,
        details: [why, 'Azure SQL answers error 33134: "Server identity is not configured".'],
        remediation: {
          summary: `Give ${server.name} a system-assigned identity, have a Global Administrator or Privileged Role Administrator grant it ${GRAPH_READ_PERMISSIONS.join(', ')} (or Directory Readers), then run sc-doctor again: it prints the exact grant commands.`,
          commands: [commandLine(['az', 'sql', 'server', 'update', '--ids', server.id, '--assign-identity'])],
          docsUrl,
          fixable: false,
        },
        // Setup would only fail at the database user and roll everything back: stop before it.
        blocking: true,
        data,
      },
    };
  }
  const name =
    identity.kind === 'user' && identity.id ? lastSegment(identity.id) : `${server.name}'s system identity`;
  const rights = await graphReadRights(ctx.services.azure, identity.principalId, ctx.signal);
  data.serverIdentity = { principalId: identity.principalId, graph: rights.status };
  if (rights.status === 'missing') {
    return {
      blocking: true,
      result: {
        status: 'fail',
        message: `the server identity ${name} lacks Graph permissions ${rights.missing.join(', ')}, so ${caller.label} cannot create Entra users`,
        details: [why, 'It is not in Directory Readers either (the alternative to these permissions).'],
        remediation: {
          summary: `A Global Administrator or Privileged Role Administrator must grant ${name} these Microsoft Graph application permissions (or the Directory Readers role):`,
          commands: rights.grantCommands,
          docsUrl,
          fixable: false,
        },
        blocking: true,
        data,
      },
    };
  }
  if (rights.status === 'unknown')
    return {
      blocking: false,
      status: 'warn',
      lines: [why, `cannot verify the Graph permissions of the server identity ${name}: ${rights.reason}`],
      remediation: {
        summary: `Check that ${name} has ${GRAPH_READ_PERMISSIONS.join(', ')} (or Directory Readers): without them creating the app's database user fails.`,
        commands: [],
        docsUrl,
        fixable: false,
      },
    };
  return {
    blocking: false,
    status: 'pass',
    lines: [`server identity ${name} may read Microsoft Graph (${rights.how})`],
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
