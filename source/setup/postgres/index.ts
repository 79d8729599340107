/**
 * The guided PostgreSQL setup as steps for the engine: the app's identity, Entra authentication and
 * admin on the server, a temporary firewall rule when this machine is refused, the database role and
 * its grants, the connection (Service Connector or app settings), and a final check. Step ids are
 * public API (plan, journal, `--json`, `sc-doctor undo`).
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import type { Step, StepUndoer } from '../step.ts';
import { APP_IDENTITY, appIdentityStep, undoAppIdentity } from './app-identity.ts';
import { APP_SETTINGS, appSettingsStep, undoAppSettings } from './app-settings.ts';
import { DATABASE_ROLE, databaseRoleStep, setUndoConnectTo, undoDatabaseRole } from './database-role.ts';
import { ENTRA_ADMIN, entraAdminStep, undoEntraAdmin } from './entra-admin.ts';
import { ENTRA_AUTH, entraAuthStep, undoEntraAuth } from './entra-auth.ts';
import {
  FIREWALL_TEMP,
  FIREWALL_TEMP_REMOVE,
  firewallTempRemoveStep,
  firewallTempStep,
  removeRule,
} from './firewall-temp.ts';
import type { PostgresSetupInput } from './input.ts';
import { SERVICE_CONNECTOR, serviceConnectorStep, undoServiceConnector } from './service-connector.ts';
import { VERIFY, verifyStep } from './verify.ts';

export {
  CLIENT_TYPES,
  type ClientType,
  connectionNameOf,
  type PostgresAuth,
  type PostgresSetupInput,
  problemsOf,
  roleNameOf,
} from './input.ts';
export { SP_SECRET_ENV } from './sp-secret.ts';

/** Every step id the PostgreSQL flow can plan, in plan order. */
export const POSTGRES_STEP_IDS = [
  APP_IDENTITY,
  ENTRA_AUTH,
  ENTRA_ADMIN,
  FIREWALL_TEMP,
  DATABASE_ROLE,
  SERVICE_CONNECTOR,
  APP_SETTINGS,
  VERIFY,
  FIREWALL_TEMP_REMOVE,
] as const;

/**
 * The steps of one PostgreSQL setup. Call `problemsOf(input)` first: names PostgreSQL or Service
 * Connector would refuse are reported there, before any step exists. `app-identity` is left out for
 * a service principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function postgresSetupSteps(input: PostgresSetupInput, services: Services): Step[] {
  const connection = input.linker ? serviceConnectorStep(input, services) : appSettingsStep(input, services);
  const steps: Step[] = [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services) as unknown as Step]),
    entraAuthStep(input, services) as unknown as Step,
    entraAdminStep(input, services) as unknown as Step,
    firewallTempStep(input, services) as unknown as Step,
    databaseRoleStep(input, services, []) as unknown as Step,
    connection as unknown as Step,
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
  const undoer = (id: string, title: string, undo: (ctx: any, record: any) => Promise<any>): StepUndoer => ({
    id,
    title,
    undo: (ctx, record) => undo(ctx, record),
    manualUndo: () => [],
  });
  return [
    undoer(APP_IDENTITY, 'Managed identity of the app', (ctx, r) => undoAppIdentity(services, ctx, r)),
    undoer(ENTRA_AUTH, 'Entra authentication', (ctx, r) => undoEntraAuth(services, ctx, r)),
    undoer(ENTRA_ADMIN, 'Entra admin', (ctx, r) => undoEntraAdmin(services, ctx, r)),
    undoer(FIREWALL_TEMP, 'Temporary firewall rule', (ctx, r) => removeRule(services, ctx, r)),
    undoer(DATABASE_ROLE, 'Database role', (ctx, r) => undoDatabaseRole(services, ctx, r)),
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
