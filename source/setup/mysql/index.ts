/**
 * The guided MySQL flexible server setup as steps for the engine: the app's identity, the server's
 * user-assigned identity (and whether it may read Microsoft Graph), the single Entra admin, a
 * temporary firewall rule when this machine is refused, the database user and its grants, the
 * connection (Service Connector or app settings), and a final check. The app's steps are every
 * flow's (../app/), given the MySQL target. Step ids are public API.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import { mysql } from '../../databases/mysql/index.ts';
import type { Step, StepUndoer, UndoRecord } from '../../engine/step.ts';
import { type StepDefinition, undoersOf } from '../../engine/step-registry.ts';
import { appIdentity, appIdentityStep } from '../app/app-identity.ts';
import { appSettings, appSettingsStep } from '../app/app-settings.ts';
import { armIdentityLister } from '../app/identity-listing.ts';
import { serviceConnector, serviceConnectorStep } from '../app/service-connector.ts';
import { mysqlAdminOf } from '../facts-from-doctor.ts';
import {
  firewallTemp,
  firewallTempRemove,
  firewallTempRemoveStep,
  firewallTempStep,
} from '../firewall-temp.ts';
import type { SetupFlowKind } from '../flow-kind.ts';
import type { SetupEnv } from '../step-env.ts';
import { VERIFY, verify, verifyStep } from '../verify.ts';
import { askServerIdentity, needsServerIdentity } from './ask-server-identity.ts';
import { databaseUser, databaseUserStep } from './database-user.ts';
import { ENTRA_ADMIN, entraAdmin, entraAdminStep } from './entra-admin.ts';
import {
  type MysqlSetupInput,
  mysqlProblemsOf,
  mysqlTarget,
  mysqlUserNameOf,
  withMysqlNames,
} from './input.ts';
import { serverIdentity, serverIdentityStep } from './server-identity.ts';
import { mysqlUserCheck } from './verify.ts';

export { LEAST_PRIVILEGES } from '../../databases/mysql/statements.ts';
export {
  type MysqlAdminFacts,
  type MysqlSetupInput,
  mysqlProblemsOf,
  mysqlUserNameOf,
} from './input.ts';

/** Every step the MySQL flow can plan, defined once: the plan's steps and undo from the journal. */
export const MYSQL_STEPS: readonly StepDefinition<UndoRecord, SetupEnv>[] = [
  appIdentity,
  serverIdentity,
  entraAdmin,
  firewallTemp(mysql),
  databaseUser,
  serviceConnector,
  appSettings,
  verify,
  firewallTempRemove,
];

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
    ...(input.auth.kind === 'sp' ? [] : [appIdentityStep(input, services)]),
    serverIdentityStep(input, services),
    entraAdminStep(input, services),
    firewallTempStep(input, services, mysql, [ENTRA_ADMIN]),
    databaseUserStep(input, services),
    connection,
    verifyStep(input, services, mysqlUserCheck(input, services), [connection.id]),
    firewallTempRemoveStep(input, services, mysql, [VERIFY]),
  ];
}

/**
 * The undo of every MySQL step by id, for `undoFromJournal`: each needs only its journal record.
 * `connectTo` is this process's `--connect-to` mapping, used to log in to the server again.
 */
export function mysqlUndoers(services: Services, connectTo?: ConnectToMap): StepUndoer[] {
  return undoersOf(MYSQL_STEPS, { services, connectTo });
}

/** MySQL in the setup flow (../flow-kind.ts): it asks for the server's identity when it has none. */
export const mysqlFlow: SetupFlowKind<MysqlSetupInput> = {
  logsInAsAdminEntry: true,
  async ask({ server, request, prompter, services, signal, listIdentities }) {
    const given = request.mysqlIdentityId;
    if (!needsServerIdentity(server, given)) return given ? { mysqlIdentityId: given } : {};
    const picked = await askServerIdentity(
      prompter,
      services,
      server,
      listIdentities ?? armIdentityLister,
      signal,
    );
    return picked ? { mysqlIdentityId: picked } : null;
  },
  input(base, asked, doctor) {
    const admin = mysqlAdminOf(doctor);
    return {
      ...base,
      ...(admin !== undefined ? { mysqlAdmin: admin } : {}),
      ...(asked.mysqlIdentityId ? { mysqlIdentityId: asked.mysqlIdentityId } : {}),
    };
  },
  problemsOf: mysqlProblemsOf,
  namedIdentities: (input) => (input.mysqlIdentityId ? [input.mysqlIdentityId] : []),
  steps: mysqlSetupSteps,
  definitions: MYSQL_STEPS,
  userNameOf: mysqlUserNameOf,
};
