/**
 * The guided Azure SQL setup as steps for the engine: the app's identity, the server's single Entra
 * admin (replaced only with consent, put back on undo), a temporary firewall rule when this machine
 * is refused, the contained database user and its roles, the connection (Service Connector or app
 * settings, every flow's steps) and a final check. Step ids are public API.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { sql } from '../../databases/sql/index.ts';
import type { Step, StepUndoer, UndoRecord } from '../../engine/step.ts';
import { type StepDefinition, undoersOf } from '../../engine/step-registry.ts';
import { appIdentity, appIdentityStep } from '../app/app-identity.ts';
import { appSettings, appSettingsStep } from '../app/app-settings.ts';
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
import { assertSqlLinkerClientType } from './client-types.ts';
import { sqlTarget } from './connection-target.ts';
import { sqlDatabaseUser, sqlDatabaseUserStep } from './database-user.ts';
import { ENTRA_ADMIN, sqlEntraAdmin, sqlEntraAdminStep } from './entra-admin.ts';
import { plannedUserName } from './identity.ts';
import { type SqlSetupInput, sqlProblemsOf } from './input.ts';
import { sqlUserCheck } from './verify.ts';

export { type SqlSetupInput, sqlProblemsOf } from './input.ts';

/** Every step the Azure SQL flow can plan, defined once: the plan's steps and undo from the journal. */
export const SQL_STEPS: readonly StepDefinition<UndoRecord, SetupEnv>[] = [
  appIdentity,
  sqlEntraAdmin,
  firewallTemp(sql),
  sqlDatabaseUser,
  serviceConnector,
  appSettings,
  verify,
  firewallTempRemove,
];

/** Every step id the Azure SQL flow can plan, in plan order. */
export const SQL_STEP_IDS = SQL_STEPS.map((step) => step.id);

/**
 * The steps of one Azure SQL setup. Call `sqlProblemsOf(input)` first. `app-identity` is left out for
 * a service principal; `service-connector` or `app-settings` depending on `input.linker`.
 */
export function sqlSetupSteps(input: SqlSetupInput, services: Services): Step[] {
  const target = sqlTarget(input, services);
  const connection = input.linker
    ? serviceConnectorStep(input, services, target)
    : appSettingsStep(input, services, target);
  return [
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services)]),
    sqlEntraAdminStep(input, services),
    firewallTempStep(input, services, sql, [ENTRA_ADMIN]),
    sqlDatabaseUserStep(input, services),
    connection,
    verifyStep(input, services, sqlUserCheck(input, services), [connection.id]),
    firewallTempRemoveStep(input, services, sql, [VERIFY]),
  ];
}

/**
 * The undo of every Azure SQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the database again.
 */
export function sqlUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  return undoersOf(SQL_STEPS, { services, connectTo });
}

/** Azure SQL in the setup flow (../flow-kind.ts): the token says who logs in. */
export const sqlFlow: SetupFlowKind<SqlSetupInput> = {
  logsInAsAdminEntry: false,
  // Before any change: Service Connector cannot link these to Azure SQL (exit 2 with what works).
  assertChoices({ clientType, linker }) {
    if (linker) assertSqlLinkerClientType(clientType);
  },
  input: (base) => base,
  problemsOf: sqlProblemsOf,
  steps: sqlSetupSteps,
  definitions: SQL_STEPS,
  userNameOf: plannedUserName,
};
