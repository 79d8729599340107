/**
 * The guided MySQL flexible server setup as steps for the engine: the app's identity, the server's
 * user-assigned identity (and whether it may read Microsoft Graph), the single Entra admin, a
 * temporary firewall rule when this machine is refused, the database user and its grants, the
 * connection (Service Connector or app settings), and a final check. The app identity, connection
 * and settings steps are the PostgreSQL flow's own, given the MySQL target. Step ids are public API.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import {
  APP_IDENTITY,
  type AppIdentityRecord,
  appIdentityStep,
  manualAppIdentity,
  undoAppIdentity,
} from '../postgres/app-identity.ts';
import {
  APP_SETTINGS,
  appSettingsStep,
  manualAppSettings,
  type SettingsRecord,
  undoAppSettings,
} from '../postgres/app-settings.ts';
import {
  type LinkerRecord,
  manualServiceConnector,
  SERVICE_CONNECTOR,
  serviceConnectorStep,
  undoServiceConnector,
} from '../postgres/service-connector.ts';
import type { Step, StepUndoer } from '../step.ts';
import { checkedUndoers, checkOnly, noCommands, nothingToUndo, undoer } from '../undoer.ts';
import {
  DATABASE_USER,
  databaseUserStep,
  manualDatabaseUser,
  type UserRecord,
  undoDatabaseUser,
} from './database-user.ts';
import {
  ENTRA_ADMIN,
  type EntraAdminRecord,
  entraAdminStep,
  manualEntraAdmin,
  undoEntraAdmin,
} from './entra-admin.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  type FirewallRecord,
  firewallTempRemoveStep,
  firewallTempStep,
  manualFirewallTemp,
  removeRule,
} from './firewall-temp.ts';
import { type MysqlSetupInput, mysqlTarget, withMysqlNames } from './input.ts';
import { MYSQL_RECORDS } from './record-schemas.ts';
import {
  manualServerIdentity,
  SERVER_IDENTITY,
  type ServerIdentityRecord,
  serverIdentityStep,
  undoServerIdentity,
} from './server-identity.ts';
import { VERIFY, verifyStep } from './verify.ts';

export {
  type MysqlAdminFacts,
  type MysqlSetupInput,
  mysqlConnectionNameOf,
  mysqlProblemsOf,
  mysqlUserNameOf,
} from './input.ts';
export { LEAST_PRIVILEGES } from './user-sql.ts';

/**
 * The steps of one MySQL setup. Call `mysqlProblemsOf(input)` first: names MySQL or Service Connector
 * would refuse are reported there, before any step exists. `app-identity` is left out for a service
 * principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function mysqlSetupSteps(given: MysqlSetupInput, services: Services): Step[] {
  // The shared steps read the user and connection names: give them MySQL's defaults.
  const input = withMysqlNames(given);
  const connection = input.linker
    ? serviceConnectorStep(input, services, mysqlTarget(input, services))
    : appSettingsStep(input, services, mysqlTarget(input, services));
  return [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services) as unknown as Step]),
    serverIdentityStep(input, services) as unknown as Step,
    entraAdminStep(input, services) as unknown as Step,
    firewallTempStep(input, services) as unknown as Step,
    databaseUserStep(input, services) as unknown as Step,
    connection as unknown as Step,
    verifyStep(input, services, [connection.id]),
    firewallTempRemoveStep(input, services, [VERIFY]),
  ];
}

/**
 * The undo of every MySQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the server again.
 */
export function mysqlUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  return checkedUndoers(MYSQL_RECORDS, [
    undoer(
      APP_IDENTITY,
      'Managed identity of the app',
      (ctx, r: AppIdentityRecord) => undoAppIdentity(services, ctx, r),
      manualAppIdentity,
    ),
    undoer(
      SERVER_IDENTITY,
      'User-assigned identity of the server',
      (ctx, r: ServerIdentityRecord) => undoServerIdentity(services, ctx, r),
      manualServerIdentity,
    ),
    undoer(
      ENTRA_ADMIN,
      'Entra admin',
      (ctx, r: EntraAdminRecord) => undoEntraAdmin(services, ctx, r),
      manualEntraAdmin,
    ),
    undoer(
      FIREWALL_TEMP,
      'Temporary firewall rule',
      (ctx, r: FirewallRecord) => removeRule(services, ctx, r),
      manualFirewallTemp,
    ),
    undoer(
      DATABASE_USER,
      'MySQL user',
      (ctx, r: UserRecord) => undoDatabaseUser(services, ctx, r, connectTo),
      manualDatabaseUser,
    ),
    undoer(
      SERVICE_CONNECTOR,
      'Service Connector connection',
      (ctx, r: LinkerRecord) => undoServiceConnector(services, ctx, r),
      manualServiceConnector,
    ),
    undoer(
      APP_SETTINGS,
      'App settings',
      (ctx, r: SettingsRecord) => undoAppSettings(services, ctx, r),
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
