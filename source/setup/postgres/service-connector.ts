/**
 * `service-connector`: registers the connection with Service Connector (REST 2024-04-01 through the
 * authenticated ARM pipeline: the npm SDK drops `authInfo.userName`), which writes the app's settings.
 * Undo deletes the linker this run created; Service Connector then removes the settings it wrote.
 */
import { enumIs } from '../../azure/enums.ts';
import type { Services } from '../../core/services.ts';
import type { Step, UndoRecord } from '../step.ts';
import { readArm, writeArm } from './azure-calls.ts';
import { type ConnectionTarget, postgresTarget } from './connection-target.ts';
import { principalOf } from './identities.ts';
import { API, connectionNameOf, type PostgresSetupInput } from './input.ts';
import { servicePrincipalSecret } from './sp-secret.ts';

export interface LinkerRecord extends UndoRecord {
  linker: string;
  name: string;
  userName: string;
}

export const SERVICE_CONNECTOR = 'service-connector';

const AUTH_TYPES = {
  system: 'systemAssignedIdentity',
  user: 'userAssignedIdentity',
  sp: 'servicePrincipalSecret',
} as const;

/** `database` says which database user and settings the linker is for (PostgreSQL's when absent). */
export function serviceConnectorStep(
  input: PostgresSetupInput,
  services: Services,
  database: ConnectionTarget = postgresTarget(input, services),
): Step<LinkerRecord> {
  const name = connectionNameOf(input);
  const linker = `${input.app.id}/providers/Microsoft.ServiceLinker/linkers/${name}`;
  const target = `${input.server.id}/databases/${input.database}`;
  const matches = (found: Record<string, unknown>, role: string) => {
    const props = (found.properties ?? {}) as Record<string, any>;
    return (
      enumIs(props.provisioningState, 'Succeeded') &&
      props.authInfo?.authType === AUTH_TYPES[input.auth.kind] &&
      props.authInfo?.userName === role &&
      props.clientType === input.clientType &&
      String(props.targetService?.id).toLowerCase() === target.toLowerCase()
    );
  };
  return {
    id: SERVICE_CONNECTOR,
    title: `Service Connector connection ${name}`,
    resource: input.app.id,
    after: [database.userStep],
    preview: () => [
      `register the connection ${name} from ${input.app.name} to ${input.server.name}/${input.database} with Service Connector (${AUTH_TYPES[input.auth.kind]}, user ${database.plannedUserName}, client type ${input.clientType})`,
      `Service Connector writes the ${database.settingsLabel} settings of the app; the other settings stay`,
    ],
    async isDone(ctx) {
      const found = await readArm(services, linker, API.linker, `reading the connection ${name}`, ctx.signal);
      return found !== undefined && matches(found, await database.userName(ctx.signal));
    },
    async apply(ctx) {
      const found = await readArm(services, linker, API.linker, `reading the connection ${name}`, ctx.signal);
      if (found)
        throw new Error(
          `${input.app.name} already has a connection named ${name} made differently: choose another name with --connection`,
        );
      const principal = await principalOf(services, input, ctx.signal);
      const role = await database.userName(ctx.signal);
      const auth = input.auth;
      const authInfo: Record<string, unknown> =
        auth.kind === 'system'
          ? { authType: AUTH_TYPES.system, userName: role }
          : auth.kind === 'user'
            ? {
                authType: AUTH_TYPES.user,
                clientId: principal.clientId,
                subscriptionId: auth.subscriptionId ?? input.app.subscriptionId,
                userName: role,
              }
            : {
                authType: AUTH_TYPES.sp,
                clientId: auth.clientId,
                principalId: principal.objectId,
                secret: await servicePrincipalSecret(services, auth.clientId, ctx.signal),
                userName: role,
              };
      const record: LinkerRecord = { linker, name, userName: role };
      await ctx.checkpoint(record);
      ctx.progress('registering the connection');
      await writeArm(
        services,
        ctx,
        'PUT',
        linker,
        API.linker,
        {
          properties: {
            targetService: { type: 'AzureResource', id: target },
            authInfo,
            clientType: input.clientType,
          },
        },
        `registering the connection ${name} with Service Connector`,
      );
      return record;
    },
    undo: (ctx, record) => undoServiceConnector(services, ctx, record),
    manualUndo: manualServiceConnector,
  };
}

/** The commands that reverse the step by hand. */
export function manualServiceConnector(record: LinkerRecord): string[] {
  return [`az webapp connection delete --id ${record.linker} --yes`];
}

export async function undoServiceConnector(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: LinkerRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const found = await readArm(
    services,
    record.linker,
    API.linker,
    `reading the connection ${record.name}`,
    ctx.signal,
  );
  if (!found) return { status: 'already-gone', reason: `the connection ${record.name} is gone` };
  const userName = (found.properties as Record<string, any>)?.authInfo?.userName;
  if (userName !== undefined && userName !== record.userName)
    return { status: 'changed-since', reason: `the connection ${record.name} now logs in as ${userName}` };
  await writeArm(
    services,
    ctx,
    'DELETE',
    record.linker,
    API.linker,
    undefined,
    `deleting the connection ${record.name}`,
  );
  return { status: 'undone' };
}
