/**
 * `service-connector`: registers the connection with Service Connector (REST 2024-04-01 through the
 * authenticated ARM pipeline: the npm SDK drops `authInfo.userName`), which writes the app's settings.
 * As Azure takes it (docs/setup-connection.md): a container app's linker names its container
 * (`scope`); the RP never touches the server's network (`publicNetworkSolution: optOut`: that is the
 * plan's job, and its undo's); the app's connections are read first, so one to this database is
 * reused, and beside one to another database of the same type this one keeps the plain
 * `AZURE_<TYPE>_*` names (`customizedKeys`) instead of the suffixed ones the app would not read.
 * Settings it would change are named in a consent; their earlier values are recorded before the PUT
 * and put back after the undo deletes the linker (Azure deletes the settings a linker wrote and does
 * not restore what was there).
 */

import { writeArm } from '../../azure/arm-write.ts';
import type { Services } from '../../core/services.ts';
import { descriptorOf } from '../../databases/descriptors.ts';
import type { JsonObject } from '../../engine/plain-json.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import type { SetupInput } from '../input.ts';
import { API, connectionNameOf } from '../input.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import type { ConnectionTarget } from './connection-target.ts';
import { linkerPlanner, type Survey, writable } from './linker-plan.ts';
import { manualServiceConnector, undoServiceConnector } from './linker-undo.ts';
import { LINKER_RECORD } from './record-schemas.ts';
import type { SettingsPlace } from './settings-store.ts';

export { suffixedName } from './linker-plan.ts';
export { manualServiceConnector, undoServiceConnector } from './linker-undo.ts';

export interface LinkerRecord extends UndoRecord {
  linker: string;
  name: string;
  userName: string;
  /** Where the linker writes the app's settings (older journals lack it: nothing to put back then). */
  place: SettingsPlace | null;
  /** Settings that existed before the linker wrote, with their values (never a value that may be a secret). */
  previous: Record<string, string> | null;
  /** The connection this run updated in place, as it was (no secret): undo writes it back; else null. */
  replaced: JsonObject | null;
}

export const SERVICE_CONNECTOR = 'service-connector';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const serviceConnector: SetupStep<LinkerRecord> = {
  id: SERVICE_CONNECTOR,
  title: 'Service Connector connection',
  record: LINKER_RECORD,
  undo: (ctx, record) => undoServiceConnector(ctx.services, ctx, record),
  manualUndo: manualServiceConnector,
};

/** `database` says which database user and settings the linker is for. */
export function serviceConnectorStep(
  input: SetupInput,
  services: Services,
  database: ConnectionTarget,
): Step<LinkerRecord> {
  const {
    app,
    target,
    prefix,
    linkerId,
    survey,
    containerOf,
    matches,
    customizedKeysFor,
    predicted,
    assess,
    consentFor,
    writtenNames,
    registerLine,
    authInfoFor,
    previousOf,
  } = linkerPlanner(input, services, database);
  // What the plan saw, so apply changes nothing the consent did not name.
  let seen: { changes: string[] } | undefined;

  const step: Step<LinkerRecord> = planned(
    serviceConnector,
    {
      title: `Service Connector connection ${connectionNameOf(input)}`,
      resource: app.id,
      after: [database.userStep],
      // Settled by `preview` (the plan reads it after): until the app's settings are read, ask.
      consent: `may change settings or a connection ${app.name} already has (they could not be read)`,
      async preview(ctx) {
        let plan: Survey;
        try {
          plan = await survey(ctx.signal);
        } catch (error) {
          return [
            registerLine(connectionNameOf(input), input.container),
            `cannot list the connections of ${app.name} (${(error as Error).message})`,
          ];
        }
        const lines = [registerLine(plan.name, input.container)];
        if (plan.clash)
          lines.push(
            `${app.name} already has a connection named ${plan.name} to something else: the run will stop there rather than repoint it`,
          );
        if (plan.reuse)
          lines.push(
            `${app.name} already connects to ${input.server.name}/${input.database} as ${plan.name}: that connection is reused`,
          );
        for (const other of plan.others)
          lines.push(
            `${app.name} also connects to ${String(other.properties?.targetService?.id ?? '')
              .split('/')
              .slice(-3)
              .join(
                '/',
              )} (${other.name}): this connection keeps the plain ${prefix}_* names, so the app reads this database`,
          );
        lines.push(
          `Service Connector writes the ${database.settingsLabel} settings${app.kind === 'containerapp' ? ' to the container' : ''}; the other settings stay; the server's network is left to this plan (publicNetworkSolution optOut)`,
        );
        const springTls = descriptorOf(database.kind).linkerSpringTls;
        if (input.clientType === 'springBoot' && springTls)
          lines.push(
            `Service Connector writes spring.datasource.url with ${springTls}, which does not check the server's certificate: --no-linker writes a URL that does`,
          );
        try {
          const { changes, reused } = await assess(plan, ctx.signal);
          seen = { changes: changes.map((change) => change.name) };
          const consent = consentFor(plan, changes, reused);
          if (consent) {
            step.consent = consent;
            if (changes.length > 0)
              lines.push(
                `${changes.map((change) => change.name).join(', ')} ${changes.length === 1 ? 'exists' : 'exist'} already: changed only with your consent, put back on undo`,
              );
          } else delete step.consent;
        } catch (error) {
          lines.push(
            `cannot read the settings of ${app.name} (${(error as Error).message}): any that exists would be changed`,
          );
        }
        return lines;
      },
      async isDone(ctx) {
        const plan = await survey(ctx.signal);
        if (!plan.reuse) return false;
        return matches(
          plan.reuse,
          await database.userName(ctx.signal),
          (await containerOf(ctx.signal)) ?? null,
        );
      },
      async apply(ctx) {
        const plan = await survey(ctx.signal);
        const linker = linkerId(plan.name);
        if (plan.clash)
          throw new Error(
            `${app.name} already has a connection named ${plan.name} to something else: sc-doctor does not repoint it`,
          );
        const { place, current, changes, reused } = await assess(plan, ctx.signal);
        const unasked = seen ? changes.filter((change) => !seen!.changes.includes(change.name)) : [];
        if (unasked.length > 0)
          throw new Error(
            `${unasked.map((change) => change.name).join(', ')} of ${app.name} changed since the plan and would be overwritten without your consent: run setup again`,
          );
        const role = await database.userName(ctx.signal);
        const authInfo = await authInfoFor(ctx, role);
        const keys = await customizedKeysFor(plan, ctx.signal);
        const record: LinkerRecord = {
          linker,
          name: plan.name,
          userName: role,
          place,
          previous: previousOf(current, await predicted(ctx.signal), keys),
          replaced: reused ? writable(reused.properties ?? {}) : null,
        };
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
              ...(place.container ? { scope: place.container } : {}),
              publicNetworkSolution: { action: 'optOut' },
              ...(Object.keys(keys).length > 0 ? { configurationInfo: { customizedKeys: keys } } : {}),
            },
          },
          `registering the connection ${plan.name} with Service Connector`,
        );
        // Keep only what the linker really wrote over: a setting it left alone is not its to put back.
        const written = await writtenNames(linker, ctx.signal).catch(() => undefined);
        if (written && record.previous)
          record.previous = Object.fromEntries(
            Object.entries(record.previous).filter(([name]) => written.has(name)),
          );
        return record;
      },
    },
    envOf(services, input),
  );

  return step;
}
