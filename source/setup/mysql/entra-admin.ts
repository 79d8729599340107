/**
 * `entra-admin`: makes the signed-in user (or service principal) the server's Entra admin, so it may
 * log in and create the app's user. MySQL has a single admin (`administrators/ActiveDirectory`):
 * when someone else holds it, replacing them needs the user's consent, and the plan names them.
 * Undo puts the previous admin back exactly, or removes the admin when there was none.
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { readArm, writeArm } from '../postgres/azure-calls.ts';
import type { Step, UndoRecord } from '../step.ts';
import { MYSQL_API, type MysqlSetupInput } from './input.ts';
import { SERVER_IDENTITY, serverIdentityOf } from './server-identity.ts';

/** The admin's properties as ARM holds them. */
export interface AdminProperties extends UndoRecord {
  administratorType: string;
  login: string;
  sid: string;
  tenantId: string;
  identityResourceId: string;
}

export interface EntraAdminRecord extends UndoRecord {
  server: string;
  serverName: string;
  /** The admin before this run, exactly; null when there was none. */
  previous: AdminProperties | null;
  /** Who this run made admin. */
  login: string;
  sid: string;
}

export const ENTRA_ADMIN = 'entra-admin';

const adminPath = (server: string) => `${server}/administrators/ActiveDirectory`;

async function currentAdmin(
  services: Services,
  server: string,
  name: string,
  signal?: AbortSignal,
): Promise<AdminProperties | null> {
  const admin = await readArm(services, adminPath(server), MYSQL_API, `reading the admin of ${name}`, signal);
  return admin ? (admin.properties as AdminProperties) : null;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

export function entraAdminStep(input: MysqlSetupInput, services: Services): Step<EntraAdminRecord> {
  const { server, signedIn } = input;
  const known = input.mysqlAdmin;
  // A member of the admin group is the admin through it: nothing to replace (it would lock the group out).
  const throughGroup = input.adminLogin?.via === 'group';
  const replaces =
    !throughGroup && (known === undefined || (known !== null && !same(known.sid, signedIn.objectId)));
  return {
    id: ENTRA_ADMIN,
    title: `${signedIn.user} as the Entra admin of ${server.name}`,
    resource: server.id,
    after: [SERVER_IDENTITY],
    // The doctor (entra-config) saw the caller the admin already, itself or through its group.
    alreadyDone: () =>
      input.adminLogin
        ? throughGroup
          ? `already the admin through the group ${input.adminLogin.login}`
          : 'already the admin'
        : undefined,
    ...(replaces
      ? {
          consent: known
            ? `replaces ${known.login}, the only Entra admin of ${server.name}, with ${signedIn.user}`
            : `replaces the only Entra admin of ${server.name} with ${signedIn.user}, if it is someone else`,
        }
      : {}),
    async preview(ctx) {
      if (throughGroup)
        return [
          `you are the Entra admin of ${server.name} as a member of the group ${input.adminLogin!.login}: setup logs in with that name and replaces no one`,
        ];
      const admin = await currentAdmin(services, server.id, server.name, ctx.signal).catch(() => undefined);
      if (admin && same(admin.sid, signedIn.objectId))
        return [`${signedIn.user} is already the Entra admin of ${server.name}`];
      if (admin)
        return [
          `replace ${admin.login}, the only Entra admin of ${server.name} (MySQL has one), with ${signedIn.user}`,
          `${admin.login} can no longer sign in as admin until put back; a rollback puts them back`,
        ];
      return [`make ${signedIn.user} the Entra admin of ${server.name} (it has none)`];
    },
    async isDone(ctx) {
      const admin = await currentAdmin(services, server.id, server.name, ctx.signal);
      if (throughGroup) return admin !== null && same(admin.login, input.adminLogin!.login);
      return admin !== null && same(admin.sid, signedIn.objectId);
    },
    async apply(ctx) {
      const previous = await currentAdmin(services, server.id, server.name, ctx.signal);
      if (throughGroup)
        throw new Error(
          `the Entra admin of ${server.name} is no longer the group ${input.adminLogin!.login} the plan showed: run setup again to see the new plan`,
        );
      // The consent covered the admin the plan named: never replace someone the user was not asked about.
      if (previous && known !== undefined && !same(previous.sid, known?.sid))
        throw new Error(
          `the Entra admin of ${server.name} is now ${previous.login}, not who the plan showed: run setup again to see the new plan`,
        );
      const identity = await serverIdentityOf(services, input, ctx.signal);
      const record: EntraAdminRecord = {
        server: server.id,
        serverName: server.name,
        previous,
        login: signedIn.user,
        sid: signedIn.objectId,
      };
      await ctx.checkpoint(record);
      ctx.progress(previous ? `replacing ${previous.login}` : 'setting the admin');
      await writeArm(
        services,
        ctx,
        'PUT',
        adminPath(server.id),
        MYSQL_API,
        {
          properties: {
            administratorType: 'ActiveDirectory',
            login: signedIn.user,
            sid: signedIn.objectId,
            tenantId: identity.tenantId,
            identityResourceId: identity.id,
          },
        },
        `making ${signedIn.user} the Entra admin of ${server.name}`,
      );
      return record;
    },
    undo: (ctx, record) => undoEntraAdmin(services, ctx, record),
    manualUndo: manualEntraAdmin,
  };
}

/** The commands that reverse the step by hand: the previous admin put back, or the admin removed. */
export function manualEntraAdmin(record: EntraAdminRecord): string[] {
  // A URI without a host is taken by az rest as an ARM path in az's current cloud.
  const uri = `${adminPath(record.server)}?api-version=${MYSQL_API}`;
  if (!record.previous) return [commandLine(['az', 'rest', '--method', 'DELETE', '--uri', uri])];
  const { administratorType, login, sid, tenantId, identityResourceId } = record.previous;
  const body = JSON.stringify({
    properties: { administratorType, login, sid, tenantId, identityResourceId },
  });
  return [commandLine(['az', 'rest', '--method', 'PUT', '--uri', uri, '--body', body])];
}

/** Reverses `entra-admin` from its record alone. */
export async function undoEntraAdmin(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: EntraAdminRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const admin = await currentAdmin(services, record.server, record.serverName, ctx.signal);
  if (!admin) {
    if (!record.previous)
      return { status: 'already-gone', reason: `${record.serverName} has no Entra admin` };
    return { status: 'changed-since', reason: `the Entra admin of ${record.serverName} was removed since` };
  }
  if (record.previous && same(admin.sid, record.previous.sid))
    return { status: 'already-gone', reason: `${admin.login} is the Entra admin, as before the run` };
  if (!same(admin.sid, record.sid))
    return {
      status: 'changed-since',
      reason: `the Entra admin of ${record.serverName} is now ${admin.login}`,
    };
  if (record.previous) {
    const { administratorType, login, sid, tenantId, identityResourceId } = record.previous;
    await writeArm(
      services,
      ctx,
      'PUT',
      adminPath(record.server),
      MYSQL_API,
      { properties: { administratorType, login, sid, tenantId, identityResourceId } },
      `putting ${login} back as the Entra admin of ${record.serverName}`,
    );
  } else {
    await writeArm(
      services,
      ctx,
      'DELETE',
      adminPath(record.server),
      MYSQL_API,
      undefined,
      `removing ${record.login} as the Entra admin of ${record.serverName}`,
    );
  }
  return { status: 'undone' };
}
