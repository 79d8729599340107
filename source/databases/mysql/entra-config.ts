/**
 * MySQL's Entra settings as the doctor reads them (see ../entra.ts): its single admin, `aad_auth_only`,
 * and whether the server's identity may read Microsoft Graph (without it the server cannot look up
 * Entra users).
 */
import { callerGroups } from '../../azure/caller-groups.ts';
import { type GraphReadRights, graphReadRights } from '../../azure/graph-read-rights.ts';
import { lastSegment } from '../../azure/resource-id.ts';
import type { CheckContext, CheckResult } from '../../core/types.ts';
import { type Caller, type EntraFacts, groupLines, listOf, sameId, unreadable } from '../entra.ts';
import type { ServerFacts } from '../facts.ts';
import { mysqlArm } from './arm.ts';
import { mysqlEntraAdminCommand, mysqlServerIdentityCommands } from './commands.ts';

export async function mysqlEntraConfig(
  ctx: CheckContext<unknown>,
  server: ServerFacts,
  caller: Caller,
): Promise<CheckResult> {
  const { azure } = ctx.services;
  const [adminsAnswer, onlyAnswer] = await Promise.all([
    mysqlArm.getAdmins(azure, server.id, ctx.signal),
    mysqlArm.getConfiguration(azure, server.id, 'aad_auth_only', ctx.signal),
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
  const data: EntraFacts = {
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
async function rightsOf(ctx: CheckContext<unknown>, principalId: string | null): Promise<GraphReadRights> {
  if (!principalId)
    return { status: 'unknown', reason: "the server does not show the identity's principal id" };
  return graphReadRights(ctx.services.azure, principalId, ctx.signal);
}
