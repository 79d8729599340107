/**
 * When an Azure SQL server firewall rule takes effect. Learn ("Azure SQL Database and Azure Synapse IP
 * firewall rules", and the text of error 40615 itself): a new or changed rule "may take up to five
 * minutes" to apply, so logins from its addresses keep failing with 40615 meanwhile. The twin delays a
 * rule written while `World.sqlFirewallRuleDelayMs` is on by that long. The time is kept beside the
 * store (one map per twin), never in the rule's ARM body, which stays exactly what Azure returns.
 */
import type { ArmResource, ResourceStore } from '../api.ts';

const appliesAt = new WeakMap<object, Map<string, number>>();

/** Records that `rule` (written at `nowMs`) applies only after `delayMs`. */
export function ruleWritten(store: ResourceStore, rule: ArmResource, nowMs: number, delayMs: number): void {
  const rules = appliesAt.get(store) ?? new Map<string, number>();
  appliesAt.set(store, rules);
  if (delayMs > 0) rules.set(rule.id.toLowerCase(), nowMs + delayMs);
  else rules.delete(rule.id.toLowerCase());
}

/** True once `rule` admits logins: always for a rule written without a delay. */
export function ruleApplied(store: Pick<ResourceStore, 'get'>, rule: ArmResource, nowMs: number): boolean {
  const at = appliesAt.get(store)?.get(rule.id.toLowerCase());
  return at === undefined || nowMs >= at;
}
