/**
 * The guided Azure SQL setup as steps for the engine: the app's identity, the server's single Entra
 * admin (replaced only with consent, put back on undo), a temporary firewall rule when this machine
 * is refused, the contained database user and its roles, the connection (Service Connector or app
 * settings, the same steps as PostgreSQL's) and a final check. Step ids are public API.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import {
  APP_IDENTITY,
  appIdentityStep,
  manualAppIdentity,
  undoAppIdentity,
} from '../postgres/app-identity.ts';
import {
  APP_SETTINGS,
  appSettingsStep,
  manualAppSettings,
  undoAppSettings,
} from '../postgres/app-settings.ts';
import {
  manualServiceConnector,
  SERVICE_CONNECTOR,
  serviceConnectorStep,
  undoServiceConnector,
} from '../postgres/service-connector.ts';
import type { Step, StepUndoer } from '../step.ts';
import { checkedUndoers, checkOnly, noCommands, nothingToUndo, undoer } from '../undoer.ts';
import { sqlTarget } from './connection-target.ts';
import {
  DATABASE_USER,
  manualSqlDatabaseUser,
  setSqlUndoConnectTo,
  sqlDatabaseUserStep,
  undoSqlDatabaseUser,
} from './database-user.ts';
import { ENTRA_ADMIN, manualSqlEntraAdmin, sqlEntraAdminStep, undoSqlEntraAdmin } from './entra-admin.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  manualSqlFirewallTemp,
  removeSqlRule,
  sqlFirewallTempRemoveStep,
  sqlFirewallTempStep,
} from './firewall-temp.ts';
import { type SqlSetupInput, sqlConnectionNameOf } from './input.ts';
import { SQL_RECORDS } from './record-schemas.ts';
import { sqlVerifyStep, VERIFY } from './verify.ts';

export { type SqlSetupInput, sqlConnectionNameOf, sqlProblemsOf } from './input.ts';

/** Every step id the Azure SQL flow can plan, in plan order. */
export const SQL_STEP_IDS = [
  APP_IDENTITY,
  ENTRA_ADMIN,
  FIREWALL_TEMP,
  DATABASE_USER,
  SERVICE_CONNECTOR,
  APP_SETTINGS,
  VERIFY,
  FIREWALL_TEMP_REMOVE,
] as const;

/**
 * The steps of one Azure SQL setup. Call `sqlProblemsOf(input)` first. `app-identity` is left out for
 * a service principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function sqlSetupSteps(input: SqlSetupInput, services: Services): Step[] {
  // The linker's default name is SQL's, not PostgreSQL's.
  const linked = { ...input, connectionName: sqlConnectionNameOf(input) };
  const target = sqlTarget(linked, services);
  const connection = input.linker
    ? serviceConnectorStep(linked, services, target)
    : appSettingsStep(linked, services, target);
  return [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services) as unknown as Step]),
    sqlEntraAdminStep(input, services) as unknown as Step,
    sqlFirewallTempStep(input, services) as unknown as Step,
    sqlDatabaseUserStep(input, services) as unknown as Step,
    connection as unknown as Step,
    sqlVerifyStep(input, services, [connection.id]),
    sqlFirewallTempRemoveStep(input, services, [VERIFY]),
  ];
}

/**
 * The undo of every Azure SQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the database again.
 */
export function sqlUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  setSqlUndoConnectTo(connectTo);
  return checkedUndoers(SQL_RECORDS, [
    undoer(
      APP_IDENTITY,
      'Managed identity of the app',
      (ctx, r: Parameters<typeof undoAppIdentity>[2]) => undoAppIdentity(services, ctx, r),
      manualAppIdentity,
    ),
    undoer(
      ENTRA_ADMIN,
      'Entra admin',
      (ctx, r: Parameters<typeof undoSqlEntraAdmin>[2]) => undoSqlEntraAdmin(services, ctx, r),
      manualSqlEntraAdmin,
    ),
    undoer(
      FIREWALL_TEMP,
      'Temporary firewall rule',
      (ctx, r: Parameters<typeof removeSqlRule>[2]) => removeSqlRule(services, ctx, r),
      manualSqlFirewallTemp,
    ),
    undoer(
      DATABASE_USER,
      'Database user',
      (ctx, r: Parameters<typeof undoSqlDatabaseUser>[2]) => undoSqlDatabaseUser(services, ctx, r, connectTo),
      manualSqlDatabaseUser,
    ),
    undoer(
      SERVICE_CONNECTOR,
      'Service Connector connection',
      (ctx, r: Parameters<typeof undoServiceConnector>[2]) => undoServiceConnector(services, ctx, r),
      manualServiceConnector,
    ),
    undoer(
      APP_SETTINGS,
      'App settings',
      (ctx, r: Parameters<typeof undoAppSettings>[2]) => undoAppSettings(services, ctx, r),
      manualAppSettings,
    ),
    checkOnly(VERIFY, 'Check'),
    undoer(
      FIREWALL_TEMP_REMOVE,
      'Remove the temporary rule',
      nothingToUndo('the temporary rule stays removed'),
      noCommands,
    ),
  ]);
}
