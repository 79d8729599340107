/**
 * Azure SQL's Entra settings as the doctor reads them (see ../entra.ts): its single admin (a user or
 * group by object id, an app by client id), Entra-only authentication, and, when an app is the
 * caller, the server identity an app's `CREATE USER ... FROM EXTERNAL PROVIDER` is resolved through.
 */
import { callerGroups } from '../../azure/caller-groups.ts';
import { enumIn, enumIs } from '../../azure/enums.ts';
import {
  GRAPH_READ_PERMISSIONS,
  type GraphReadRights,
  graphReadRights,
} from '../../azure/graph-read-rights.ts';
import { lastSegment } from '../../azure/resource-id.ts';
import { commandLine } from '../../core/command-line.ts';
import type { CheckContext, CheckResult } from '../../core/types.ts';
import { type Caller, type EntraFacts, groupLines, sameId, unreadable } from '../entra.ts';
import type { ServerFacts } from '../facts.ts';
import { sqlArm } from './arm.ts';
import { sqlEntraAdminCommand } from './commands.ts';

export async function sqlEntraConfig(
  ctx: CheckContext<unknown>,
  server: ServerFacts,
  caller: Caller,
): Promise<CheckResult> {
  const { azure } = ctx.services;
  const [adminAnswer, onlyAnswer] = await Promise.all([
    sqlArm.getAdmin(azure, server.id, ctx.signal),
    sqlArm.getEntraOnly(azure, server.id, ctx.signal),
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
  const data: EntraFacts = {
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
  ctx: CheckContext<unknown>,
  server: ServerFacts,
  caller: Caller,
  data: Pick<EntraFacts, 'serverIdentity'>,
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
