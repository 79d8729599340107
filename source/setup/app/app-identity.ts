/**
 * `app-identity`: turns on the app's system-assigned identity, or attaches the user-assigned identity
 * the app will connect as. Every identity the app already has is kept; undo puts the block back as it
 * was (`type: None` when there was none) once it checks the identity is still the one this run made.
 */

import { isWebAppId } from '../../azure/app-service.ts';
import { patchWebAppIdentity } from '../../azure/app-service-write.ts';
import { sameId } from '../../azure/arm-calls.ts';
import { writeArm } from '../../azure/arm-write.ts';
import { isContainerAppId } from '../../azure/container-apps.ts';
import { patchContainerAppIdentity } from '../../azure/container-apps-write.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import type { SetupInput } from '../input.ts';
import { API } from '../input.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { appApi, findUami, hasSystem, hasUami, readApp, readAppIdentity } from './identities.ts';
import { APP_IDENTITY_RECORD } from './record-schemas.ts';

export interface AppIdentityRecord extends UndoRecord {
  app: string;
  api: string;
  appName: string;
  /** `type` before, and the user-assigned identities the app had (ids only). */
  beforeType: string;
  beforeUsers: string[];
  /** What this run added. */
  addedSystem: boolean;
  attachedUami: string | null;
  /** The system identity's object id after the change, to tell it from one made later. */
  principalId: string | null;
}

export const APP_IDENTITY = 'app-identity';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const appIdentity: SetupStep<AppIdentityRecord> = {
  id: APP_IDENTITY,
  title: 'Managed identity of the app',
  record: APP_IDENTITY_RECORD,
  undo: (ctx, record) => undoAppIdentity(ctx.services, ctx, record),
  manualUndo: manualAppIdentity,
};

export function appIdentityStep(input: SetupInput, services: Services): Step<AppIdentityRecord> {
  const what = input.auth.kind === 'system' ? 'system-assigned identity' : 'user-assigned identity';
  return planned(
    appIdentity,
    {
      title: `Managed identity of ${input.app.name}`,
      resource: input.app.id,
      preview: () => {
        const done = identityInPlace(input);
        if (input.auth.kind === 'user')
          return done
            ? [
                `the user-assigned identity with client id ${input.auth.clientId} is already attached to ${input.app.name}`,
              ]
            : [
                `attach the user-assigned identity with client id ${input.auth.clientId} to ${input.app.name} (its other identities stay)`,
              ];
        return done
          ? [`the system-assigned identity of ${input.app.name} is already on`]
          : [`turn on the system-assigned identity of ${input.app.name} (its user-assigned identities stay)`];
      },
      alreadyDone: () =>
        identityInPlace(input) ? (input.auth.kind === 'user' ? 'already attached' : 'already on') : undefined,
      async isDone(ctx) {
        const identity = await readAppIdentity(services, input, ctx.signal);
        if (input.auth.kind === 'user') {
          const uami = await findUami(
            services,
            input,
            input.auth.clientId,
            input.auth.subscriptionId,
            ctx.signal,
          );
          return hasUami(identity, uami.id);
        }
        return hasSystem(identity);
      },
      async apply(ctx) {
        const identity = await readAppIdentity(services, input, ctx.signal);
        const beforeUsers = Object.keys((identity?.userAssignedIdentities ?? {}) as Record<string, unknown>);
        const beforeType = String(identity?.type ?? 'None');
        const uami =
          input.auth.kind === 'user'
            ? await findUami(services, input, input.auth.clientId, input.auth.subscriptionId, ctx.signal)
            : null;
        const system = input.auth.kind === 'system' || hasSystem(identity);
        const users = uami ? [...beforeUsers, uami.id] : beforeUsers;
        const record: AppIdentityRecord = {
          app: input.app.id,
          api: API[appApi(input)],
          appName: input.app.name,
          beforeType,
          beforeUsers,
          addedSystem: input.auth.kind === 'system',
          attachedUami: uami?.id ?? null,
          principalId: null,
        };
        await ctx.checkpoint(record);
        ctx.progress(`turning on the ${what}`);
        await patchIdentity(
          services,
          ctx,
          input.app.id,
          record.api,
          identityBody(input.app.kind, system, users),
          `turning on the ${what} of ${input.app.name}`,
        );
        const after = await readAppIdentity(services, input, ctx.signal).catch(() => undefined);
        record.principalId = typeof after?.principalId === 'string' ? after.principalId : null;
        return record;
      },
    },
    envOf(services, input),
  );
}

/** Whether the doctor found the identity this setup needs already on the app. */
function identityInPlace(input: SetupInput): boolean {
  const { auth, app } = input;
  if (auth.kind === 'system') return app.systemIdentity !== null;
  const clientId = auth.clientId.toLowerCase();
  return app.userIdentities.some((identity) => identity.clientId?.toLowerCase() === clientId);
}

/** Reverses `app-identity` from its record alone. */
export async function undoAppIdentity(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: AppIdentityRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const app = await readApp(services, record.app, record.api, `reading ${record.appName}`, ctx.signal);
  if (!app) return { status: 'already-gone', reason: `${record.appName} no longer exists` };
  const identity = app.identity as Record<string, unknown> | undefined;
  const systemNow = hasSystem(identity);
  const uamiNow = record.attachedUami ? hasUami(identity, record.attachedUami) : false;
  if ((!record.addedSystem || !systemNow) && !uamiNow)
    return { status: 'already-gone', reason: 'the identity this run added is no longer on the app' };
  if (
    record.addedSystem &&
    systemNow &&
    record.principalId &&
    String(identity?.principalId).toLowerCase() !== record.principalId.toLowerCase()
  )
    return {
      status: 'changed-since',
      reason: `the system identity of ${record.appName} was replaced since this run turned it on`,
    };
  // Only what this run added comes off, from the block as it is now: an identity someone attached,
  // or a system identity someone turned off, since the run stays as they left it.
  const kind = appKindOf(record.app);
  const systemAfter = systemNow && !record.addedSystem;
  const usersNow = Object.keys((identity?.userAssignedIdentities ?? {}) as Record<string, unknown>);
  const ours = (id: string) => record.attachedUami !== null && sameId(id, record.attachedUami);
  const usersAfter = usersNow.filter((id) => !ours(id));
  const body: Record<string, unknown> =
    !systemAfter && usersAfter.length === 0
      ? { type: 'None' }
      : {
          ...identityBody(kind, systemAfter, usersAfter),
          ...(uamiNow
            ? {
                userAssignedIdentities: {
                  ...Object.fromEntries(usersAfter.map((id) => [id, {}])),
                  ...Object.fromEntries(usersNow.filter(ours).map((id) => [id, null])),
                },
              }
            : {}),
        };
  await patchIdentity(
    services,
    ctx,
    record.app,
    record.api,
    body,
    `restoring the identities of ${record.appName}`,
  );
  return { status: 'undone' };
}

/**
 * PATCHes the app's `identity` block: a web app's through @azure/arm-appservice, a container app's
 * through @azure/arm-appcontainers (each at its client's own api-version, whatever an older journal's
 * record says), a Spring app's over REST at `apiVersion`.
 */
async function patchIdentity(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  appId: string,
  apiVersion: string,
  identity: Record<string, unknown>,
  what: string,
): Promise<void> {
  if (isWebAppId(appId)) await patchWebAppIdentity(services.azure, ctx, appId, identity, what);
  else if (isContainerAppId(appId))
    await patchContainerAppIdentity(services.azure, ctx, appId, identity, what);
  else await writeArm(services, ctx, 'PATCH', appId, apiVersion, { identity }, what);
}

function identityBody(kind: string, system: boolean, users: string[]): Record<string, unknown> {
  const separator = kind === 'webapp' ? ', ' : ',';
  const type =
    system && users.length > 0
      ? `SystemAssigned${separator}UserAssigned`
      : system
        ? 'SystemAssigned'
        : users.length > 0
          ? 'UserAssigned'
          : 'None';
  return {
    type,
    ...(users.length > 0 ? { userAssignedIdentities: Object.fromEntries(users.map((id) => [id, {}])) } : {}),
  };
}

/**
 * The commands that reverse the step by hand. App Service names what to remove with `--identities`
 * (`[system]` for the system identity); Container Apps and Spring with `--system-assigned` and
 * `--user-assigned`.
 */
export function manualAppIdentity(record: AppIdentityRecord): string[] {
  const kind = appKindOf(record.app);
  const remove =
    kind === 'spring'
      ? springIdentityRemove(record.app)
      : ['az', kind, 'identity', 'remove', '--ids', record.app];
  const commands: string[][] = [];
  if (record.addedSystem)
    commands.push([...remove, ...(kind === 'webapp' ? ['--identities', '[system]'] : ['--system-assigned'])]);
  if (record.attachedUami)
    commands.push([...remove, kind === 'webapp' ? '--identities' : '--user-assigned', record.attachedUami]);
  return commands.map((argv) => commandLine(argv));
}

/** The platform of an app from its ARM id (the record keeps only the id). */
function appKindOf(id: string): 'webapp' | 'containerapp' | 'spring' {
  if (/\/Microsoft\.AppPlatform\/Spring\//i.test(id)) return 'spring';
  return /\/Microsoft\.App\//i.test(id) ? 'containerapp' : 'webapp';
}

/** `az spring app identity remove` takes the group, service and app by name, not an id. */
function springIdentityRemove(id: string): string[] {
  const parts = id.split('/');
  return [
    'az',
    'spring',
    'app',
    'identity',
    'remove',
    '-g',
    parts[4] ?? '',
    '-s',
    parts[8] ?? '',
    '-n',
    parts[10] ?? '',
  ];
}
