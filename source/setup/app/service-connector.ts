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

import { armPostRead } from '../../azure/arm.ts';
import { listArm, readArm, sameId, writeArm } from '../../azure/arm-calls.ts';
import { refusal } from '../../azure/arm-lro.ts';
import { enumIs } from '../../azure/enums.ts';
import { armIds } from '../../azure/resource-id.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { descriptorOf } from '../../databases/descriptors.ts';
import { looksSecret } from '../../doctor/app-settings.ts';
import type { JsonObject } from '../../engine/plain-json.ts';
import type { Step, StepContext, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import {
  SERVICE_CONNECTOR_SPRING_TENANT,
  SPRING_TENANT,
  settingPrefix,
  settingsFor,
} from '../../snippets/settings.ts';
import type { SetupInput } from '../input.ts';
import { API, connectionNameOf } from '../input.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import type { ConnectionTarget } from './connection-target.ts';
import { principalOf } from './identities.ts';
import { LINKER_RECORD } from './record-schemas.ts';
import {
  type CurrentSettings,
  changesOf,
  manualRestore,
  overwriteConsent,
  readPlace,
  type SettingChange,
  type SettingsPlace,
  writePlace,
} from './settings-store.ts';
import { servicePrincipalSecret } from './sp-secret.ts';

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

const AUTH_TYPES = {
  system: 'systemAssignedIdentity',
  user: 'userAssignedIdentity',
  sp: 'servicePrincipalSecret',
} as const;

/** The server type of each database, as a linker's target id names it. */
const SERVER_TYPES: Record<ConnectionTarget['kind'], RegExp> = {
  postgres: /\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\//i,
  mysql: /\/providers\/Microsoft\.DBforMySQL\/flexibleServers\//i,
  sql: /\/providers\/Microsoft\.Sql\/servers\//i,
};

/** The az command group of each kind of app. */
const AZ_GROUP = { webapp: 'webapp', containerapp: 'containerapp', spring: 'spring' } as const;

/** The linkers of the app, and what they mean for this connection. */
interface Survey {
  /** The linker name this run writes: an existing connection to this database, else the default. */
  name: string;
  /** An existing connection to this database (reused: updated in place when it differs). */
  reuse?: Record<string, any>;
  /** Connections of the app to another database of the same type. */
  others: Record<string, any>[];
  /** A connection of that name to something else: refused (it would be repointed). */
  clash?: Record<string, any>;
}

/** `AZURE_POSTGRESQL_HOST` → `AZURE_POSTGRESQL_ORDERS_HOST`: the name a second connection gets (Service Connector internals). */
export function suffixedName(key: string, prefix: string, connection: string): string {
  if (!key.startsWith(`${prefix}_`)) return key;
  return `${prefix}_${connection.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${key.slice(prefix.length + 1)}`;
}

/** Properties of a linker without what the RP fills in, for writing it back (no nulls, no state). */
function writable(properties: Record<string, any>): JsonObject {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        if (inner === null || key === 'provisioningState') continue;
        const kept = strip(inner);
        if (kept && typeof kept === 'object' && !Array.isArray(kept) && Object.keys(kept).length === 0)
          continue;
        out[key] = kept;
      }
      return out;
    }
    return value;
  };
  return strip(properties) as JsonObject;
}

/** `database` says which database user and settings the linker is for (PostgreSQL's when absent). */
export function serviceConnectorStep(
  input: SetupInput,
  services: Services,
  database: ConnectionTarget,
): Step<LinkerRecord> {
  const { app } = input;
  const target = armIds.database(input.server.id, descriptorOf(input.server.kind), input.database);
  const linkers = `${app.id}/providers/Microsoft.ServiceLinker/linkers`;
  const linkerId = (name: string) => armIds.linker(app.id, name);
  const prefix = settingPrefix(database.kind);

  const survey = async (signal?: AbortSignal): Promise<Survey> => {
    const items = await listArm(
      services,
      linkers,
      API.linker,
      `listing the connections of ${app.name}`,
      signal,
    );
    const targetOf = (item: Record<string, any>) => String(item.properties?.targetService?.id ?? '');
    const wanted = connectionNameOf(input);
    const here = items.filter((item) => sameId(targetOf(item), target));
    // The connection named as this run would name it first, else any other to this database.
    const reuse = here.find((item) => item.name === wanted) ?? here[0];
    const taken = (candidate: string) => items.some((item) => item.name === candidate);
    // A default name taken by a connection to something else: the next free one (never repoint it).
    let name = reuse ? String(reuse.name) : wanted;
    if (!reuse && !input.connectionName)
      for (let n = 2; taken(name); n++) name = `${wanted.slice(0, 120)}_${n}`;
    const clash = reuse ? undefined : items.find((item) => item.name === name);
    const others = items.filter(
      (item) =>
        item.name !== name &&
        !sameId(targetOf(item), target) &&
        SERVER_TYPES[database.kind].test(targetOf(item)),
    );
    return { name, others, ...(reuse ? { reuse } : {}), ...(clash ? { clash } : {}) };
  };

  /** The container whose env holds a container app's settings: the one given, else the only one. */
  const containerOf = async (signal?: AbortSignal): Promise<string | undefined> => {
    if (app.kind !== 'containerapp') return undefined;
    if (input.container) return input.container;
    const found = await readArm(services, app.id, API.containerapp, `reading ${app.name}`, signal);
    const names = (
      ((found?.properties as { template?: { containers?: { name?: string }[] } })?.template?.containers ??
        []) as { name?: string }[]
    ).map((container) => String(container.name));
    if (names.length === 1) return names[0];
    throw new Error(
      `${app.name} has ${names.length} containers (${names.join(', ')}): name the one that connects with --container`,
    );
  };

  const placeOf = async (signal?: AbortSignal): Promise<SettingsPlace> => {
    const container = await containerOf(signal);
    return { appId: app.id, appName: app.name, kind: app.kind, container: container ?? null };
  };

  const matches = (found: Record<string, any>, role: string, container: string | null) => {
    const props = (found.properties ?? {}) as Record<string, any>;
    return (
      enumIs(props.provisioningState, 'Succeeded') &&
      props.authInfo?.authType === AUTH_TYPES[input.auth.kind] &&
      props.authInfo?.userName === role &&
      props.clientType === input.clientType &&
      sameId(String(props.targetService?.id), target) &&
      (container === null || props.scope === container)
    );
  };

  /** Renamed keys: the tenant under the name Spring reads; beside another connection of this type, the plain names. */
  const customizedKeysFor = async (plan: Survey, signal?: AbortSignal): Promise<Record<string, string>> => {
    const keys: Record<string, string> = {};
    if (input.clientType === 'springBoot' && input.auth.kind === 'sp')
      keys[SERVICE_CONNECTOR_SPRING_TENANT] = SPRING_TENANT;
    if (plan.others.length > 0) {
      for (const setting of await predicted(signal)) {
        if (!setting.name.startsWith(`${prefix}_`)) continue;
        // Which of the two names Azure calls the default of a second connection is not documented.
        keys[setting.name] = setting.name;
        keys[suffixedName(setting.name, prefix, plan.name)] = setting.name;
      }
    }
    return keys;
  };

  /** What Service Connector will write, under the names this run asks for (no secret values). */
  const predicted = async (signal?: AbortSignal) => {
    const names = await database.names(signal);
    return settingsFor(database.kind, input.clientType, input.auth.kind, names, 'service-connector').map(
      (setting) => ({ name: setting.name, value: 'value' in setting ? setting.value : null }),
    );
  };

  /** The settings now that this connection would change, and the consent words for a reused connection. */
  const assess = async (plan: Survey, signal?: AbortSignal) => {
    const place = await placeOf(signal);
    const current = await readPlace(services, place, signal);
    const planned = await predicted(signal);
    const reused =
      plan.reuse && !matches(plan.reuse, await database.userName(signal), place.container)
        ? plan.reuse
        : undefined;
    // A reused connection that already matches wrote these settings itself: nothing changes.
    const changes = plan.reuse && !reused ? [] : changesOf(current, planned);
    return { place, current, planned, changes, reused };
  };

  const consentFor = (
    plan: Survey,
    changes: readonly SettingChange[],
    reused: Record<string, any> | undefined,
  ): string | undefined => {
    const parts: string[] = [];
    if (reused) {
      const old = reused.properties?.authInfo ?? {};
      const secretAuth = old.authType === AUTH_TYPES.sp;
      parts.push(
        `updates the connection ${plan.name} of ${app.name} (now ${old.authType ?? 'unknown auth'}${old.userName ? ` as ${old.userName}` : ''}, client type ${reused.properties?.clientType ?? 'none'}); ${secretAuth ? 'its service principal secret is not kept, so undo cannot write it back' : 'undo writes it back as it was'}`,
      );
    }
    if (changes.length > 0) parts.push(overwriteConsent(app.name, changes));
    return parts.length > 0 ? parts.join('; ') : undefined;
  };

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
        if (input.clientType === 'springBoot' && database.kind !== 'sql')
          lines.push(
            `Service Connector writes spring.datasource.url with ${database.kind === 'postgres' ? 'sslmode=require' : 'sslmode=required'}, which does not check the server's certificate: --no-linker writes a URL that does`,
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

  /** The names of the settings the linker wrote (`listConfigurations`). */
  async function writtenNames(linker: string, signal?: AbortSignal): Promise<Set<string>> {
    const response = await armPostRead(services.azure, `${linker}/listConfigurations`, API.linker, signal);
    if (response.status !== 200) throw refusal(response, `listing what ${linker} wrote`);
    const items = ((response.body as { configurations?: { name?: string }[] })?.configurations ?? []) as {
      name?: string;
    }[];
    return new Set(items.map((item) => String(item.name)));
  }

  function registerLine(name: string, container: string | undefined): string {
    return `register the connection ${name} from ${app.name}${container ? ` (container ${container})` : ''} to ${input.server.name}/${input.database} with Service Connector (${AUTH_TYPES[input.auth.kind]}, user ${database.plannedUserName}, client type ${input.clientType})`;
  }

  async function authInfoFor(ctx: StepContext, role: string): Promise<Record<string, unknown>> {
    const auth = input.auth;
    if (auth.kind === 'system') return { authType: AUTH_TYPES.system, userName: role };
    const principal = await principalOf(services, input, ctx.signal);
    if (auth.kind === 'user')
      return {
        authType: AUTH_TYPES.user,
        clientId: principal.clientId,
        subscriptionId: auth.subscriptionId ?? input.app.subscriptionId,
        userName: role,
      };
    return {
      authType: AUTH_TYPES.sp,
      clientId: auth.clientId,
      principalId: principal.objectId,
      secret: await servicePrincipalSecret(services, auth.clientId, ctx.signal),
      userName: role,
    };
  }

  /**
   * The values to put back after the undo deletes the linker: every setting of the names it may
   * write (the predicted ones, their family, and Spring's) that exists now. A value that may be a
   * secret is left out: it is never journalled.
   */
  function previousOf(
    current: CurrentSettings,
    planned: { name: string }[],
    keys: Record<string, string>,
  ): Record<string, string> {
    const names = new Set([...planned.map((p) => p.name), ...Object.values(keys)]);
    const out: Record<string, string> = {};
    for (const [name, { value }] of Object.entries(current)) {
      const family =
        names.has(name) || name.startsWith(`${prefix}_`) || /^spring\.(datasource|cloud\.azure)\./.test(name);
      if (family && value !== null && !looksSecret(name, value)) out[name] = value;
    }
    return out;
  }

  return step;
}

/** The commands that reverse the step by hand. */
export function manualServiceConnector(record: LinkerRecord): string[] {
  // Journals written before `place` was recorded: the group follows from the linker's id.
  const group = record.place ? AZ_GROUP[record.place.kind] : connectionGroupOf(record.linker);
  const connection = record.replaced
    ? commandLine([
        'az',
        'rest',
        '--method',
        'put',
        '--url',
        `${record.linker}?api-version=${API.linker}`,
        '--body',
        JSON.stringify({ properties: record.replaced }),
      ])
    : commandLine(['az', group, 'connection', 'delete', '--id', record.linker, '--yes']);
  return [
    connection,
    ...(record.place && record.previous ? manualRestore(record.place, record.previous) : []),
  ];
}

/** The az command group whose `connection` commands manage a linker on this app (from its id). */
function connectionGroupOf(linker: string): string {
  if (/\/Microsoft\.AppPlatform\/Spring\//i.test(linker)) return 'spring';
  return /\/Microsoft\.App\/containerApps\//i.test(linker) ? 'containerapp' : 'webapp';
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
  if (!found) {
    // Deleted by someone else: Azure took its settings with it; what was there before comes back.
    const restored = await putBackAbsent(services, ctx, record);
    return restored
      ? { status: 'undone' }
      : { status: 'already-gone', reason: `the connection ${record.name} is gone` };
  }
  const userName = (found.properties as Record<string, any>)?.authInfo?.userName;
  if (userName !== undefined && userName !== record.userName)
    return { status: 'changed-since', reason: `the connection ${record.name} now logs in as ${userName}` };
  if (record.replaced)
    await writeArm(
      services,
      ctx,
      'PUT',
      record.linker,
      API.linker,
      { properties: record.replaced },
      `writing the connection ${record.name} back as it was`,
    );
  else
    await writeArm(
      services,
      ctx,
      'DELETE',
      record.linker,
      API.linker,
      undefined,
      `deleting the connection ${record.name}`,
    );
  await putBackAbsent(services, ctx, record);
  return { status: 'undone' };
}

/**
 * Puts back the settings the app had before the linker wrote over them, where they are now absent
 * (Azure deleted them with the linker). One set since by someone else is theirs: left as it is.
 */
async function putBackAbsent(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: LinkerRecord,
): Promise<boolean> {
  const { place, previous } = record;
  if (!place || !previous || Object.keys(previous).length === 0) return false;
  const now = await readPlace(services, place, ctx.signal);
  const absent = Object.fromEntries(Object.entries(previous).filter(([name]) => !(name in now)));
  if (Object.keys(absent).length === 0) return false;
  ctx.progress('putting the earlier settings back');
  await writePlace(services, ctx, place, absent, `putting back the earlier settings of ${place.appName}`);
  return true;
}
