/**
 * `firewall-temp` and `firewall-temp-remove`, one pair for every database kind: when the server's
 * firewall refuses this machine, a rule `sc-doctor-<run id>` for the address the refusal names (else
 * the public IP the doctor found), for the database steps only. It is always removed: by
 * `firewall-temp-remove` at the end of a run that succeeded, and by undo when the run fails or is
 * stopped. What differs by kind (how a login is refused, the plan's words, the `az` command, the ARM
 * write) is the kind's adapter's (source/databases/<kind>/firewall.ts and arm.ts).
 */
import { enumIs } from '../azure/enums.ts';
import { armIds } from '../azure/resource-id.ts';
import type { Services } from '../core/services.ts';
import type { DatabaseAdapter } from '../databases/adapter.ts';
import type { LoginTarget } from '../databases/login.ts';
import type { NetworkVerdict } from '../doctor/network-probe.ts';
import { is, type RecordSchema } from '../engine/record-schema.ts';
import type { Step, UndoContext, UndoRecord, UndoResult } from '../engine/step.ts';
import { NO_RECORD, noCommands, nothingToUndo, planned } from '../engine/step-registry.ts';
import { envOf, type SetupStep } from './step-env.ts';

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

/** The temporary rule's definition for a kind: removed through its ARM, or by hand with its `az`. */
export function firewallTemp(kind: DatabaseAdapter): SetupStep<FirewallRecord> {
  return {
    id: FIREWALL_TEMP,
    title: 'Temporary firewall rule',
    record: FIREWALL_RECORD,
    undo: (ctx, record) => removeFirewallRule(ctx.services, ctx, kind, record),
    manualUndo: manualFirewallTemp(kind),
  };
}

/** The removal at the end of a run: nothing to undo, the rule stays removed. */
export const firewallTempRemove: SetupStep<UndoRecord> = {
  id: FIREWALL_TEMP_REMOVE,
  title: 'Remove the temporary rule',
  record: NO_RECORD,
  undo: nothingToUndo('the temporary rule stays removed'),
  manualUndo: noCommands,
};

/** Adds the record's rule for exactly its address (followed to its end). */
export async function addFirewallRule(
  services: Services,
  ctx: UndoContext,
  kind: DatabaseAdapter,
  record: FirewallRecord,
): Promise<void> {
  await kind.arm.putFirewallRule(
    services,
    ctx,
    record.server,
    record.rule,
    record.ip,
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
  kind: DatabaseAdapter,
  record: FirewallRecord,
): Promise<UndoResult> {
  if (!isRunRule(record.rule, ctx.runId))
    return {
      status: 'changed-since',
      reason: `the rule ${record.rule} is not one run ${ctx.runId} adds (sc-doctor-${ctx.runId}): left in place`,
    };
  const rule = await kind.arm.readFirewallRule(services, record.server, record.rule, ctx.signal);
  if (!rule) return { status: 'already-gone', reason: `the rule ${record.rule} is gone` };
  const props = rule.properties as { startIpAddress?: string; endIpAddress?: string };
  if (record.ip && (props.startIpAddress !== record.ip || props.endIpAddress !== record.ip))
    return { status: 'changed-since', reason: `the rule ${record.rule} was edited since this run added it` };
  await kind.arm.deleteFirewallRule(
    services,
    ctx,
    record.server,
    record.rule,
    `removing the rule ${record.rule}`,
  );
  return { status: 'undone' };
}

/** The commands that remove the record's rule by hand. */
export function manualFirewallTemp(kind: DatabaseAdapter): (record: FirewallRecord) => string[] {
  return (record) => [kind.firewall.deleteCommand(armIds.firewallRule(record.server, kind, record.rule))];
}

/** What the temporary rule's steps need of a setup. */
export interface FirewallInput extends LoginTarget {
  server: LoginTarget['server'] & {
    id: string;
    name: string;
    publicNetworkAccess?: string | null;
    delegatedSubnetId?: string | null;
  };
  database: string;
  networkPath?: NetworkVerdict;
  /** This machine's public address as the doctor found it, used when the refusal names none. */
  publicIp?: string;
}

/**
 * A server reachable only privately: public access off, or (flexible servers) VNet-integrated, whose
 * firewall rules do not apply.
 */
export function privateAccess(server: FirewallInput['server']): boolean {
  return enumIs(server.publicNetworkAccess, 'Disabled') || Boolean(server.delegatedSubnetId);
}

/**
 * The step that adds the rule when, and only when, a login is refused by the firewall. It comes after
 * `after` (the Entra admin, so the login can succeed at all).
 */
export function firewallTempStep(
  input: FirewallInput,
  services: Services,
  kind: DatabaseAdapter,
  after: string[],
): Step<FirewallRecord> {
  const { server } = input;
  let ip: string | undefined;
  return planned(
    firewallTemp(kind),
    {
      title: `Temporary firewall rule on ${server.name}`,
      resource: server.id,
      after,
      async preview(ctx) {
        if (privateAccess(server))
          return [`none: ${server.name} takes no firewall rules (public access off), so none is added`];
        return kind.firewall.planLines(services, server, ctx.signal);
      },
      async isDone(ctx) {
        // A rule cannot open a server without public access: none is added, also by `--resume` from
        // inside its network, where a refusal means something else.
        if (input.networkPath === 'private-network' || privateAccess(server)) return true;
        const refusal = await refusalOf(services, kind, input, ctx.signal);
        if (!refusal) return true;
        ip = refusal.ip ?? input.publicIp;
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
        await addFirewallRule(services, ctx, kind, record);
        return record;
      },
    },
    envOf(services, input),
  );
}

/** Logs in once: null when the firewall lets this machine in (or refuses for another reason, which no rule helps). */
async function refusalOf(
  services: Services,
  kind: DatabaseAdapter,
  input: FirewallInput,
  signal: AbortSignal,
): Promise<{ ip: string | undefined } | null> {
  try {
    await kind.firewall.probe(services, input, input.database, signal);
    return null;
  } catch (error) {
    return kind.firewall.refusal(error);
  }
}

/** The last step of a run: removes the rule `firewall-temp` added (undo removes it on a failure). */
export function firewallTempRemoveStep(
  input: Pick<FirewallInput, 'server' | 'connectTo'>,
  services: Services,
  kind: DatabaseAdapter,
  after: string[],
): Step {
  const { server } = input;
  return planned(
    firewallTempRemove,
    {
      title: `Remove the temporary firewall rule on ${server.name}`,
      resource: server.id,
      after: [FIREWALL_TEMP, ...after],
      preview: () => ['remove the temporary firewall rule, if one was added'],
      async isDone(ctx) {
        return ctx.outcomeOf(FIREWALL_TEMP) !== 'applied';
      },
      async apply(ctx) {
        const rule = `sc-doctor-${ctx.runId}`;
        await removeFirewallRule(services, ctx, kind, {
          server: server.id,
          serverName: server.name,
          rule,
          ip: '',
        });
        // Nothing to put back: the rule was only ever meant to live during the run.
        return { removed: rule };
      },
    },
    envOf(services, input),
  );
}

/**
 * Runs `body` (an undo that logs in to the server), opening the firewall for it when it refuses this
 * machine: a finished run undone later has lost its temporary rule, so a rule
 * `sc-doctor-<run id>-undo` for the address the refusal names lives for the undo only, removed after
 * it, success or failure. Never on a server with public access off or in a virtual network: firewall
 * rules do not open those.
 */
export async function withOpenFirewall<T>(
  services: Services,
  ctx: UndoContext,
  kind: DatabaseAdapter,
  server: { id: string; name: string },
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const ip = kind.firewall.refusal(error)?.ip;
    if (!ip) throw error;
    const resource = await kind.arm.readServer(services, server.id, 'reading the server', ctx.signal);
    if (resource && privateAccess(kind.serverFacts(resource)))
      throw new Error(
        `${(error as Error).message} (${server.name} takes no firewall rules: public access is off; undo from inside its network)`,
      );
    const rule: FirewallRecord = {
      server: server.id,
      serverName: server.name,
      rule: `sc-doctor-${ctx.runId}-undo`,
      ip,
    };
    ctx.progress(`opening the firewall for ${ip} during the undo`);
    await addFirewallRule(services, ctx, kind, rule);
    try {
      return await body();
    } finally {
      await removeFirewallRule(services, ctx, kind, rule);
    }
  }
}
