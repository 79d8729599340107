/**
 * `server-identity`: the user-assigned identity the MySQL server reads Microsoft Graph as (the one
 * `mysql-identity-id=` names, else the one already attached). It is attached when missing, every
 * other identity kept; undo puts the identity block back as it was. The plan also says whether the
 * identity holds the Graph permissions Azure needs to create Entra users, and how an admin grants them.
 */

import { sameId } from '../../azure/arm-calls.ts';
import { readUserAssignedIdentity } from '../../azure/user-assigned-identities.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { type MysqlServerIdentityBlock, mysqlArm } from '../../databases/mysql/arm.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import { checkGraphRoles, graphRolesLines } from './graph-roles.ts';
import type { MysqlSetupInput } from './input.ts';
import { SERVER_IDENTITY_RECORD } from './record-schemas.ts';

export interface ServerIdentityRecord extends UndoRecord {
  server: string;
  serverName: string;
  /** The identity this run attached. */
  attached: string;
  /** The user-assigned identities the server had before (none: the block was absent or `None`). */
  before: string[];
}

export const SERVER_IDENTITY = 'server-identity';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const serverIdentity: SetupStep<ServerIdentityRecord> = {
  id: SERVER_IDENTITY,
  title: 'User-assigned identity of the server',
  record: SERVER_IDENTITY_RECORD,
  undo: (ctx, record) => undoServerIdentity(ctx.services, ctx, record),
  manualUndo: manualServerIdentity,
};

/** The server's Graph identity: its ARM id and Entra ids, and whether it is attached yet. */
export interface ServerIdentity {
  id: string;
  name: string;
  principalId: string;
  clientId: string;
  tenantId: string;
  attached: boolean;
}

/** The user-assigned identities attached to the server now (ARM ids). */
export async function attachedIdentities(
  services: Services,
  input: Pick<MysqlSetupInput, 'server'>,
  signal?: AbortSignal,
): Promise<string[]> {
  const server = await mysqlArm.readServer(services, input.server.id, `reading ${input.server.name}`, signal);
  if (!server) throw new Error(`the server ${input.server.name} no longer exists (${input.server.id})`);
  return Object.keys(
    ((server.identity as Record<string, unknown> | undefined)?.userAssignedIdentities ?? {}) as Record<
      string,
      unknown
    >,
  );
}

/** The identity `mysql-identity-id=` names, else the first one attached; throws when there is neither. */
export async function serverIdentityOf(
  services: Services,
  input: MysqlSetupInput,
  signal?: AbortSignal,
): Promise<ServerIdentity> {
  const attached = await attachedIdentities(services, input, signal);
  const id = input.mysqlIdentityId ?? attached[0];
  if (!id)
    throw new Error(
      `${input.server.name} has no user-assigned identity, which Entra sign-in on MySQL needs: give one with mysql-identity-id=<ARM id of a user-assigned identity> in the auth flag`,
    );
  const uami = await readUserAssignedIdentity(services, id, `reading the identity ${id}`, signal);
  if (!uami) throw new Error(`mysql-identity-id: no user-assigned identity ${id}`);
  const props = (uami.properties ?? {}) as { principalId: string; clientId: string; tenantId: string };
  return {
    id: String(uami.id ?? id),
    name: String(uami.name ?? id),
    principalId: props.principalId,
    clientId: props.clientId,
    tenantId: props.tenantId,
    attached: attached.some((a) => sameId(a, id)),
  };
}

export function serverIdentityStep(input: MysqlSetupInput, services: Services): Step<ServerIdentityRecord> {
  const { server } = input;
  return planned(
    serverIdentity,
    {
      title: `User-assigned identity of ${server.name}`,
      resource: server.id,
      async preview(ctx) {
        let identity: ServerIdentity;
        try {
          identity = await serverIdentityOf(services, input, ctx.signal);
        } catch (error) {
          return [`the run stops here: ${(error as Error).message}`];
        }
        const verdict = await checkGraphRoles(services, identity.principalId, ctx.signal).catch(
          (error: Error) => ({ status: 'unknown' as const, reason: error.message }),
        );
        return [
          identity.attached
            ? `${server.name} reads Microsoft Graph as ${identity.name} (already attached)`
            : `attach the user-assigned identity ${identity.name} to ${server.name} (its other identities stay)`,
          ...graphRolesLines(identity.name, verdict),
        ];
      },
      async isDone(ctx) {
        return (await serverIdentityOf(services, input, ctx.signal)).attached;
      },
      async apply(ctx) {
        const identity = await serverIdentityOf(services, input, ctx.signal);
        const before = await attachedIdentities(services, input, ctx.signal);
        const record: ServerIdentityRecord = {
          server: server.id,
          serverName: server.name,
          attached: identity.id,
          before,
        };
        await ctx.checkpoint(record);
        ctx.progress(`attaching ${identity.name}`);
        await mysqlArm.patchIdentity(
          services,
          ctx,
          server.id,
          {
            type: 'UserAssigned',
            userAssignedIdentities: Object.fromEntries([...before, identity.id].map((id) => [id, {}])),
          },
          `attaching the identity ${identity.name} to ${server.name}`,
        );
        return record;
      },
    },
    envOf(services, input),
  );
}

/** The commands that reverse the step by hand. */
export function manualServerIdentity(record: ServerIdentityRecord): string[] {
  return [
    commandLine([
      'az',
      'mysql',
      'flexible-server',
      'identity',
      'remove',
      '--ids',
      record.server,
      '--identity',
      record.attached,
      '--yes',
    ]),
  ];
}

/** Reverses `server-identity` from its record alone. */
export async function undoServerIdentity(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: ServerIdentityRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const server = await mysqlArm.readServer(
    services,
    record.server,
    `reading ${record.serverName}`,
    ctx.signal,
  );
  if (!server) return { status: 'already-gone', reason: `the server ${record.serverName} no longer exists` };
  const now = Object.keys(
    ((server.identity as Record<string, unknown> | undefined)?.userAssignedIdentities ?? {}) as Record<
      string,
      unknown
    >,
  );
  if (!now.some((id) => sameId(id, record.attached)))
    return { status: 'already-gone', reason: 'the identity this run attached is no longer on the server' };
  // Only the identity this run attached comes off, from the block as it is now: identities attached
  // since stay. None left: `None` removes the block (an empty map is refused by the RP).
  const others = now.filter((id) => !sameId(id, record.attached));
  const identity: MysqlServerIdentityBlock =
    others.length === 0
      ? { type: 'None' }
      : {
          type: 'UserAssigned',
          userAssignedIdentities: {
            ...Object.fromEntries(others.map((id) => [id, {}])),
            ...Object.fromEntries(now.filter((id) => sameId(id, record.attached)).map((id) => [id, null])),
          },
        };
  await mysqlArm.patchIdentity(
    services,
    ctx,
    record.server,
    identity,
    `detaching the identity from ${record.serverName}`,
  );
  return { status: 'undone' };
}
