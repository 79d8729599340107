/**
 * A flexible server's `properties.state` gates what ARM lets callers do with it, as the PostgreSQL and
 * MySQL RPs do. The stored server's `properties.state` is the one source of truth: the database layer
 * behind the twin reads it too (a stopped server refuses connections).
 *
 * What each RP answers, and where that is known from (azure-refusals.md in the project notes has the
 * captures; fixtures/SOURCES.md lists what is not documented and which neighbour was picked):
 * - PostgreSQL, server busy (an operation in flight): 409 `ServerIsBusy` "Cannot complete operation while
 *   server '<name>' is busy processing another operation. Try again later." (Azure/azure-postgresql#134,
 *   api-version 2025-08-01; 409 presumed).
 * - PostgreSQL, server stopped: no write refusal was ever captured; the documented neighbour is the read
 *   of configurations on a stopped server, 400 `ServerStoppedError` (turbot/steampipe-plugin-azure#1015).
 * - PostgreSQL, stop while not started: the operation ends Failed with `ServerIsNotReady` "Restart or Stop
 *   Server can only be performed on Started servers. Sever Name = <name>, Current Server State = <state>"
 *   (hashicorp/terraform-provider-azurerm#29219; "Sever" is Azure's).
 * - MySQL, any operation the state does not allow: 409 `ServerUnavailableForOperation` "Operation
 *   '<OpName>' cannot be performed as server '<name>' is currently in state '<state>'."
 *   (turbot/steampipe-plugin-azure#859, captured for `GetServerParameters` on a stopped server; the
 *   operation names of writes and the busy case are not documented: the same template is used).
 */
import { type ArmResource, AzureError, type LroOutcome, type ResourceStore } from '../api.ts';

/** States in which a flexible server is running an operation of its own. */
const BUSY = new Set(['updating', 'starting', 'stopping', 'restarting', 'dropping']);
/** States in which a flexible server is not running. */
const DOWN = new Set(['stopped', 'disabled']);

export function serverState(server: ArmResource): string {
  return String(server.properties?.state ?? 'Ready');
}

/** How one RP refuses operations by server state. */
export interface StateGate {
  /**
   * The refusal for `operation` (the RP's operation name, e.g. `UpdateServer`) on `server`, or undefined
   * when its state allows it. `read` is true for the reads the RP gates (server parameters).
   */
  refusal(server: ArmResource, operation: string, read: boolean): AzureError | undefined;
}

export function postgresServerBusy(server: ArmResource): AzureError {
  return new AzureError(
    409,
    'ServerIsBusy',
    `Cannot complete operation while server '${server.name}' is busy processing another operation. Try again later.`,
  );
}

export function postgresServerStopped(server: ArmResource): AzureError {
  return new AzureError(
    400,
    'ServerStoppedError',
    `The operation cannot be performed because server '${server.name}' is in state '${serverState(server)}'. Start the server and try again.`,
  );
}

/** The failure a PostgreSQL stop (or restart) ends with when the server is not started. */
export function postgresServerNotReady(server: ArmResource): AzureError {
  return new AzureError(
    400,
    'ServerIsNotReady',
    `Restart or Stop Server can only be performed on Started servers. Sever Name = ${server.name}, Current Server State = ${serverState(server)}`,
  );
}

export function mysqlUnavailable(server: ArmResource, operation: string): AzureError {
  return new AzureError(
    409,
    'ServerUnavailableForOperation',
    `Operation '${operation}' cannot be performed as server '${server.name}' is currently in state '${serverState(server)}'.`,
  );
}

export const POSTGRES_GATE: StateGate = {
  refusal(server, _operation, read) {
    const state = serverState(server).toLowerCase();
    // Configurations could not be read while Stopped, Stopping or Updating (the steampipe capture).
    if (read) return DOWN.has(state) || BUSY.has(state) ? postgresServerStopped(server) : undefined;
    if (BUSY.has(state)) return postgresServerBusy(server);
    if (DOWN.has(state)) return postgresServerStopped(server);
    return undefined;
  },
};

export const MYSQL_GATE: StateGate = {
  refusal(server, operation, read) {
    const state = serverState(server).toLowerCase();
    if (read) return DOWN.has(state) ? mysqlUnavailable(server, operation) : undefined;
    return state === 'ready' ? undefined : mysqlUnavailable(server, operation);
  },
};

/**
 * Puts `server` into `during` (e.g. `Updating`) now and returns the LRO `settle` that restores the state
 * it had when the operation did not succeed (on success the work has set the state it wants).
 */
export function holdState(
  store: ResourceStore,
  server: ArmResource,
  during: string,
): (outcome: LroOutcome) => void {
  const previous = serverState(server);
  const current = store.get(server.id) ?? server;
  store.put({ ...current, properties: { ...current.properties, state: during } });
  return (outcome) => {
    if (outcome === 'Succeeded') return;
    const now = store.get(server.id);
    if (now) store.put({ ...now, properties: { ...now.properties, state: previous } });
  };
}

/** Sets the stored server's state (the end of a start, stop or update). */
export function setServerState(store: ResourceStore, serverId: string, state: string): void {
  const now = store.get(serverId);
  if (now) store.put({ ...now, properties: { ...now.properties, state } });
}
