/**
 * The guided PostgreSQL setup as steps for the engine: the app's identity, Entra authentication and
 * admin on the server, a temporary firewall rule when this machine is refused, the database role and
 * its grants, the connection (Service Connector or app settings), and a final check. Step ids are
 * public API (plan, journal, `--json`, `sc-doctor undo`).
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { postgres } from '../../databases/postgres/index.ts';
import type { Step, StepUndoer, UndoRecord } from '../../engine/step.ts';
import { type StepDefinition, undoersOf } from '../../engine/step-registry.ts';
import { appIdentity, appIdentityStep } from '../app/app-identity.ts';
import { appSettings, appSettingsStep } from '../app/app-settings.ts';
import { ossTarget } from '../app/connection-target.ts';
import { serviceConnector, serviceConnectorStep } from '../app/service-connector.ts';
import {
  firewallTemp,
  firewallTempRemove,
  firewallTempRemoveStep,
  firewallTempStep,
} from '../firewall-temp.ts';
import type { SetupFlowKind } from '../flow-kind.ts';
import type { SetupEnv } from '../step-env.ts';
import { VERIFY, verify, verifyStep } from '../verify.ts';
import { DATABASE_ROLE, databaseRole, databaseRoleStep } from './database-role.ts';
import { ENTRA_ADMIN, entraAdmin, entraAdminStep } from './entra-admin.ts';
import { entraAuth, entraAuthStep } from './entra-auth.ts';
import { type PostgresSetupInput, problemsOf, roleNameOf } from './input.ts';
import { postgresUserCheck } from './verify.ts';

export { SP_SECRET_ENV } from '../app/sp-secret.ts';
export { type PostgresSetupInput, problemsOf, roleNameOf } from './input.ts';

/** Every step the PostgreSQL flow can plan, defined once: the plan's steps and undo from the journal. */
export const POSTGRES_STEPS: readonly StepDefinition<UndoRecord, SetupEnv>[] = [
  appIdentity,
  entraAuth,
  entraAdmin,
  firewallTemp(postgres),
  databaseRole,
  serviceConnector,
  appSettings,
  verify,
  firewallTempRemove,
];

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
  return [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services)]),
    entraAuthStep(input, services),
    entraAdminStep(input, services),
    firewallTempStep(input, services, postgres, [ENTRA_ADMIN]),
    databaseRoleStep(input, services, []),
    connection,
    verifyStep(input, services, postgresUserCheck(input, services), [connection.id]),
    firewallTempRemoveStep(input, services, postgres, [VERIFY]),
  ];
}

/**
 * The undo of every PostgreSQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the server again.
 */
export function postgresUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  return undoersOf(POSTGRES_STEPS, { services, connectTo });
}

/** PostgreSQL in the setup flow (../flow-kind.ts). */
export const postgresFlow: SetupFlowKind<PostgresSetupInput> = {
  logsInAsAdminEntry: true,
  input: (base) => base,
  problemsOf,
  steps: postgresSetupSteps,
  definitions: POSTGRES_STEPS,
  userNameOf: roleNameOf,
};
