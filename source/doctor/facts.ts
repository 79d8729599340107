/**
 * What the target checks learn and share through `needs`: the `server` check puts a `ServerFacts`
 * (source/databases/facts.ts) under `data.server`, the `app-identity` check an `AppFacts` under
 * `data.app`. Later checks (network path, firewall, RBAC, Entra, app settings, database user) and the
 * setup read these instead of asking Azure again. Plain JSON only: they appear in `--json` output, so
 * never a token or a secret.
 */
import type { AppKind } from '../azure/resource-id.ts';
import type { CheckContext, CheckOutcome } from '../core/types.ts';
import type { EntraFacts } from '../databases/entra.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { AppServicePrincipal } from './app-service-principal.ts';
import type { FirewallFacts } from './firewall.ts';
import type { NetworkPathFacts } from './network-probe.ts';

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

/** Who signed in, as the `signin` check found them (`data`); failure details instead when it failed. */
export interface SigninFacts {
  user?: string | null;
  userType?: 'user' | 'servicePrincipal' | 'managedIdentity' | 'unknown';
  tenantId?: string | null;
  objectId?: string | null;
  defaultSubscriptionId?: string | null;
  credential?: string;
  cloud?: string;
  /** Why it failed: the kind of failure and its AADSTS code, when it did. */
  failure?: string;
  aadsts?: string;
  [trace: string]: unknown;
}

/**
 * What the checks whose findings other checks and setup read publish as their outcome's `data` (the
 * `data` of `--json` too), by check id. A check builds its data with `published(id, ...)`, so it
 * cannot publish anything else; readers take it with `factsOf`, the one place an outcome's `data`
 * becomes its check's facts.
 */
export interface PublishedFacts {
  server: {
    server?: ServerFacts;
    /** Azure refused to show the server (403): where, and which kinds could not be read. */
    unreadable?: { scope: string; kinds: DatabaseKind[]; name: string };
  };
  'app-identity': { app?: AppFacts };
  signin: SigninFacts;
  subscription: {
    subscriptionId?: string;
    displayName?: string | null;
    state?: string;
    tenantId?: string | null;
    source?: string;
  };
  firewall: { firewall?: FirewallFacts };
  'network-path': { network?: NetworkPathFacts };
  'entra-config': EntraFacts;
  'app-settings': {
    keys?: string[];
    hidden?: string[];
    /** The database user the app's settings name, when they name one. */
    user?: string | null;
    connection?: unknown;
    /** The service principals the app's settings or Service Connector connections sign in as. */
    servicePrincipals?: AppServicePrincipal[];
  };
}

/** The data check `id` publishes, typed: what `published` returns is what `factsOf` reads. */
export function published<K extends keyof PublishedFacts>(
  _id: K,
  data: PublishedFacts[K],
): PublishedFacts[K] {
  return data;
}

/** Where published facts are read from: a check's context, or the outcomes of a finished doctor. */
export type FactsSource = Pick<CheckContext<unknown>, 'outcomeOf'> | readonly CheckOutcome[];

/** The facts check `id` published, or undefined when it did not run (or publishes nothing). */
export function factsOf<K extends keyof PublishedFacts>(
  from: FactsSource,
  id: K,
): PublishedFacts[K] | undefined {
  const outcome = 'outcomeOf' in from ? from.outcomeOf(id) : from.find((o) => o.id === id);
  // Each of these checks builds its data with `published(id, ...)`: the one cast from outcome to facts.
  return outcome?.data as PublishedFacts[K] | undefined;
}
