/**
 * What the target checks learn and share through `needs`: the `server` check puts a `ServerFacts`
 * (source/databases/facts.ts) under `data.server`, the `app-identity` check an `AppFacts` under
 * `data.app`. Later checks (network path, firewall, RBAC, Entra, app settings, database user) and the
 * setup read these instead of asking Azure again. Plain JSON only: they appear in `--json` output, so
 * never a token or a secret.
 */
import type { AppKind } from '../azure/resource-id.ts';

/** One user-assigned identity attached to an app. */
export interface UserIdentityFacts {
  /** ARM id of the Microsoft.ManagedIdentity/userAssignedIdentities resource. */
  id: string;
  principalId: string | null;
  clientId: string | null;
}

/** An app as the `app-identity` check found it (`data.app`). */
export interface AppFacts {
  kind: AppKind;
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string | null;
  /** The system-assigned identity, or null when it is off. */
  systemIdentity: { principalId: string; tenantId: string | null } | null;
  userIdentities: UserIdentityFacts[];
  /**
   * The subnet the app's outbound traffic leaves from: `virtualNetworkSubnetId` of a web app, the
   * Container Apps environment's `vnetConfiguration.infrastructureSubnetId`; null when not integrated.
   */
  outboundSubnetId: string | null;
  /**
   * A container app's containers, by name (`properties.template.containers`): Service Connector
   * writes the settings to one of them (the linker's `scope`). Absent for the other kinds.
   */
  containers?: string[];
}
