/**
 * A database server as the doctor's `server` check found it (`data.server`): the facts later checks
 * and setup read instead of asking Azure again. Plain JSON only: they appear in `--json` output, so
 * never a token or a secret. Each kind reads its own from the server resource (`<kind>/server-facts.ts`).
 */
import type { DatabaseKind } from './kind.ts';

/** One private endpoint connection of a server, as ARM reports it. */
export interface PrivateEndpointFacts {
  /** ARM id of the private endpoint connection. */
  connectionId: string;
  /** ARM id of the private endpoint (Microsoft.Network/privateEndpoints/...), when known. */
  privateEndpointId: string | null;
  /** `privateLinkServiceConnectionState.status`: Approved, Pending, Rejected, Disconnected. */
  status: string;
  description: string | null;
}

/** A database server as the `server` check found it (`data.server`). */
export interface ServerFacts {
  kind: DatabaseKind;
  /** ARM id as Azure returned it. */
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string | null;
  /** `fullyQualifiedDomainName`, e.g. `pg-orders.postgres.database.azure.com`. */
  fqdn: string;
  /** The port an app connects to: 5432, 3306 or 1433. */
  port: number;
  /** `state` (`Ready`, `Stopped`, ... for flexible servers; `Ready` for SQL). */
  state: string;
  version: string | null;
  /** `Enabled`, `Disabled`, or null when the server does not say. */
  publicNetworkAccess: string | null;
  /** VNet integration (flexible servers): the delegated subnet's ARM id. */
  delegatedSubnetId: string | null;
  /** The private DNS zone linked to a VNet-integrated flexible server. */
  privateDnsZoneId: string | null;
  privateEndpoints: PrivateEndpointFacts[];
  /** PostgreSQL's `authConfig` (`Enabled`/`Disabled` each); null for MySQL and SQL, or when absent. */
  authConfig: { activeDirectoryAuth: string | null; passwordAuth: string | null } | null;
  /** The server's own user-assigned identities (MySQL looks Entra principals up through one). */
  serverIdentities: { id: string; principalId: string | null }[];
  /**
   * Azure SQL's Entra admin kind (`properties.administrators.principalType`: User, Group or
   * Application), when the server says; absent for the flexible servers.
   */
  entraAdminType?: string | null;
  /**
   * Azure SQL's server identity, the one it reads Microsoft Graph as when a service principal or
   * managed identity creates Entra users: the user-assigned identity `primaryUserAssignedIdentityId`
   * names, else the system-assigned one; null when the server has none. Absent for the flexible servers.
   */
  sqlServerIdentity?: { kind: 'system' | 'user'; id: string | null; principalId: string | null } | null;
  /**
   * PostgreSQL's password admin (`administratorLogin`), which owns the databases made through ARM;
   * null when the server has none (they then belong to azuresu). Absent for MySQL and SQL.
   */
  administratorLogin?: string | null;
  /** The database named by `--database`, when one was given. */
  database: { name: string; exists: boolean } | null;
}
