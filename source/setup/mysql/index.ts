/**
 * The guided MySQL flexible server setup as steps for the engine: the app's identity, the server's
 * user-assigned identity (and whether it may read Microsoft Graph), the single Entra admin, a
 * temporary firewall rule when this machine is refused, the database user and its grants, the
 * connection (Service Connector or app settings), and a final check. The app identity, connection
 * and settings steps are the PostgreSQL flow's own, given the MySQL target. Step ids are public API.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { APP_IDENTITY, appIdentityStep, undoAppIdentity } from '../postgres/app-identity.ts';
import { APP_SETTINGS, appSettingsStep, undoAppSettings } from '../postgres/app-settings.ts';
import {
  SERVICE_CONNECTOR,
  serviceConnectorStep,
  undoServiceConnector,
} from '../postgres/service-connector.ts';
import type { Step, StepUndoer } from '../step.ts';
import { DATABASE_USER, databaseUserStep, undoDatabaseUser } from './database-user.ts';
import { ENTRA_ADMIN, entraAdminStep, undoEntraAdmin } from './entra-admin.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  firewallTempRemoveStep,
  firewallTempStep,
  removeRule,
} from './firewall-temp.ts';
import { MYSQL_TARGET, type MysqlSetupInput, withMysqlNames } from './input.ts';
import { SERVER_IDENTITY, serverIdentityStep, undoServerIdentity } from './server-identity.ts';
import { VERIFY, verifyStep } from './verify.ts';

export {
  type MysqlAdminFacts,
  type MysqlSetupInput,
  mysqlConnectionNameOf,
  mysqlProblemsOf,
  mysqlUserNameOf,
} from './input.ts';
export { LEAST_PRIVILEGES } from './user-sql.ts';

/** Every step id the MySQL flow can plan, in plan order. */
export const MYSQL_STEP_IDS = [
  APP_IDENTITY,
  SERVER_IDENTITY,
  ENTRA_ADMIN,
  FIREWALL_TEMP,
  DATABASE_USER,
  SERVICE_CONNECTOR,
  APP_SETTINGS,
  VERIFY,
  FIREWALL_TEMP_REMOVE,
] as const;

/**
 * The steps of one MySQL setup. Call `mysqlProblemsOf(input)` first: names MySQL or Service Connector
 * would refuse are reported there, before any step exists. `app-identity` is left out for a service
 * principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function mysqlSetupSteps(given: MysqlSetupInput, services: Services): Step[] {
  // The shared steps read the user and connection names: give them MySQL's defaults.
  const input = withMysqlNames(given);
  const connection = input.linker
    ? serviceConnectorStep(input, services, MYSQL_TARGET)
    : appSettingsStep(input, services, MYSQL_TARGET);
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
  const undoer = (id: string, title: string, undo: (ctx: any, record: any) => Promise<any>): StepUndoer => ({
    id,
    title,
    undo: (ctx, record) => undo(ctx, record),
    manualUndo: () => [],
  });
  return [
    undoer(APP_IDENTITY, 'Managed identity of the app', (ctx, r) => undoAppIdentity(services, ctx, r)),
    undoer(SERVER_IDENTITY, 'User-assigned identity of the server', (ctx, r) =>
      undoServerIdentity(services, ctx, r),
    ),
    undoer(ENTRA_ADMIN, 'Entra admin', (ctx, r) => undoEntraAdmin(services, ctx, r)),
    undoer(FIREWALL_TEMP, 'Temporary firewall rule', (ctx, r) => removeRule(services, ctx, r)),
    undoer(DATABASE_USER, 'MySQL user', (ctx, r) => undoDatabaseUser(services, ctx, r, connectTo)),
    undoer(SERVICE_CONNECTOR, 'Service Connector connection', (ctx, r) =>
      undoServiceConnector(services, ctx, r),
    ),
    undoer(APP_SETTINGS, 'App settings', (ctx, r) => undoAppSettings(services, ctx, r)),
    undoer(VERIFY, 'Check', async () => ({ status: 'already-gone', reason: 'the check changed nothing' })),
    undoer(FIREWALL_TEMP_REMOVE, 'Remove the temporary rule', async () => ({
      status: 'already-gone',
      reason: 'the temporary rule stays removed',
    })),
  ];
}
