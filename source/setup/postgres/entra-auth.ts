/**
 * `entra-auth`: turns on Microsoft Entra authentication on the server, keeping password
 * authentication as it is. Azure may restart the server for it, so it asks consent unless the doctor
 * already saw it on. Undo puts `authConfig` back exactly.
 */

import { enumIs } from '../../azure/enums.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { postgresArm } from '../../databases/postgres/arm.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import type { PostgresSetupInput } from './input.ts';
import { ENTRA_AUTH_RECORD } from './record-schemas.ts';

export interface EntraAuthRecord extends UndoRecord {
  server: string;
  serverName: string;
  /** `activeDirectoryAuth` and `passwordAuth` before the change. */
  activeDirectoryAuth: string;
  passwordAuth: string;
}

export const ENTRA_AUTH = 'entra-auth';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const entraAuth: SetupStep<EntraAuthRecord> = {
  id: ENTRA_AUTH,
  title: 'Entra authentication',
  record: ENTRA_AUTH_RECORD,
  undo: (ctx, record) => undoEntraAuth(ctx.services, ctx, record),
  manualUndo: manualEntraAuth,
};

async function authConfigOf(services: Services, server: string, name: string, signal?: AbortSignal) {
  const resource = await postgresArm.readServer(services, server, `reading ${name}`, signal);
  if (!resource) throw new Error(`the server ${name} no longer exists`);
  return ((resource.properties as Record<string, unknown>)?.authConfig ?? {}) as Record<string, string>;
}

export function entraAuthStep(input: PostgresSetupInput, services: Services): Step<EntraAuthRecord> {
  const { server } = input;
  return planned(
    entraAuth,
    {
      title: `Entra authentication on ${server.name}`,
      resource: server.id,
      ...(input.entraAuthEnabled ? {} : { consent: `may restart the server ${server.name}` }),
      alreadyDone: () => (input.entraAuthEnabled ? 'already on' : undefined),
      async preview(ctx) {
        const auth = await authConfigOf(services, server.id, server.name, ctx.signal).catch(() => undefined);
        if (enumIs(auth?.activeDirectoryAuth, 'Enabled'))
          return [`Entra authentication is already on for ${server.name}`];
        return [
          `turn on Entra authentication on ${server.name} (password authentication stays ${auth?.passwordAuth ?? 'as it is'})`,
          'Azure may restart the server: connections drop for a minute',
        ];
      },
      async isDone(ctx) {
        return enumIs(
          (await authConfigOf(services, server.id, server.name, ctx.signal)).activeDirectoryAuth,
          'Enabled',
        );
      },
      async apply(ctx) {
        const auth = await authConfigOf(services, server.id, server.name, ctx.signal);
        const record: EntraAuthRecord = {
          server: server.id,
          serverName: server.name,
          activeDirectoryAuth: auth.activeDirectoryAuth ?? 'Disabled',
          passwordAuth: auth.passwordAuth ?? 'Enabled',
        };
        await ctx.checkpoint(record);
        ctx.progress('turning on Entra authentication');
        await postgresArm.patchAuthConfig(
          services,
          ctx,
          server.id,
          { activeDirectoryAuth: 'Enabled', passwordAuth: record.passwordAuth },
          `turning on Entra authentication on ${server.name}`,
        );
        return record;
      },
    },
    envOf(services, input),
  );
}

/** The commands that reverse the step by hand. */
export function manualEntraAuth(record: EntraAuthRecord): string[] {
  return [
    commandLine([
      'az',
      'postgres',
      'flexible-server',
      'update',
      '--ids',
      record.server,
      '--active-directory-auth',
      record.activeDirectoryAuth,
      '--password-auth',
      record.passwordAuth,
    ]),
  ];
}

/**
 * The server once no operation is changing it: a run killed while Azure was enabling Entra
 * authentication is undone only after that operation ended, or undo would see the old settings and
 * leave the new ones behind when it finishes.
 */
async function settledServer(
  services: Services,
  record: EntraAuthRecord,
  ctx: Parameters<Step['undo']>[0],
): Promise<Record<string, unknown> | undefined> {
  for (;;) {
    const resource = await postgresArm.readServer(
      services,
      record.server,
      `reading ${record.serverName}`,
      ctx.signal,
    );
    const state = (resource?.properties as { state?: string } | undefined)?.state;
    if (!resource || !enumIs(state, 'Updating')) return resource;
    ctx.progress('waiting for Azure: the server is Updating');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    if (ctx.signal.aborted) throw ctx.signal.reason;
  }
}

const SETTLE_POLL_MS = 1000;

export async function undoEntraAuth(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: EntraAuthRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const resource = await settledServer(services, record, ctx);
  if (!resource)
    return { status: 'already-gone', reason: `the server ${record.serverName} no longer exists` };
  const auth = ((resource.properties as Record<string, unknown>)?.authConfig ?? {}) as Record<string, string>;
  if (auth.activeDirectoryAuth === record.activeDirectoryAuth && auth.passwordAuth === record.passwordAuth)
    return { status: 'already-gone', reason: 'authConfig is as it was before the run' };
  if (auth.passwordAuth !== record.passwordAuth)
    return { status: 'changed-since', reason: 'password authentication was changed since this run' };
  await postgresArm.patchAuthConfig(
    services,
    ctx,
    record.server,
    { activeDirectoryAuth: record.activeDirectoryAuth, passwordAuth: record.passwordAuth },
    `restoring the authentication settings of ${record.serverName}`,
  );
  return { status: 'undone' };
}
