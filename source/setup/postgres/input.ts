/**
 * What the PostgreSQL setup flow is given: the doctor's facts about the server and the app, the auth
 * the app will use and how the connection is registered. Never a secret: a service principal's
 * secret is read from the environment or the prompter when the step needs it.
 */
import type { ConnectToMap } from '../../core/connect-to.ts';
import { APP_API_VERSIONS } from '../../doctor/app-identity.ts';
import type { AppFacts, ServerFacts } from '../../doctor/facts.ts';
import type { NetworkVerdict } from '../../doctor/network-probe.ts';
import { SERVER_API_VERSIONS } from '../../doctor/server-api.ts';
import type { ClientType } from '../../snippets/types.ts';

/** Which identity the app connects as. */
export type PostgresAuth =
  | { kind: 'system' }
  | { kind: 'user'; clientId: string; subscriptionId?: string }
  /** The secret is never here: `SC_DOCTOR_APP_CLIENT_SECRET` in `services.env`, else the prompter's `secret()`. */
  | { kind: 'sp'; clientId: string };

export interface PostgresSetupInput {
  server: ServerFacts;
  /** The database the app uses (created beforehand; `postgres` works too). */
  database: string;
  app: AppFacts;
  auth: PostgresAuth;
  clientType: ClientType;
  /** The role name; `aad_<connection>` as the Azure CLI names it otherwise. */
  dbUser?: string;
  /** The linker's name; `postgresflexible_<random>`-like default from the CLI otherwise. */
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
  /** Where a psql hand-off script goes (for someone inside the network, or for the database owner). */
  handOffDir?: string;
  grants: 'least' | 'owner';
  /** The doctor's network-path verdict; `private-network` hands the database statements off. */
  networkPath?: NetworkVerdict;
  /** The doctor saw Entra authentication already on: enabling it needs no consent. */
  entraAuthEnabled?: boolean;
  /**
   * The doctor found the role mapped to another object id (a stale identity): set to ask consent to
   * drop and re-create it. Without it, a stale role stops the run with a message.
   */
  staleRoleObjectId?: string;
}

/**
 * Api-versions of the setup's reads and writes: the server and the apps at the versions the doctor
 * reads them with, so a resource setup writes is read back in the shape the doctor expects.
 */
export const API = {
  postgres: SERVER_API_VERSIONS.postgres.server,
  ...APP_API_VERSIONS,
  identities: '2023-01-31',
  linker: '2024-04-01',
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role name: `--db-user`, else the Azure CLI's `aad_<connection>`. */
export function roleNameOf(input: PostgresSetupInput): string {
  return input.dbUser ?? `aad_${connectionNameOf(input)}`;
}

/** The linker name: `--connection`, else one derived from the database like the Azure CLI's default. */
export function connectionNameOf(input: PostgresSetupInput): string {
  if (input.connectionName) return input.connectionName;
  const safe = input.database.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40);
  return `postgresflexible_${safe}`;
}

/**
 * `--no-linker` writes web app settings only. A container app's env and a Spring app's deployment
 * env are rewritten whole (a new revision, a redeploy), so those go through Service Connector, which
 * writes the deployment's environment variables of a Spring app itself.
 */
export function noLinkerProblems(input: PostgresSetupInput): string[] {
  if (input.linker || input.app.kind === 'webapp') return [];
  if (input.app.kind === 'spring')
    return [
      "--no-linker cannot write a Spring app's settings (they live in the environment variables of its active deployment): leave it out so Service Connector writes them",
    ];
  return ['--no-linker writes the settings of web apps only: leave it out to use Service Connector'];
}

/** Checks names before any step is built: a clear message for what Azure or PostgreSQL would refuse. */
export function problemsOf(input: PostgresSetupInput): string[] {
  const problems: string[] = [];
  const role = roleNameOf(input);
  // PostgreSQL truncates identifiers to 63 bytes: the role would silently get another name.
  if (Buffer.byteLength(role, 'utf8') > 63)
    problems.push(`the role name "${role}" is longer than PostgreSQL's 63 bytes: choose a shorter --db-user`);
  if (Buffer.byteLength(input.database, 'utf8') > 63)
    problems.push(`the database name "${input.database}" is longer than PostgreSQL's 63 bytes`);
  // A control character (newline, NUL) would break the lines of the hand-off script and PostgreSQL's logs.
  for (const [what, name] of [
    ['role', role],
    ['database', input.database],
  ] as const) {
    if (/[\u0000-\u001f\u007f]/.test(name))
      problems.push(`the ${what} name may not contain control characters`);
  }
  problems.push(...noLinkerProblems(input));
  if (input.auth.kind !== 'system' && !GUID.test(input.auth.clientId))
    problems.push(
      `client-id ${JSON.stringify(input.auth.clientId)} is not a GUID: give the identity's client (application) id`,
    );
  if (input.linker && !/^[A-Za-z0-9_.]{1,128}$/.test(connectionNameOf(input)))
    problems.push(
      `the connection name "${connectionNameOf(input)}" is not valid for Service Connector: use letters, digits, '_' and '.'`,
    );
  return problems;
}
