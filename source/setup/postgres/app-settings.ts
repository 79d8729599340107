/**
 * `app-settings` (with `--no-linker`): writes the AZURE_POSTGRESQL_* (or the target's AZURE_MYSQL_*)
 * settings of the client type to a web app directly, keeping every other setting. Undo restores the
 * settings this run changed to their previous values and removes those it added, unless someone
 * changed them since.
 */
import { armPostRead } from '../../azure/arm.ts';
import { refusal } from '../../azure/arm-lro.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import type { Step, UndoRecord } from '../step.ts';
import { writeArm } from './azure-calls.ts';
import { type ConnectionTarget, postgresTarget } from './connection-target.ts';
import { API, type PostgresSetupInput } from './input.ts';
import { servicePrincipalSecret } from './sp-secret.ts';

export interface SettingsRecord extends UndoRecord {
  app: string;
  appName: string;
  /** Settings this run added (absent before). */
  added: string[];
  /** Settings this run changed, with their earlier values (never a secret setting). */
  previous: Record<string, string>;
  /** What this run wrote, secret settings left out (named only). */
  written: Record<string, string>;
  secretNames: string[];
}

export const APP_SETTINGS = 'app-settings';

async function readSettings(services: Services, app: string, name: string, signal?: AbortSignal) {
  const response = await armPostRead(services.azure, `${app}/config/appsettings/list`, API.webapp, signal);
  if (response.status !== 200) throw refusal(response, `reading the settings of ${name}`);
  return ((response.body as { properties?: Record<string, string> })?.properties ?? {}) as Record<
    string,
    string
  >;
}

async function putSettings(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  app: string,
  settings: Record<string, string>,
  what: string,
) {
  await writeArm(
    services,
    ctx,
    'PUT',
    `${app}/config/appsettings`,
    API.webapp,
    { properties: settings },
    what,
  );
}

/** `database` says which database user and settings to write (PostgreSQL's when absent). */
export function appSettingsStep(
  input: PostgresSetupInput,
  services: Services,
  database: ConnectionTarget = postgresTarget(input, services),
): Step<SettingsRecord> {
  const { secretSetting } = database;
  const { app } = input;
  const wanted = (signal?: AbortSignal) => database.settings(signal);
  return {
    id: APP_SETTINGS,
    title: `App settings of ${app.name}`,
    resource: app.id,
    after: [database.userStep],
    preview: () => [
      `write the ${database.settingsLabel} settings for client type ${input.clientType} to ${app.name} (user ${database.plannedUserName}); every other setting stays`,
      ...(input.auth.kind === 'sp' ? [`${secretSetting} holds the service principal's secret`] : []),
    ],
    async isDone(ctx) {
      if (app.kind !== 'webapp') return false;
      const [current, settings] = await Promise.all([
        readSettings(services, app.id, app.name, ctx.signal),
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
      const current = await readSettings(services, app.id, app.name, ctx.signal);
      const settings = await wanted(ctx.signal);
      const secretNames: string[] = [];
      const next: Record<string, string> = { ...current, ...settings };
      if (input.auth.kind === 'sp') {
        if (current[secretSetting] !== undefined)
          throw new Error(`${app.name} already has ${secretSetting}: remove it or use Service Connector`);
        next[secretSetting] = await servicePrincipalSecret(services, input.auth.clientId, ctx.signal);
        secretNames.push(secretSetting);
      }
      const record: SettingsRecord = {
        app: app.id,
        appName: app.name,
        added: [...Object.keys(settings).filter((key) => !(key in current)), ...secretNames],
        previous: Object.fromEntries(
          Object.keys(settings)
            .filter((key) => key in current && current[key] !== settings[key])
            .map((key) => [key, current[key]!]),
        ),
        written: settings,
        secretNames,
      };
      await ctx.checkpoint(record);
      ctx.progress('writing the settings');
      await putSettings(services, ctx, app.id, next, `writing the settings of ${app.name}`);
      return record;
    },
    undo: (ctx, record) => undoAppSettings(services, ctx, record),
    manualUndo: manualAppSettings,
  };
}

/** The commands that reverse the step by hand. */
export function manualAppSettings(record: SettingsRecord): string[] {
  const settings = ['az', 'webapp', 'config', 'appsettings'];
  return [
    ...(record.added.length > 0
      ? [commandLine([...settings, 'delete', '--ids', record.app, '--setting-names', ...record.added])]
      : []),
    // The old values are not in the journal (they may be secrets): the person fills them in.
    ...Object.keys(record.previous).map((key) =>
      commandLine([
        ...settings,
        'set',
        '--ids',
        record.app,
        '--settings',
        `${key}=<its value before the run>`,
      ]),
    ),
  ];
}

export async function undoAppSettings(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SettingsRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const current = await readSettings(services, record.app, record.appName, ctx.signal);
  const ours = Object.keys(record.written).filter((key) => current[key] === record.written[key]);
  const oursSecret = record.secretNames.filter((key) => key in current);
  if (ours.length === 0 && oursSecret.length === 0)
    return { status: 'already-gone', reason: 'the settings this run wrote are no longer there' };
  if (ours.length < Object.keys(record.written).length)
    return { status: 'changed-since', reason: `some of the settings were changed since this run` };
  const next = { ...current };
  for (const key of record.added) delete next[key];
  for (const [key, value] of Object.entries(record.previous)) next[key] = value;
  await putSettings(services, ctx, record.app, next, `restoring the settings of ${record.appName}`);
  return { status: 'undone' };
}
