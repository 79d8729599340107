/**
 * A kind of database as the doctor, setup and the snippets ask about it: its descriptor (the data)
 * and the code that is that database's own. Each kind's adapter is `<kind>/index.ts`, registered in
 * index.ts. Heavy parts (drivers) are imported by the adapter's functions when first called.
 */
import type { AzureSession } from '../azure/session.ts';
import type { ServerArm } from './arm.ts';
import type { DatabaseDescriptor } from './descriptor.ts';
import type { EntraCheck } from './entra.ts';
import type { ServerFacts } from './facts.ts';
import type { FirewallPolicy } from './firewall.ts';
import type { UserCheck } from './user-check.ts';

export interface DatabaseAdapter extends DatabaseDescriptor {
  /** The facts of a server resource as ARM returned it. */
  serverFacts(resource: unknown): ServerFacts;
  /**
   * Why setup writes the server resource itself, given the server as found (everything else it
   * writes is a child resource); null when it will not. Without the server, what it might.
   */
  serverWrite(server?: ServerFacts): string | null;
  /** Its ARM operations: the one seam to its resource provider (../arm.ts). */
  arm: ServerArm;
  /** Its firewall as a login meets it: the refusal, the plan's words, the manual command (firewall.ts). */
  firewall: FirewallPolicy;
  /** The doctor's `entra-config` for a server of this kind: Entra on, and the caller an admin (entra.ts). */
  entraConfig: EntraCheck;
  /** The doctor's `database-user` for a server of this kind: the app's user, its mapping and grants (user-check.ts). */
  checkUser: UserCheck;
  /**
   * How the server routes connections, for a kind that lets it choose (Azure SQL: `Default`, `Proxy`
   * or `Redirect`, in the spec's spelling); null when it cannot be read. Absent for the other kinds.
   */
  connectionPolicy?(azure: AzureSession, serverId: string, signal?: AbortSignal): Promise<string | null>;
}
