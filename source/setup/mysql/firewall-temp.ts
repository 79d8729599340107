/**
 * `firewall-temp` and `firewall-temp-remove` for MySQL, as for PostgreSQL: when the server's firewall
 * refuses this machine (ERROR 9000 names the address), a rule `sc-doctor-<run id>` for that address
 * (else the public IP the doctor found), for the database steps only. It is always removed: by
 * `firewall-temp-remove` when the run succeeded, by undo when it fails or is stopped.
 */
import type { Services } from '../../core/services.ts';
import { readArm, writeArm } from '../postgres/azure-calls.ts';
import type { Step, UndoRecord } from '../step.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { MYSQL_API, type MysqlSetupInput } from './input.ts';
import { type MysqlLogin, mysqlLogIn, mysqlRefusedIp } from './mysql-login.ts';

export interface FirewallRecord extends UndoRecord {
  server: string;
  serverName: string;
  rule: string;
  ip: string;
}

export const FIREWALL_TEMP = 'firewall-temp';
export const FIREWALL_TEMP_REMOVE = 'firewall-temp-remove';

export const rulePath = (server: string, rule: string) =>
  `${server}/firewallRules/${encodeURIComponent(rule)}`;

/** Adds a rule for `ip` named `rule` (followed to its end). */
export async function addRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  server: string,
  rule: string,
  ip: string,
): Promise<void> {
  await writeArm(
    services,
    ctx,
    'PUT',
    rulePath(server, rule),
    MYSQL_API,
    { properties: { startIpAddress: ip, endIpAddress: ip } },
    `adding the temporary firewall rule ${rule}`,
  );
}

/** What a login attempt says about the firewall: open, or closed for an address. */
async function probeFirewall(
  services: Services,
  login: MysqlLogin,
  signal: AbortSignal,
): Promise<{ open: true } | { open: false; ip: string | undefined }> {
  try {
    const connection = await mysqlLogIn(services, login, signal);
    await connection.end().catch(() => {});
    return { open: true };
  } catch (error) {
    const message = (error as Error).message;
    if (/is not allowed to connect to this MySQL server/.test(message))
      return { open: false, ip: mysqlRefusedIp(message) };
    // Another refusal (not the admin yet, a wrong token...): a firewall rule would not help.
    return { open: true };
  }
}

export function firewallTempStep(input: MysqlSetupInput, services: Services): Step<FirewallRecord> {
  const { server } = input;
  let ip: string | undefined;
  return {
    id: FIREWALL_TEMP,
    title: `Temporary firewall rule on ${server.name}`,
    resource: server.id,
    after: [ENTRA_ADMIN],
    preview: () => [
      `only if ${server.name}'s firewall refuses this machine: a rule sc-doctor-<run id> for its address, removed at the end`,
    ],
    async isDone(ctx) {
      if (input.networkPath === 'private-network') return true;
      const probe = await probeFirewall(services, input, ctx.signal);
      if (probe.open) return true;
      ip = probe.ip ?? input.publicIp;
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
      await addRule(services, ctx, server.id, record.rule, record.ip);
      return record;
    },
    undo: (ctx, record) => removeRule(services, ctx, record),
    manualUndo: manualFirewallTemp,
  };
}

/** The commands that reverse the step by hand. */
export function manualFirewallTemp(record: FirewallRecord): string[] {
  return [
    `az mysql flexible-server firewall-rule delete --ids ${rulePath(record.server, record.rule)} --yes`,
  ];
}

/** The last step of a run: removes the rule `firewall-temp` added (undo removes it on a failure). */
export function firewallTempRemoveStep(input: MysqlSetupInput, services: Services, after: string[]): Step {
  const { server } = input;
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
      await removeRule(services, ctx, { server: server.id, serverName: server.name, rule, ip: '' });
      // Nothing to put back: the rule was only ever meant to live during the run.
      return { removed: rule };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the temporary rule stays removed' }),
    manualUndo: () => [],
  };
}

/** Removes the run's rule unless it was edited since. */
export async function removeRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: FirewallRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const path = rulePath(record.server, record.rule);
  const rule = await readArm(services, path, MYSQL_API, `reading the rule ${record.rule}`, ctx.signal);
  if (!rule) return { status: 'already-gone', reason: `the rule ${record.rule} is gone` };
  const props = rule.properties as { startIpAddress?: string; endIpAddress?: string };
  if (record.ip && (props.startIpAddress !== record.ip || props.endIpAddress !== record.ip))
    return { status: 'changed-since', reason: `the rule ${record.rule} was edited since this run added it` };
  await writeArm(services, ctx, 'DELETE', path, MYSQL_API, undefined, `removing the rule ${record.rule}`);
  return { status: 'undone' };
}
