/**
 * How the `service-connector` step reads and decides (its apply and preview are service-connector.ts):
 * the app's linkers and which one this connection reuses, names or must not repoint; the container;
 * the settings Service Connector will write and what they change; the consent words; the auth it
 * registers; and what to put back after an undo.
 */
import { armPostRead } from '../../azure/arm.ts';
import { listArm, sameId } from '../../azure/arm-calls.ts';
import { refusal } from '../../azure/arm-lro.ts';
import { enumIs } from '../../azure/enums.ts';
import { armIds } from '../../azure/resource-id.ts';
import type { Services } from '../../core/services.ts';
import { descriptorOf } from '../../databases/descriptors.ts';
import { looksSecret } from '../../doctor/app-settings-read.ts';
import type { JsonObject } from '../../engine/plain-json.ts';
import type { StepContext } from '../../engine/step.ts';
import {
  SERVICE_CONNECTOR_SPRING_TENANT,
  SPRING_TENANT,
  settingPrefix,
  settingsFor,
} from '../../snippets/settings.ts';
import type { SetupInput } from '../input.ts';
import { API, connectionNameOf } from '../input.ts';
import type { ConnectionTarget } from './connection-target.ts';
import { principalOf, readApp } from './identities.ts';
import {
  type CurrentSettings,
  changesOf,
  overwriteConsent,
  readPlace,
  type SettingChange,
  type SettingsPlace,
} from './settings-store.ts';
import { servicePrincipalSecret } from './sp-secret.ts';

export const AUTH_TYPES = {
  system: 'systemAssignedIdentity',
  user: 'userAssignedIdentity',
  sp: 'servicePrincipalSecret',
} as const;

/** Whether a linker's target id is a server of `kind` (its ARM type in the id). */
function isServerOf(kind: ConnectionTarget['kind'], targetId: string): boolean {
  return targetId.toLowerCase().includes(`/providers/${descriptorOf(kind).armType.toLowerCase()}/`);
}

/** The az command group of each kind of app. */
export const AZ_GROUP = { webapp: 'webapp', containerapp: 'containerapp', spring: 'spring' } as const;

/** The linkers of the app, and what they mean for this connection. */
export interface Survey {
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
export function writable(properties: Record<string, any>): JsonObject {
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

/** The linker planner of one connection: see the file's comment. */
export function linkerPlanner(input: SetupInput, services: Services, database: ConnectionTarget) {
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
        item.name !== name && !sameId(targetOf(item), target) && isServerOf(database.kind, targetOf(item)),
    );
    return { name, others, ...(reuse ? { reuse } : {}), ...(clash ? { clash } : {}) };
  };

  /** The container whose env holds a container app's settings: the one given, else the only one. */
  const containerOf = async (signal?: AbortSignal): Promise<string | undefined> => {
    if (app.kind !== 'containerapp') return undefined;
    if (input.container) return input.container;
    const found = await readApp(services, app.id, API.containerapp, `reading ${app.name}`, signal);
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
    if (changes.length > 0)
      parts.push(overwriteConsent(app.name, changes, input.settingValues === 'names-only'));
    return parts.length > 0 ? parts.join('; ') : undefined;
  };

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

  return {
    app,
    target,
    prefix,
    linkerId,
    survey,
    containerOf,
    placeOf,
    matches,
    customizedKeysFor,
    predicted,
    assess,
    consentFor,
    writtenNames,
    registerLine,
    authInfoFor,
    previousOf,
  };
}
