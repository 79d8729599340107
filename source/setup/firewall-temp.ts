/**
 * `firewall-temp` and `firewall-temp-remove`, the same for every database kind: when the server's
 * firewall refuses this machine, a rule `sc-doctor-<run id>` for the address the refusal names (else
 * the public IP the doctor found), for the database steps only. It is always removed: by
 * `firewall-temp-remove` at the end of a run that succeeded, and by undo when the run fails or is
 * stopped. Each kind brings how it logs in to tell a refusal, its api-version and its `az` command.
 */

import { readArm, writeArm } from '../azure/arm-calls.ts';
import { enumIs } from '../azure/enums.ts';
import { checkedName } from '../azure/resource-id.ts';
import type { Services } from '../core/services.ts';
import type { NetworkVerdict } from '../doctor/network-probe.ts';
import { is, type RecordSchema } from '../engine/record-schema.ts';
import type { Step, UndoRecord } from '../engine/step.ts';

export interface FirewallRecord extends UndoRecord {
  server: string;
  serverName: string;
  rule: string;
  ip: string;
}

/**
 * The record as `undo` accepts it from a journal: the run's server, the rule named for the run
 * (`sc-doctor-<run id>`, its mark) and the one address it was added for.
 */
export const FIREWALL_RECORD: RecordSchema<FirewallRecord> = {
  server: is.target(),
  serverName: is.text(),
  rule: is.runRule(),
  ip: is.ip(),
};

/** True for the rules a run adds: `sc-doctor-<run id>`, and `-undo` for the time of a later undo. */
export function isRunRule(rule: string, runId: string): boolean {
  return rule === `sc-doctor-${runId}` || rule === `sc-doctor-${runId}-undo`;
}

/** Step ids: the step that adds the rule, and the last step of a run, which removes it. */
export const FIREWALL_TEMP = 'firewall-temp';
export const FIREWALL_TEMP_REMOVE = 'firewall-temp-remove';

/** What one login attempt says about the firewall: open, or closed for the address it names. */
export type FirewallProbe = (
  signal: AbortSignal,
) => Promise<{ open: true } | { open: false; ip: string | undefined }>;

type UndoContext = Parameters<Step['undo']>[0];
type UndoResult = Awaited<ReturnType<Step['undo']>>;

/** The ARM path of the rule `rule` on `server` (an id). */
export const firewallRulePath = (server: string, rule: string) =>
  `${server}/firewallRules/${checkedName('firewall-rule', rule)}`;

/** Adds the record's rule for exactly its address (followed to its end). */
export async function addFirewallRule(
  services: Services,
  ctx: UndoContext,
  apiVersion: string,
  record: FirewallRecord,
): Promise<void> {
  await writeArm(
    services,
    ctx,
    'PUT',
    firewallRulePath(record.server, record.rule),
    apiVersion,
    { properties: { startIpAddress: record.ip, endIpAddress: record.ip } },
    `adding the temporary firewall rule ${record.rule} on ${record.serverName}`,
  );
}

/**
 * Removes the record's rule unless it was edited since (an empty `ip` removes it whatever it holds).
 * Only a rule named for this run is ever removed: any other name is someone else's rule.
 */
export async function removeFirewallRule(
  services: Services,
  ctx: UndoContext,
  apiVersion: string,
  record: FirewallRecord,
): Promise<UndoResult> {
  if (!isRunRule(record.rule, ctx.runId))
    return {
      status: 'changed-since',
      reason: `the rule ${record.rule} is not one run ${ctx.runId} adds (sc-doctor-${ctx.runId}): left in place`,
    };
  const path = firewallRulePath(record.server, record.rule);
  const rule = await readArm(services, path, apiVersion, `reading the rule ${record.rule}`, ctx.signal);
  if (!rule) return { status: 'already-gone', reason: `the rule ${record.rule} is gone` };
  const props = rule.properties as { startIpAddress?: string; endIpAddress?: string };
  if (record.ip && (props.startIpAddress !== record.ip || props.endIpAddress !== record.ip))
    return { status: 'changed-since', reason: `the rule ${record.rule} was edited since this run added it` };
  await writeArm(services, ctx, 'DELETE', path, apiVersion, undefined, `removing the rule ${record.rule}`);
  return { status: 'undone' };
}

/** What `firewall-temp` needs to know about one kind of server. */
export interface TemporaryRuleSpec {
  /** The server; its public access and VNet integration say whether a firewall rule can open it at all. */
  server: {
    id: string;
    name: string;
    publicNetworkAccess?: string | null;
    delegatedSubnetId?: string | null;
  };
  networkPath?: NetworkVerdict;
  /** This machine's public address as the doctor found it, used when the refusal names none. */
  publicIp?: string;
  apiVersion: string;
  /** The step ids the probe waits for (the Entra admin, so the login can succeed at all). */
  after: string[];
  probe: FirewallProbe;
  preview: Step<FirewallRecord>['preview'];
  /** The commands that remove the rule by hand. */
  manualUndo: (record: FirewallRecord) => string[];
}

/**
 * A server reachable only privately: public access off, or (flexible servers) VNet-integrated, whose
 * firewall rules do not apply.
 */
export function privateAccess(server: TemporaryRuleSpec['server']): boolean {
  return enumIs(server.publicNetworkAccess, 'Disabled') || Boolean(server.delegatedSubnetId);
}

/** The step that adds the rule when, and only when, a login is refused by the firewall. */
export function temporaryRuleStep(spec: TemporaryRuleSpec, services: Services): Step<FirewallRecord> {
  const { server } = spec;
  let ip: string | undefined;
  return {
    id: FIREWALL_TEMP,
    title: `Temporary firewall rule on ${server.name}`,
    resource: server.id,
    after: spec.after,
    async preview(ctx) {
      if (privateAccess(server))
        return [`none: ${server.name} takes no firewall rules (public access off), so none is added`];
      return spec.preview(ctx);
    },
    async isDone(ctx) {
      // A rule cannot open a server without public access: none is added, also by `--resume` from
      // inside its network, where a refusal means something else.
      if (spec.networkPath === 'private-network' || privateAccess(server)) return true;
      const probe = await spec.probe(ctx.signal);
      if (probe.open) return true;
      ip = probe.ip ?? spec.publicIp;
      if (!ip)
        throw new Error(
          `${server.name}'s firewall refuses this machine and its address is unknown: add a rule for it, or connect through --connect-to`,
        );
      return false;
    },
    async apply(ctx) {
      const record: FirewallRecord = {
        server: server.id,
        serverName: server.name,
        rule: `sc-doctor-${ctx.runId}`,
        ip: ip!,
      };
      await ctx.checkpoint(record);
      ctx.progress(`allowing ${record.ip}`);
      await addFirewallRule(services, ctx, spec.apiVersion, record);
      return record;
    },
    undo: (ctx, record) => removeFirewallRule(services, ctx, spec.apiVersion, record),
    manualUndo: spec.manualUndo,
  };
}

/** The last step of a run: removes the rule `firewall-temp` added (undo removes it on a failure). */
export function temporaryRuleRemoveStep(
  server: { id: string; name: string },
  apiVersion: string,
  services: Services,
  after: string[],
): Step {
  return {
    id: FIREWALL_TEMP_REMOVE,
    title: `Remove the temporary firewall rule on ${server.name}`,
    resource: server.id,
    after: [FIREWALL_TEMP, ...after],
    preview: () => ['remove the temporary firewall rule, if one was added'],
    async isDone(ctx) {
      return ctx.outcomeOf(FIREWALL_TEMP) !== 'applied';
    },
    async apply(ctx) {
      const rule = `sc-doctor-${ctx.runId}`;
      await removeFirewallRule(services, ctx, apiVersion, {
        server: server.id,
        serverName: server.name,
        rule,
        ip: '',
      });
      // Nothing to put back: the rule was only ever meant to live during the run.
      return { removed: rule };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the temporary rule stays removed' }),
    manualUndo: () => [],
  };
}
