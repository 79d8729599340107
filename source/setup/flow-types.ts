/**
 * What `sc-doctor setup` asks for and how a setup flow ends, shared by the session, the CLI and the
 * three front-ends. Plain JSON apart from the client secret, which never leaves memory.
 */
import type { CheckOutcome } from '../core/types.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { PlannedStepView } from '../engine/events.ts';
import type { SetupResult } from '../engine/run-setup.ts';
import type { UndoRunResult } from '../engine/undo-from-journal.ts';
import type { ClientType } from '../snippets/types.ts';

/** The three ways an app can authenticate, as the Azure CLI's auth flags name them. */
export type AuthChoice =
  | { kind: 'system' }
  | { kind: 'user'; clientId: string; subscriptionId?: string }
  | { kind: 'sp'; clientId: string };

/** The command line of `sc-doctor setup`, validated; what is undefined is asked (interactive) or defaulted. */
export interface SetupRequest {
  /** The kind of database; undefined takes the kind of the server the doctor found (interactive `s`). */
  database?: DatabaseKind;
  auth?: AuthChoice;
  clientType?: ClientType;
  /** `--yes`: consent to every change without asking. */
  yes: boolean;
  /** `--dry-run`: print the plan, write nothing. */
  dryRun: boolean;
  /** False with `--no-linker`: write the app settings instead of registering with Service Connector. */
  linker: boolean;
  dbUser?: string;
  /** `--container`: a container app's container that gets the settings (the linker's `scope`). */
  container?: string;
  grants: 'least' | 'owner';
  /** MySQL: `mysql-identity-id=` of the auth flag, the user-assigned identity the server reads Graph as. */
  mysqlIdentityId?: string;
  /** `--resume RUN_ID`: finish what that run handed off, now that this machine can reach the server. */
  resume?: string;
  /** The command line that asked for this setup (no `--resume`), to tell how to resume a hand-off. */
  commandLine?: string;
}

/**
 * The names a finished setup connected: what the connection-code screen fills into the app settings
 * and the code. Never a secret.
 */
export interface SetupConnection {
  database: DatabaseKind;
  clientType: ClientType;
  auth: AuthChoice['kind'];
  /** The server's host name, e.g. `pg-orders.postgres.database.azure.com`. */
  serverFqdn: string;
  databaseName: string;
  /** The role (PostgreSQL) or user (MySQL, Azure SQL) the app signs in as. */
  user: string;
  /** The app name the headline speaks of. */
  appName: string;
  /** The user-assigned identity's or service principal's client id. */
  clientId?: string;
  /** The cloud's token resource for PostgreSQL and MySQL (`CloudEndpoints.ossrdbmsResource`). */
  ossrdbmsResource?: string;
  /** The signed-in tenant: a service principal's credential needs it (`AZURE_TENANT_ID`). */
  tenantId?: string;
  /**
   * Who wrote the settings: Service Connector (a linker; its Spring Boot URL does not check the
   * certificate, and the code screen says so) or sc-doctor (`--no-linker`).
   */
  settingsWriter?: 'service-connector' | 'sc-doctor';
}

/** Words for an auth choice, as the plan's header shows it. */
export function authWords(auth: AuthChoice): string {
  if (auth.kind === 'system') return 'system identity';
  if (auth.kind === 'user') return `user identity ${auth.clientId}`;
  return `service principal ${auth.clientId}`;
}

/**
 * How `session.setup()` ended:
 * - `refused`: the doctor found what setup cannot fix (or the target is not there); nothing changed.
 * - `planned`: `--dry-run`; the plan was shown and nothing changed.
 * - `declined`: the user backed out at the plan; nothing changed.
 * - `ran`: the engine ran; `result` says how it ended.
 */
export type SetupOutcome =
  | { kind: 'refused'; doctor: CheckOutcome[]; reasons: string[] }
  | { kind: 'planned'; doctor: CheckOutcome[]; title: string; plan: PlannedStepView[] }
  | { kind: 'declined'; doctor: CheckOutcome[]; title: string; plan: PlannedStepView[] }
  | {
      kind: 'ran';
      doctor: CheckOutcome[];
      title: string;
      plan: PlannedStepView[];
      result: SetupResult;
      /** Earlier unfinished runs undone on the way, when the user said yes. */
      undone: UndoRunResult[];
      /** Who connects to what, for the connection code. */
      connection?: SetupConnection;
      /** The command that finishes a hand-off from inside the network (only when a step was handed off). */
      resume?: string;
    };
