/**
 * What every setup flow is given, whatever the database: the doctor's facts about the server and the
 * app, the auth the app will use and how the connection is registered. A kind's flow extends it with
 * what only it needs (`<kind>/input.ts`). Never a secret: a service principal's secret is read from
 * the environment or the prompter when a step needs it.
 */
import type { ConnectToMap } from '../core/connect-to.ts';
import { descriptorOf } from '../databases/descriptors.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import { APP_API_VERSIONS } from '../doctor/app-identity.ts';
import type { AppFacts } from '../doctor/facts.ts';
import type { NetworkVerdict } from '../doctor/network-probe.ts';
import type { ClientType } from '../snippets/types.ts';

/** Which identity the app connects as. */
export type AppAuth =
  | { kind: 'system' }
  | { kind: 'user'; clientId: string; subscriptionId?: string }
  /** The secret is never here: `SC_DOCTOR_APP_CLIENT_SECRET` in `services.env`, else the prompter's `secret()`. */
  | { kind: 'sp'; clientId: string };

export interface SetupInput {
  server: ServerFacts;
  /** The database the app uses (created beforehand; `postgres` works too). */
  database: string;
  app: AppFacts;
  auth: AppAuth;
  clientType: ClientType;
  /** The database user's name; the kind's default (the Azure CLI's `aad_<connection>`) otherwise. */
  dbUser?: string;
  /** The linker's name; the Azure CLI's default for the kind otherwise (`connectionNameOf`). */
  connectionName?: string;
  /** Register the connection with Service Connector (true) or write the app settings directly. */
  linker: boolean;
  /**
   * Container Apps: the container whose env holds the settings (the linker's `scope`, az's `-c`);
   * the app's only container when absent.
   */
  container?: string;
  /**
   * Who runs setup: becomes an Entra admin of the server and logs in to it. `user` is the name it
   * logs in to the database with: the admin entry's name when it is an admin already (`adminLogin`),
   * else its sign-in name, under which setup makes it an admin. A managed identity is a
   * `servicePrincipal` here, as it is to Entra.
   */
  signedIn: { objectId: string; user: string; type: 'user' | 'servicePrincipal'; tenantId?: string };
  /**
   * The Entra admin entry the caller is an admin through already, as the doctor found it: its own
   * (`direct`) or a group's it belongs to (`group`). `login` is the entry's name, which PostgreSQL
   * and MySQL know the caller by (Azure SQL reads the token: there it is the caller's own name).
   * Setup then adds or replaces no admin, and the plan marks the step as already done.
   */
  adminLogin?: { login: string; via: 'direct' | 'group' };
  /** This machine's public IP when the doctor found it (for the temporary firewall rule). */
  publicIp?: string;
  connectTo?: ConnectToMap;
  /** Where a hand-off script goes (for someone inside the network, or for the database's owner). */
  handOffDir?: string;
  grants: 'least' | 'owner';
  /** The doctor's network-path verdict; `private-network` hands the database statements off. */
  networkPath?: NetworkVerdict;
  /** The doctor saw Entra authentication already on: enabling it needs no consent. */
  entraAuthEnabled?: boolean;
  /** `names-only` (the MCP server): consents name the app settings they change, never their values. */
  settingValues?: 'shown' | 'names-only';
}

/**
 * Api-versions of the app-platform reads and writes: the apps at the versions the doctor reads them
 * with, so a resource setup writes is read back in the shape the doctor expects.
 */
export const API = {
  ...APP_API_VERSIONS,
  linker: '2024-04-01',
} as const;

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The linker name: `--connection`, else the Azure CLI's default for the kind: its prefix
 * (`postgresflexible_`, `mysqlflexible_`, `sql_`) and the database name made safe.
 */
export function connectionNameOf(
  input: Pick<SetupInput, 'connectionName' | 'database'> & { server?: Pick<SetupInput['server'], 'kind'> },
  kind: DatabaseKind = input.server!.kind,
): string {
  if (input.connectionName) return input.connectionName;
  const safe = input.database.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40);
  return `${descriptorOf(kind).linkerPrefix}${safe}`;
}

/**
 * `--no-linker` writes web app settings only. A container app's env and a Spring app's deployment
 * env are rewritten whole (a new revision, a redeploy), so those go through Service Connector, which
 * writes the deployment's environment variables of a Spring app itself.
 */
export function noLinkerProblems(input: SetupInput): string[] {
  if (input.linker || input.app.kind === 'webapp') return [];
  if (input.app.kind === 'spring')
    return [
      "--no-linker cannot write a Spring app's settings (they live in the environment variables of its active deployment): leave it out so Service Connector writes them",
    ];
  return ['--no-linker writes the settings of web apps only: leave it out to use Service Connector'];
}

/** The linker name, when there is a linker, as Service Connector takes it. */
export function linkerNameProblems(input: SetupInput): string[] {
  if (!input.linker || /^[A-Za-z0-9_.]{1,128}$/.test(connectionNameOf(input))) return [];
  return [
    `the connection name "${connectionNameOf(input)}" is not valid for Service Connector: use letters, digits, '_' and '.'`,
  ];
}
