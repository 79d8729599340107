/**
 * `entra-admin`: makes the signed-in user (or service principal) an Entra admin of the server, so it
 * may log in and map the app's identity to a role. PostgreSQL allows several admins: this adds one
 * and replaces none. Undo removes exactly that admin, and only when this run added it.
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import type { Step, UndoRecord } from '../step.ts';
import { readArm, writeArm } from './azure-calls.ts';
import { ENTRA_AUTH } from './entra-auth.ts';
import { API, type PostgresSetupInput } from './input.ts';

export interface EntraAdminRecord extends UndoRecord {
  server: string;
  serverName: string;
  objectId: string;
  principalName: string;
}

export const ENTRA_ADMIN = 'entra-admin';

const adminPath = (server: string, objectId: string) => `${server}/administrators/${objectId}`;

export function entraAdminStep(input: PostgresSetupInput, services: Services): Step<EntraAdminRecord> {
  const { server, signedIn } = input;
  const path = adminPath(server.id, signedIn.objectId);
  return {
    id: ENTRA_ADMIN,
    title: `${signedIn.user} as Entra admin of ${server.name}`,
    resource: server.id,
    after: [ENTRA_AUTH],
    // The doctor (entra-config) saw the caller an admin already, by its own entry or a group's.
    alreadyDone: () =>
      input.adminLogin
        ? input.adminLogin.via === 'group'
          ? `already an admin through the group ${input.adminLogin.login}`
          : 'already an admin'
        : undefined,
    preview: () =>
      input.adminLogin
        ? [
            input.adminLogin.via === 'group'
              ? `you are an Entra admin of ${server.name} as a member of the group ${input.adminLogin.login}: setup logs in with that name and adds no admin`
              : `you are an Entra admin of ${server.name} already (as ${input.adminLogin.login})`,
          ]
        : [`add ${signedIn.user} as an Entra admin of ${server.name} (the other admins stay)`],
    async isDone(ctx) {
      // A member of an admin group is an admin through it: adding the caller too would change nothing.
      if (input.adminLogin?.via === 'group') return true;
      return (
        (await readArm(services, path, API.postgres, `reading the admins of ${server.name}`, ctx.signal)) !==
        undefined
      );
    },
    async apply(ctx) {
      const record: EntraAdminRecord = {
        server: server.id,
        serverName: server.name,
        objectId: signedIn.objectId,
        principalName: signedIn.user,
      };
      await ctx.checkpoint(record);
      ctx.progress('adding the admin');
      await writeArm(
        services,
        ctx,
        'PUT',
        path,
        API.postgres,
        {
          properties: {
            principalName: signedIn.user,
            // A managed identity signs in as a service principal and is one to PostgreSQL too.
            principalType: signedIn.type === 'user' ? 'User' : 'ServicePrincipal',
          },
        },
        `adding ${signedIn.user} as an Entra admin of ${server.name}`,
      );
      return record;
    },
    undo: (ctx, record) => undoEntraAdmin(services, ctx, record),
    manualUndo: manualEntraAdmin,
  };
}

/** The commands that reverse the step by hand. */
export function manualEntraAdmin(record: EntraAdminRecord): string[] {
  return [
    commandLine([
      'az',
      'postgres',
      'flexible-server',
      'microsoft-entra-admin',
      'delete',
      '--ids',
      record.server,
      '--object-id',
      record.objectId,
      '--yes',
    ]),
  ];
}

export async function undoEntraAdmin(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: EntraAdminRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const path = adminPath(record.server, record.objectId);
  const admin = await readArm(
    services,
    path,
    API.postgres,
    `reading the admins of ${record.serverName}`,
    ctx.signal,
  );
  if (!admin) return { status: 'already-gone', reason: `${record.principalName} is no longer an admin` };
  const name = (admin.properties as { principalName?: string })?.principalName;
  if (name && name !== record.principalName)
    return { status: 'changed-since', reason: `the admin entry now names ${name}` };
  await writeArm(
    services,
    ctx,
    'DELETE',
    path,
    API.postgres,
    undefined,
    `removing the admin ${record.principalName}`,
  );
  return { status: 'undone' };
}
