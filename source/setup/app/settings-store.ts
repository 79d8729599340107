/**
 * Where an app keeps the settings a connection writes, and how to read them and put values back:
 * a web app's app settings, the env of one container of a container app, the environment variables
 * of a Spring app's active deployment (where Service Connector writes them, docs/setup-connection.md).
 * The connection steps read them before writing, so a setting they would change is named in a
 * consent and its earlier value put back on undo. A value that may be a secret is never recorded.
 */
import { listWebAppSettings } from '../../azure/app-service.ts';
import { putWebAppSettings as putSettings } from '../../azure/app-service-write.ts';
import { refusal } from '../../azure/arm-lro.ts';
import { writeArm } from '../../azure/arm-write.ts';
import { patchContainerAppContainers } from '../../azure/container-apps-write.ts';
import type { AppKind } from '../../azure/resource-id.ts';
import { readActiveSpringDeployment, springEnvironment } from '../../azure/spring-deployment.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { looksSecret } from '../../doctor/app-settings-read.ts';
import type { StepContext, UndoContext } from '../../engine/step.ts';
import { API } from '../input.ts';
import { readApp } from './identities.ts';

/** The app and, for a container app, the container whose env holds the settings. Plain JSON (journal). */
export type SettingsPlace = {
  appId: string;
  appName: string;
  kind: AppKind;
  /** Container Apps: the container (the linker's `scope`); null for the other kinds. */
  container: string | null;
};

/** One setting as it is now: its value, or null when it may be a secret (never read into memory twice). */
export type CurrentSettings = Record<string, { value: string | null }>;

type EnvEntry = { name: string; value?: string; secretRef?: string };

/** A web app's app settings, every one (the PUT that writes them replaces the whole set). */
export async function readWebAppSettings(
  services: Services,
  appId: string,
  appName: string,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const response = await listWebAppSettings(services.azure, appId, signal);
  if (response.status !== 200) throw refusal(response, `reading the settings of ${appName}`);
  return ((response.body as { properties?: Record<string, string> })?.properties ?? {}) as Record<
    string,
    string
  >;
}

/** Replaces a web app's app settings with `settings` (ARM's PUT takes the whole set). */
export async function putWebAppSettings(
  services: Services,
  ctx: StepContext | UndoContext,
  appId: string,
  settings: Record<string, string>,
  what: string,
): Promise<void> {
  await putSettings(services.azure, ctx, appId, settings, what);
}

async function readContainerApp(services: Services, place: SettingsPlace, signal?: AbortSignal) {
  const app = await readApp(services, place.appId, API.containerapp, `reading ${place.appName}`, signal);
  if (!app) throw new Error(`the app ${place.appName} no longer exists (${place.appId})`);
  const containers = ((app.properties as { template?: { containers?: unknown } } | undefined)?.template
    ?.containers ?? []) as ({ name?: string; env?: EnvEntry[] } & Record<string, unknown>)[];
  const container = containers.find((c) => c.name === place.container);
  if (!container)
    throw new Error(`${place.appName} has no container named ${place.container ?? '(none given)'}`);
  return { containers, container };
}

async function springDeployment(services: Services, place: SettingsPlace, signal?: AbortSignal) {
  const found = await readActiveSpringDeployment(services.azure, place.appId, API.spring, signal);
  if (found.kind === 'refused') {
    // The list's parent is the app: a 404 means the app (or its service) is gone.
    if (found.response.status === 404)
      throw new Error(`the app ${place.appName} no longer exists (${place.appId})`);
    throw refusal(found.response, `reading the deployments of ${place.appName}`);
  }
  if (found.kind === 'none')
    throw new Error(`${place.appName} has no active deployment to hold its settings`);
  return { id: found.deployment.id, env: springEnvironment(found.deployment) };
}

/** The settings of the place now; a value that may be a secret is null. */
export async function readPlace(
  services: Services,
  place: SettingsPlace,
  signal?: AbortSignal,
): Promise<CurrentSettings> {
  const out: CurrentSettings = {};
  const add = (name: string, value: string | undefined) => {
    out[name] = { value: value === undefined || looksSecret(name, value) ? null : value };
  };
  if (place.kind === 'webapp') {
    for (const [name, value] of Object.entries(
      await readWebAppSettings(services, place.appId, place.appName, signal),
    ))
      add(name, String(value));
  } else if (place.kind === 'containerapp') {
    const { container } = await readContainerApp(services, place, signal);
    for (const entry of container.env ?? [])
      add(entry.name, entry.secretRef !== undefined ? undefined : entry.value);
  } else {
    const { env } = await springDeployment(services, place, signal);
    for (const [name, value] of Object.entries(env)) add(name, String(value));
  }
  return out;
}

/**
 * Sets `values` on the place (adding the names that are absent), keeping every other setting. A
 * container app gets a new revision; a Spring deployment is updated in place.
 */
export async function writePlace(
  services: Services,
  ctx: StepContext | UndoContext,
  place: SettingsPlace,
  values: Record<string, string>,
  what: string,
): Promise<void> {
  if (Object.keys(values).length === 0) return;
  if (place.kind === 'webapp') {
    const current = await readWebAppSettings(services, place.appId, place.appName, ctx.signal);
    await putWebAppSettings(services, ctx, place.appId, { ...current, ...values }, what);
    return;
  }
  if (place.kind === 'containerapp') {
    const { containers, container } = await readContainerApp(services, place, ctx.signal);
    const env = (container.env ?? []).filter((entry) => !(entry.name in values));
    container.env = [...env, ...Object.entries(values).map(([name, value]) => ({ name, value }))];
    // A PATCH replaces the containers list: send it whole, this container's env changed.
    await patchContainerAppContainers(services.azure, ctx, place.appId, containers, what);
    return;
  }
  const { id, env } = await springDeployment(services, place, ctx.signal);
  await writeArm(
    services,
    ctx,
    'PATCH',
    id,
    API.spring,
    { properties: { deploymentSettings: { environmentVariables: { ...env, ...values } } } },
    what,
  );
}

/** One setting a step would change: its name, and the old and new values (null: a secret, not shown). */
export interface SettingChange {
  name: string;
  old: string | null;
  new: string | null;
}

/** The settings of `planned` that exist now with another value (or a secret on either side). */
export function changesOf(
  current: CurrentSettings,
  planned: { name: string; value: string | null }[],
): SettingChange[] {
  return planned
    .filter(({ name, value }) => {
      const now = current[name];
      return now !== undefined && (now.value === null || value === null || now.value !== value);
    })
    .map(({ name, value }) => ({ name, old: current[name]!.value, new: value }));
}

/** `NAME`, and whether it was a secret that cannot be put back. */
function changeName(change: SettingChange): string {
  return change.old === null ? `${change.name} (a secret: it cannot be put back)` : change.name;
}

/** `NAME "old" → "new"`, a secret by name only. */
function changeWords(change: SettingChange): string {
  if (change.old === null) return `${change.name} (a secret: not shown; it cannot be put back)`;
  if (change.new === null) return `${change.name} ("${clip(change.old)}" → a secret)`;
  return `${change.name} ("${clip(change.old)}" → "${clip(change.new)}")`;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/**
 * The consent for changing existing settings, naming each with its old and new value; with
 * `namesOnly` (the MCP server) naming each setting only.
 */
export function overwriteConsent(
  appName: string,
  changes: readonly SettingChange[],
  namesOnly = false,
): string {
  const restorable = changes.some((change) => change.old !== null);
  const named = changes.map(namesOnly ? changeName : changeWords).join('; ');
  return `changes ${changes.length === 1 ? 'a setting' : `${changes.length} settings`} ${appName} already has: ${named}${restorable ? '; undo puts the old values back' : ''}`;
}

/** The commands that put `previous` back by hand, per kind of app. */
export function manualRestore(place: SettingsPlace, previous: Record<string, string>): string[] {
  const pairs = Object.entries(previous).map(([name, value]) => `${name}=${value}`);
  if (pairs.length === 0) return [];
  if (place.kind === 'webapp')
    return [
      commandLine([
        'az',
        'webapp',
        'config',
        'appsettings',
        'set',
        '--ids',
        place.appId,
        '--settings',
        ...pairs,
      ]),
    ];
  if (place.kind === 'containerapp')
    return [
      commandLine([
        'az',
        'containerapp',
        'update',
        '--ids',
        place.appId,
        '--container-name',
        place.container ?? '',
        '--set-env-vars',
        ...pairs,
      ]),
    ];
  // No az command sets one variable of a Spring deployment without replacing the others
  // (`az spring app update --env` sets them all): the undo itself puts them back, by hand nothing.
  return [];
}
