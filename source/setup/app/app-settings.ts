/**
 * `app-settings` (with `--no-linker`): writes the AZURE_POSTGRESQL_* (or the target's AZURE_MYSQL_*)
 * settings of the client type to a web app directly, keeping every other setting. A setting that
 * exists with another value is changed only with consent: the plan names its old and new value.
 * Undo restores the settings this run changed to their previous values and removes those it added,
 * unless someone changed them since.
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { looksSecret } from '../../doctor/app-settings-read.ts';
import type { Step, UndoRecord } from '../../engine/step.ts';
import { planned } from '../../engine/step-registry.ts';
import type { SetupInput } from '../input.ts';
import { envOf, type SetupStep } from '../step-env.ts';
import type { ConnectionTarget } from './connection-target.ts';
import { SETTINGS_RECORD } from './record-schemas.ts';
import {
  changesOf,
  overwriteConsent,
  putWebAppSettings,
  readPlace,
  readWebAppSettings,
} from './settings-store.ts';
import { servicePrincipalSecret } from './sp-secret.ts';

export interface SettingsRecord extends UndoRecord {
  app: string;
  appName: string;
  /** Settings this run added (absent before). */
  added: string[];
  /** Settings this run changed, with their earlier values (never a value that may be a secret). */
  previous: Record<string, string>;
  /** What this run wrote, secret settings left out (named only). */
  written: Record<string, string>;
  secretNames: string[];
}

export const APP_SETTINGS = 'app-settings';

/** The step's definition: its record, undo and commands, for the plan and undo from the journal. */
export const appSettings: SetupStep<SettingsRecord> = {
  id: APP_SETTINGS,
  title: 'App settings',
  record: SETTINGS_RECORD,
  undo: (ctx, record) => undoAppSettings(ctx.services, ctx, record),
  manualUndo: manualAppSettings,
};

/** `database` says which database user and settings to write (PostgreSQL's when absent). */
export function appSettingsStep(
  input: SetupInput,
  services: Services,
  database: ConnectionTarget,
): Step<SettingsRecord> {
  const { secretSetting } = database;
  const { app } = input;
  const wanted = (signal?: AbortSignal) => database.settings(signal);
  const place = { appId: app.id, appName: app.name, kind: app.kind, container: null };
  // Whether a setting would change, and which, is known once `preview` has read them: the plan reads
  // `consent` after the preview. Until then, and when they cannot be read, the step asks.
  const step: Step<SettingsRecord> = planned(
    appSettings,
    {
      title: `App settings of ${app.name}`,
      resource: app.id,
      after: [database.userStep],
      consent: `may change settings ${app.name} already has (they could not be read)`,
      async preview(ctx) {
        const lines = [
          `write the ${database.settingsLabel} settings for client type ${input.clientType} to ${app.name} (user ${database.plannedUserName}); every other setting stays`,
          ...(input.auth.kind === 'sp' ? [`${secretSetting} holds the service principal's secret`] : []),
        ];
        if (app.kind !== 'webapp') {
          delete step.consent;
          return lines;
        }
        try {
          const [current, settings] = await Promise.all([
            readPlace(services, place, ctx.signal),
            wanted(ctx.signal),
          ]);
          const changes = changesOf(
            current,
            Object.entries(settings).map(([name, value]) => ({ name, value })),
          );
          if (changes.length === 0) {
            delete step.consent;
            return lines;
          }
          step.consent = overwriteConsent(app.name, changes, input.settingValues === 'names-only');
          return [
            ...lines,
            `${changes.map((change) => change.name).join(', ')} ${changes.length === 1 ? 'exists' : 'exist'} already: ⚠ changed only with your consent`,
          ];
        } catch (error) {
          return [
            ...lines,
            `cannot read the settings of ${app.name} (${(error as Error).message}): any of them that exists would be changed`,
          ];
        }
      },
      async isDone(ctx) {
        if (app.kind !== 'webapp') return false;
        const [current, settings] = await Promise.all([
          readWebAppSettings(services, app.id, app.name, ctx.signal),
          wanted(ctx.signal),
        ]);
        return (
          Object.entries(settings).every(([key, value]) => current[key] === value) &&
          (input.auth.kind !== 'sp' || current[secretSetting] !== undefined)
        );
      },
      async apply(ctx) {
        if (app.kind !== 'webapp')
          throw new Error(
            '--no-linker writes app settings of web apps only for now: use Service Connector for a container app',
          );
        const current = await readWebAppSettings(services, app.id, app.name, ctx.signal);
        const settings = await wanted(ctx.signal);
        const secretNames: string[] = [];
        const next: Record<string, string> = { ...current, ...settings };
        if (input.auth.kind === 'sp') {
          if (current[secretSetting] !== undefined)
            throw new Error(`${app.name} already has ${secretSetting}: remove it or use Service Connector`);
          next[secretSetting] = await servicePrincipalSecret(services, input.auth.clientId, ctx.signal);
          secretNames.push(secretSetting);
        }
        const changed = Object.keys(settings).filter(
          (key) => key in current && current[key] !== settings[key],
        );
        // An earlier value that may be a secret is never journalled: it cannot be put back.
        const secretOld = changed.filter((key) => looksSecret(key, current[key]));
        const record: SettingsRecord = {
          app: app.id,
          appName: app.name,
          added: [...Object.keys(settings).filter((key) => !(key in current)), ...secretNames],
          previous: Object.fromEntries(
            changed.filter((key) => !secretOld.includes(key)).map((key) => [key, current[key]!]),
          ),
          written: settings,
          secretNames,
        };
        await ctx.checkpoint(record);
        ctx.progress('writing the settings');
        await putWebAppSettings(services, ctx, app.id, next, `writing the settings of ${app.name}`);
        return record;
      },
    },
    envOf(services, input),
  );
  return step;
}

/** The commands that reverse the step by hand. */
export function manualAppSettings(record: SettingsRecord): string[] {
  const previous = Object.entries(record.previous).map(([key, value]) => `${key}=${value}`);
  return [
    ...(record.added.length > 0
      ? [
          commandLine([
            'az',
            'webapp',
            'config',
            'appsettings',
            'delete',
            '--ids',
            record.app,
            '--setting-names',
            ...record.added,
          ]),
        ]
      : []),
    ...(previous.length > 0
      ? [
          commandLine([
            'az',
            'webapp',
            'config',
            'appsettings',
            'set',
            '--ids',
            record.app,
            '--settings',
            ...previous,
          ]),
        ]
      : []),
  ];
}

export async function undoAppSettings(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SettingsRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const current = await readWebAppSettings(services, record.app, record.appName, ctx.signal);
  const ours = Object.keys(record.written).filter((key) => current[key] === record.written[key]);
  const oursSecret = record.secretNames.filter((key) => key in current);
  if (ours.length === 0 && oursSecret.length === 0)
    return { status: 'already-gone', reason: 'the settings this run wrote are no longer there' };
  if (ours.length < Object.keys(record.written).length)
    return { status: 'changed-since', reason: `some of the settings were changed since this run` };
  const next = { ...current };
  for (const key of record.added) delete next[key];
  for (const [key, value] of Object.entries(record.previous)) next[key] = value;
  await putWebAppSettings(services, ctx, record.app, next, `restoring the settings of ${record.appName}`);
  return { status: 'undone' };
}
