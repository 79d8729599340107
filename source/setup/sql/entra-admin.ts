/**
 * `entra-admin` for Azure SQL: a logical server has exactly one Entra admin, so making the signed-in
 * account the admin replaces whoever it is. When the caller is the admin already (directly, or as a
 * member of the admin group) nothing is written; otherwise the plan names the admin that would be
 * replaced and the step asks consent. Entra-only authentication is never touched (the admin write
 * leaves it as it is). Undo puts the previous admin back exactly (or removes ours when there was none).
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { type GroupMember, groupsOf } from '../../doctor/caller-groups.ts';
import { readArm, writeArm } from '../postgres/azure-calls.ts';
import type { Step, UndoRecord } from '../step.ts';
import { SQL_API, type SqlSetupInput } from './input.ts';

export const ENTRA_ADMIN = 'entra-admin';

/** The admin as ARM shows it: `login` (display name) and `sid` (object id, or client id for apps). */
export interface Admin extends UndoRecord {
  login: string;
  sid: string;
  tenantId: string | null;
}

export interface SqlAdminRecord extends UndoRecord {
  server: string;
  serverName: string;
  /** The admin before the run, or null when the server had none. */
  previous: Admin | null;
  /** The admin this run set. */
  login: string;
  sid: string;
}

const adminPath = (server: string) => `${server}/administrators/ActiveDirectory`;

async function readAdmin(services: Services, server: string, name: string, signal?: AbortSignal) {
  const found = await readArm(
    services,
    adminPath(server),
    SQL_API.administrators,
    `reading the Entra admin of ${name}`,
    signal,
  );
  if (!found) return null;
  const props = (found.properties ?? {}) as Record<string, unknown>;
  return {
    login: String(props.login ?? ''),
    sid: String(props.sid ?? ''),
    tenantId: typeof props.tenantId === 'string' ? props.tenantId : null,
  } satisfies Admin;
}

async function entraOnly(services: Services, server: string, signal?: AbortSignal): Promise<boolean> {
  const found = await readArm(
    services,
    `${server}/azureADOnlyAuthentications/Default`,
    SQL_API.entraOnly!,
    'reading Entra-only authentication',
    signal,
  );
  return (found?.properties as { azureADOnlyAuthentication?: boolean })?.azureADOnlyAuthentication === true;
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** How the signed-in account relates to the admin: it is the admin, a member of the admin group, or neither. */
async function callerStanding(
  services: Services,
  input: SqlSetupInput,
  admin: Admin,
  signal?: AbortSignal,
): Promise<'admin' | 'member' | 'other'> {
  const { signedIn } = input;
  if (same(admin.sid, signedIn.objectId)) return 'admin';
  if (signedIn.type === 'servicePrincipal' && same(admin.sid, signedIn.user)) return 'admin';
  // A person reads its groups as `me`; a service principal or managed identity has no `me` and is no
  // user (Graph answers 400 and 404): it reads them as `servicePrincipals/{id}`.
  const member: GroupMember =
    signedIn.type === 'user' ? { kind: 'me' } : { kind: 'app', objectId: signedIn.objectId };
  const groups = await groupsOf(services.azure, member, signal);
  if (!groups.ok) throw new Error(`reading your group memberships: ${groups.reason}`);
  return groups.groups.some((g) => same(g.id, admin.sid)) ? 'member' : 'other';
}

export function sqlEntraAdminStep(input: SqlSetupInput, services: Services): Step<SqlAdminRecord> {
  const { server, signedIn } = input;
  // What the plan saw: the apply replaces only the admin the user consented to replace.
  let planned: { admin: Admin | null } | undefined;
  // Whether a consent is needed, and whom it names, is known only once `preview` has read the admin:
  // the plan reads `consent` after the preview, so the preview settles it (or drops it).
  // Until then, and when the admin cannot be read, the step asks.
  const step: Step<SqlAdminRecord> = {
    id: ENTRA_ADMIN,
    title: `${signedIn.user} as the Entra admin of ${server.name}`,
    resource: server.id,
    // The doctor (entra-config) saw the caller the admin already, itself or as a member of the admin group.
    alreadyDone: () =>
      input.adminLogin
        ? input.adminLogin.via === 'group'
          ? 'already the admin through its group'
          : 'already the admin'
        : undefined,
    consent: `replaces the single Entra admin of ${server.name}`,
    async preview(ctx) {
      let admin: Admin | null;
      let standing: 'admin' | 'member' | 'other' = 'other';
      let only = false;
      try {
        admin = await readAdmin(services, server.id, server.name, ctx.signal);
        only = await entraOnly(services, server.id, ctx.signal);
        if (admin) standing = await callerStanding(services, input, admin, ctx.signal);
      } catch (error) {
        return [
          `cannot read the Entra admin of ${server.name} (${(error as Error).message}): making ${signedIn.user} the admin may replace it`,
        ];
      }
      planned = { admin };
      const onlyLine = `Entra-only authentication stays ${only ? 'on' : 'off'}`;
      if (standing !== 'other') {
        delete step.consent;
        return [
          standing === 'admin'
            ? `${signedIn.user} is already the Entra admin of ${server.name}`
            : `${signedIn.user} is a member of ${admin!.login}, the Entra admin of ${server.name}`,
          onlyLine,
        ];
      }
      if (!admin) {
        delete step.consent;
        return [`make ${signedIn.user} the Entra admin of ${server.name} (it has none)`, onlyLine];
      }
      step.consent = `replaces ${admin.login} (${admin.sid}), the only Entra admin of ${server.name}; it is put back on undo`;
      return [
        `make ${signedIn.user} the Entra admin of ${server.name}: Azure SQL has one, so this REPLACES ${admin.login} (${admin.sid})`,
        `${admin.login} loses admin rights on ${server.name} until the run is undone`,
        onlyLine,
      ];
    },
    async isDone(ctx) {
      const admin = await readAdmin(services, server.id, server.name, ctx.signal);
      return admin !== null && (await callerStanding(services, input, admin, ctx.signal)) !== 'other';
    },
    async apply(ctx) {
      const previous = await readAdmin(services, server.id, server.name, ctx.signal);
      if (planned && !same(planned.admin?.sid ?? 'none', previous?.sid ?? 'none'))
        throw new Error(
          `the Entra admin of ${server.name} changed since the plan (now ${previous?.login ?? 'none'}): run setup again to see what it would replace`,
        );
      const signIn = await services.azure.signIn(ctx.signal);
      const identity = signIn.ok ? signIn.identity : undefined;
      const sid =
        signedIn.type === 'servicePrincipal' ? (identity?.appId ?? signedIn.user) : signedIn.objectId;
      const tenantId = identity?.tenantId ?? previous?.tenantId ?? undefined;
      const record: SqlAdminRecord = {
        server: server.id,
        serverName: server.name,
        previous,
        login: signedIn.user,
        sid,
      };
      await ctx.checkpoint(record);
      ctx.progress('setting the admin');
      await writeArm(
        services,
        ctx,
        'PUT',
        adminPath(server.id),
        SQL_API.administrators,
        { properties: { administratorType: 'ActiveDirectory', login: signedIn.user, sid, tenantId } },
        `making ${signedIn.user} the Entra admin of ${server.name}`,
      );
      return record;
    },
    undo: (ctx, record) => undoSqlEntraAdmin(services, ctx, record),
    manualUndo: manualSqlEntraAdmin,
  };
  return step;
}

/** Reverses `entra-admin` from its record: the previous admin comes back exactly as it was. */
export async function undoSqlEntraAdmin(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlAdminRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const current = await readAdmin(services, record.server, record.serverName, ctx.signal);
  const previousSid = record.previous?.sid ?? null;
  if (!same(current?.sid, record.sid)) {
    if ((current?.sid ?? null)?.toLowerCase() === previousSid?.toLowerCase())
      return { status: 'already-gone', reason: 'the Entra admin is the one from before the run' };
    return {
      status: 'changed-since',
      reason: `the Entra admin of ${record.serverName} is now ${current?.login ?? 'nobody'}, not the one this run set`,
    };
  }
  if (record.previous) {
    const { login, sid, tenantId } = record.previous;
    await writeArm(
      services,
      ctx,
      'PUT',
      adminPath(record.server),
      SQL_API.administrators,
      { properties: { administratorType: 'ActiveDirectory', login, sid, ...(tenantId ? { tenantId } : {}) } },
      `putting ${login} back as the Entra admin of ${record.serverName}`,
    );
    return { status: 'undone' };
  }
  // Azure refuses to remove the admin while Entra-only is on; it was off when this run found no admin.
  if (await entraOnly(services, record.server, ctx.signal))
    return {
      status: 'changed-since',
      reason: 'Entra-only authentication was turned on since this run; the admin must stay',
    };
  await writeArm(
    services,
    ctx,
    'DELETE',
    adminPath(record.server),
    SQL_API.administrators,
    undefined,
    `removing ${record.login} as the Entra admin of ${record.serverName}`,
  );
  return { status: 'undone' };
}

/** The command that reverses the step by hand: the admin before the run put back, or the admin removed. */
export function manualSqlEntraAdmin(record: SqlAdminRecord): string[] {
  const admin = ['az', 'sql', 'server', 'ad-admin'];
  if (!record.previous) return [commandLine([...admin, 'delete', '--ids', record.server])];
  return [
    commandLine([
      ...admin,
      'create',
      '--ids',
      record.server,
      '--display-name',
      record.previous.login,
      '--object-id',
      record.previous.sid,
    ]),
  ];
}
