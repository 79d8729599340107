/**
 * The guided PostgreSQL setup as steps for the engine: the app's identity, Entra authentication and
 * admin on the server, a temporary firewall rule when this machine is refused, the database role and
 * its grants, the connection (Service Connector or app settings), and a final check. Step ids are
 * public API (plan, journal, `--json`, `sc-doctor undo`).
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import type { Step, StepUndoer } from '../step.ts';
import { checkedUndoers, checkOnly, noCommands, nothingToUndo, undoer } from '../undoer.ts';
import {
  APP_IDENTITY,
  type AppIdentityRecord,
  appIdentityStep,
  manualAppIdentity,
  undoAppIdentity,
} from './app-identity.ts';
import {
  APP_SETTINGS,
  appSettingsStep,
  manualAppSettings,
  type SettingsRecord,
  undoAppSettings,
} from './app-settings.ts';
import {
  DATABASE_ROLE,
  databaseRoleStep,
  manualDatabaseRole,
  type RoleRecord,
  setUndoConnectTo,
  undoDatabaseRole,
} from './database-role.ts';
import {
  ENTRA_ADMIN,
  type EntraAdminRecord,
  entraAdminStep,
  manualEntraAdmin,
  undoEntraAdmin,
} from './entra-admin.ts';
import {
  ENTRA_AUTH,
  type EntraAuthRecord,
  entraAuthStep,
  manualEntraAuth,
  undoEntraAuth,
} from './entra-auth.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  type FirewallRecord,
  firewallTempRemoveStep,
  firewallTempStep,
  manualFirewallTemp,
  removeRule,
} from './firewall-temp.ts';
import type { PostgresSetupInput } from './input.ts';
import { POSTGRES_RECORDS } from './record-schemas.ts';
import {
  type LinkerRecord,
  manualServiceConnector,
  SERVICE_CONNECTOR,
  serviceConnectorStep,
  undoServiceConnector,
} from './service-connector.ts';
import { VERIFY, verifyStep } from './verify.ts';

export {
  connectionNameOf,
  type PostgresAuth,
  type PostgresSetupInput,
  problemsOf,
  roleNameOf,
} from './input.ts';
export { SP_SECRET_ENV } from './sp-secret.ts';

/**
 * The steps of one PostgreSQL setup. Call `problemsOf(input)` first: names PostgreSQL or Service
 * Connector would refuse are reported there, before any step exists. `app-identity` is left out for
 * a service principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function postgresSetupSteps(input: PostgresSetupInput, services: Services): Step[] {
  const connection = input.linker ? serviceConnectorStep(input, services) : appSettingsStep(input, services);
  const steps: Step[] = [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services)]),
    entraAuthStep(input, services),
    entraAdminStep(input, services),
    firewallTempStep(input, services),
    databaseRoleStep(input, services, []),
    connection,
    verifyStep(input, services, [connection.id]),
    firewallTempRemoveStep(input, services, [VERIFY]),
  ];
  return steps;
}

/**
 * The undo of every PostgreSQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the server again.
 */
export function postgresUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  setUndoConnectTo(connectTo);
  return checkedUndoers(POSTGRES_RECORDS, [
    undoer(
      APP_IDENTITY,
      'Managed identity of the app',
      (ctx, r: AppIdentityRecord) => undoAppIdentity(services, ctx, r),
      manualAppIdentity,
    ),
    undoer(
      ENTRA_AUTH,
      'Entra authentication',
      (ctx, r: EntraAuthRecord) => undoEntraAuth(services, ctx, r),
      manualEntraAuth,
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
      DATABASE_ROLE,
      'Database role',
      (ctx, r: RoleRecord) => undoDatabaseRole(services, ctx, r),
      manualDatabaseRole,
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
