/**
 * PostgreSQL's Entra settings as the doctor reads them (see ../entra.ts): `authConfig` came with the
 * server check's read; the admins are listed here. PostgreSQL allows several admins, and a group's
 * members log in with the group's name.
 */
import { callerGroups } from '../../azure/caller-groups.ts';
import { enumIs } from '../../azure/enums.ts';
import { lastSegment } from '../../azure/resource-id.ts';
import type { CheckContext, CheckResult } from '../../core/types.ts';
import { type Caller, type EntraFacts, groupLines, listOf, sameId, unreadable } from '../entra.ts';
import type { ServerFacts } from '../facts.ts';
import { postgresArm } from './arm.ts';
import { postgresEntraAdminCommand, postgresEntraAuthCommand } from './commands.ts';

export async function postgresEntraConfig(
  ctx: CheckContext<unknown>,
  server: ServerFacts,
  caller: Caller,
): Promise<CheckResult> {
  // The server's authConfig came with the server check's read; only the admins are asked for here.
  const adminsAnswer = await postgresArm.getAdmins(ctx.services.azure, server.id, ctx.signal);
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
      data: { entraAuth: false, passwordAuth: passwordOn, admins: [] } satisfies EntraFacts,
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
  const data: EntraFacts = {
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
