/**
 * The PostgreSQL setup flow: its steps and the undoers `sc-doctor undo` finds them by. This file is a
 * placeholder with the flow's public signatures; the real steps replace it.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import type { Services } from '../../core/services.ts';
import type { AppFacts, ServerFacts } from '../../doctor/facts.ts';
import type { NetworkVerdict } from '../../doctor/network-probe.ts';
import type { ClientType } from '../client-type.ts';
import type { Step, StepUndoer } from '../step.ts';

/** Everything the PostgreSQL steps need, resolved by the doctor and the command line. */
export interface PostgresSetupInput {
  server: ServerFacts;
  database: string;
  app: AppFacts;
  auth:
    | { kind: 'system' }
    | { kind: 'user'; clientId: string; subscriptionId?: string }
    | { kind: 'sp'; clientId: string };
  clientType: ClientType;
  dbUser?: string;
  connectionName?: string;
  linker: boolean;
  signedIn: { objectId: string; user: string; type: 'user' | 'servicePrincipal' };
  publicIp?: string;
  connectTo?: ConnectToMap;
  handOffDir?: string;
  grants: 'least' | 'owner';
  /** The doctor's network-path verdict; `private-network` hands the database statements off. */
  networkPath?: NetworkVerdict;
  /** The doctor saw Entra authentication already on: enabling it needs no consent. */
  entraAuthEnabled?: boolean;
  /** The doctor found the role mapped to another object id: ask consent to drop and re-create it. */
  staleRoleObjectId?: string;
}

/** Names PostgreSQL or Service Connector would refuse, found before any step exists. */
export function problemsOf(_input: PostgresSetupInput): string[] {
  return [];
}

/** The steps of a PostgreSQL setup, in plan order. */
export function postgresSetupSteps(_input: PostgresSetupInput, _services: Services): Step[] {
  throw new Error('PostgreSQL setup steps are not available in this build');
}

/** The undo side of every PostgreSQL step, for `sc-doctor undo`. */
export function postgresUndoers(_services: Services, _connectTo?: ConnectToMap): StepUndoer[] {
  throw new Error('PostgreSQL setup steps are not available in this build');
}
