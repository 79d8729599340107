/**
 * A server's firewall as a login meets it, per kind: whether a refused login was the firewall's
 * refusal and which address it names, what the plan says about a temporary rule, and the command
 * that removes one by hand. Setup's `firewall-temp` step and every undo that must log in again ask
 * this (source/setup/firewall-temp.ts); the rule itself is written through the kind's `arm.ts`.
 */
import type { Services } from '../core/services.ts';
import type { LoginTarget } from './login.ts';

export interface FirewallPolicy {
  /** Logs in once as the signed-in account: resolves when the server lets this machine in, else throws its refusal. */
  probe(services: Services, target: LoginTarget, database: string, signal: AbortSignal): Promise<void>;
  /**
   * Whether `error` (from a login) is the firewall refusing this machine: the address it names
   * (undefined when it names none), or null for any other refusal, which no rule would help.
   */
  refusal(error: unknown): { ip: string | undefined } | null;
  /** What the plan says about the temporary rule on `server` (reads only; a failed read says less). */
  planLines(services: Services, server: { id: string; name: string }, signal: AbortSignal): Promise<string[]>;
  /** The command a person runs to remove the rule `ruleId` (an ARM id). */
  deleteCommand(ruleId: string): string;
}

/** The plan's line for a flexible server: a rule only when refused, for this machine's address. */
export function flexiblePlanLine(server: { name: string }): string {
  return `only if ${server.name}'s firewall refuses this machine: a rule sc-doctor-<run id> for its address, removed at the end`;
}
