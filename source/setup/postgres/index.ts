/**
 * The guided PostgreSQL setup as steps for the engine: the app's identity, Entra authentication and
 * admin on the server, a temporary firewall rule when this machine is refused, the database role and
 * its grants, the connection (Service Connector or app settings), and a final check. Step ids are
 * public API (plan, journal, `--json`, `sc-doctor undo`).
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { postgres } from '../../databases/postgres/index.ts';
import type { Step, StepUndoer } from '../../engine/step.ts';
import { checkedUndoers, noCommands, nothingToUndo, undoer } from '../../engine/undoer.ts';
import {
  APP_IDENTITY,
  type AppIdentityRecord,
  appIdentityStep,
  manualAppIdentity,
  undoAppIdentity,
} from '../app/app-identity.ts';
import {
  APP_SETTINGS,
  appSettingsStep,
  manualAppSettings,
  type SettingsRecord,
  undoAppSettings,
} from '../app/app-settings.ts';
import { ossTarget } from '../app/connection-target.ts';
import {
  type LinkerRecord,
  manualServiceConnector,
  SERVICE_CONNECTOR,
  serviceConnectorStep,
  undoServiceConnector,
} from '../app/service-connector.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  type FirewallRecord,
  firewallTempRemoveStep,
  firewallTempStep,
  manualFirewallTemp,
  removeFirewallRule,
} from '../firewall-temp.ts';
import type { SetupFlowKind } from '../flow-kind.ts';
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
import { type PostgresSetupInput, problemsOf, roleNameOf } from './input.ts';
import { POSTGRES_RECORDS } from './record-schemas.ts';
import { VERIFY, verifyStep } from './verify.ts';

export { SP_SECRET_ENV } from '../app/sp-secret.ts';
export {
  type PostgresSetupInput,
  problemsOf,
  roleNameOf,
} from './input.ts';

/**
 * The steps of one PostgreSQL setup. Call `problemsOf(input)` first: names PostgreSQL or Service
 * Connector would refuse are reported there, before any step exists. `app-identity` is left out for
 * a service principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function postgresSetupSteps(input: PostgresSetupInput, services: Services): Step[] {
  const target = ossTarget('postgres', input, services, roleNameOf(input), DATABASE_ROLE);
  const connection = input.linker
    ? serviceConnectorStep(input, services, target)
    : appSettingsStep(input, services, target);
  const steps: Step[] = [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services)]),
    entraAuthStep(input, services),
    entraAdminStep(input, services),
    firewallTempStep(input, services, postgres, [ENTRA_ADMIN]),
    databaseRoleStep(input, services, []),
    connection,
    verifyStep(input, services, [connection.id]),
    firewallTempRemoveStep(input.server, services, postgres, [VERIFY]),
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
      (ctx, r: FirewallRecord) => removeFirewallRule(services, ctx, postgres, r),
      manualFirewallTemp(postgres),
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
    undoer(VERIFY, 'Check', nothingToUndo('the check changed nothing'), noCommands),
    undoer(
      FIREWALL_TEMP_REMOVE,
      'Remove the temporary rule',
      nothingToUndo('the temporary rule stays removed'),
      noCommands,
    ),
  ]);
}

/** PostgreSQL in the setup flow (../flow-kind.ts). */
export const postgresFlow: SetupFlowKind<PostgresSetupInput> = {
  logsInAsAdminEntry: true,
  input: (base) => base,
  problemsOf,
  steps: postgresSetupSteps,
  userNameOf: roleNameOf,
};
