/**
 * `firewall-temp` and `firewall-temp-remove` for Azure SQL: when the server's firewall refuses this
 * machine (error 40615, which names the address Azure saw), a rule `sc-doctor-<run id>` for exactly
 * that address, for the database steps only, always removed at the end or by undo. The server is
 * never opened to all addresses. The plan also says what the `0.0.0.0` rule is (Azure services, not
 * this machine) and when the Redirect connection policy needs ports 11000-11999.
 */
import type { Services } from '../../core/services.ts';
import { firewallRefusedIp, SqlServerError } from '../../doctor/sql-session.ts';
import { listArm, readArm, writeArm } from '../postgres/azure-calls.ts';
import type { Step, UndoRecord } from '../step.ts';
import { addressOf, withSqlSession } from './database-login.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { SQL_API, type SqlSetupInput } from './input.ts';

export interface SqlFirewallRecord extends UndoRecord {
  server: string;
  serverName: string;
  rule: string;
  ip: string;
}

export const FIREWALL_TEMP = 'firewall-temp';
export const FIREWALL_TEMP_REMOVE = 'firewall-temp-remove';

const rulePath = (server: string, rule: string) => `${server}/firewallRules/${encodeURIComponent(rule)}`;

/** Logs in once: open, or refused by the firewall (with the address it names). */
async function probeFirewall(
  services: Services,
  input: SqlSetupInput,
  signal: AbortSignal,
): Promise<{ open: true } | { open: false; ip: string | undefined }> {
  try {
    await withSqlSession(services, addressOf(input), input.database, signal, async () => {});
    return { open: true };
  } catch (error) {
    if (error instanceof SqlServerError && error.number === 40615)
      return { open: false, ip: firewallRefusedIp(error.message) };
    // Another refusal (no admin yet, a token problem...): a firewall rule would not help.
    return { open: true };
  }
}

/** The plan's lines about the firewall and the connection policy (reads only; a failed read says so). */
async function networkNotes(
  services: Services,
  input: SqlSetupInput,
  signal: AbortSignal,
): Promise<string[]> {
  const { server } = input;
  const notes: string[] = [];
  const [rules, policy] = await Promise.all([
    listArm(
      services,
      `${server.id}/firewallRules`,
      SQL_API.firewallRules,
      'reading the firewall rules',
      signal,
    ).catch(() => undefined),
    readArm(
      services,
      `${server.id}/connectionPolicies/Default`,
      SQL_API.connectionPolicies!,
      'reading the connection policy',
      signal,
    ).catch(() => undefined),
  ]);
  const azureServices = rules?.find((r) => {
    const p = (r.properties ?? {}) as { startIpAddress?: string; endIpAddress?: string };
    return p.startIpAddress === '0.0.0.0' && p.endIpAddress === '0.0.0.0';
  });
  if (azureServices)
    notes.push(
      `the rule ${String(azureServices.name)} (0.0.0.0) admits Azure services, the app's included, not this machine; it stays as it is`,
    );
  const type = (policy?.properties as { connectionType?: string } | undefined)?.connectionType;
  if (type === 'Redirect' || type === 'Default')
    notes.push(
      type === 'Redirect'
        ? "connection policy Redirect: the app must also reach ports 11000-11999 of the database nodes (see the doctor's network-path)"
        : "connection policy Default: an app inside Azure is redirected and must also reach ports 11000-11999 (see the doctor's network-path)",
    );
  return notes;
}

export function sqlFirewallTempStep(input: SqlSetupInput, services: Services): Step<SqlFirewallRecord> {
  const { server } = input;
  let ip: string | undefined;
  return {
    id: FIREWALL_TEMP,
    title: `Temporary firewall rule on ${server.name}`,
    resource: server.id,
    after: [ENTRA_ADMIN],
    async preview(ctx) {
      return [
        `only if ${server.name}'s firewall refuses this machine (error 40615): a rule sc-doctor-<run id> for the one address Azure names, removed at the end; never one for all addresses`,
        ...(await networkNotes(services, input, ctx.signal)),
      ];
    },
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
      const record: SqlFirewallRecord = {
        server: server.id,
        serverName: server.name,
        rule: `sc-doctor-${ctx.runId}`,
        ip: ip!,
      };
      await ctx.checkpoint(record);
      ctx.progress(`allowing ${record.ip}`);
      await addRule(services, ctx, record);
      return record;
    },
    undo: (ctx, record) => removeSqlRule(services, ctx, record),
    manualUndo: (record) => [
      `az sql server firewall-rule delete --ids ${rulePath(record.server, record.rule)}`,
    ],
  };
}

/** The last step: removes the rule `firewall-temp` added (undo removes it when the run fails). */
export function sqlFirewallTempRemoveStep(input: SqlSetupInput, services: Services, after: string[]): Step {
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
      await removeSqlRule(services, ctx, { server: server.id, serverName: server.name, rule, ip: '' });
      // Nothing to put back: the rule was only ever meant to live during the run.
      return { removed: rule };
    },
    undo: async () => ({ status: 'already-gone', reason: 'the temporary rule stays removed' }),
    manualUndo: () => [],
  };
}

export async function addRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlFirewallRecord,
): Promise<void> {
  await writeArm(
    services,
    ctx,
    'PUT',
    rulePath(record.server, record.rule),
    SQL_API.firewallRules,
    { properties: { startIpAddress: record.ip, endIpAddress: record.ip } },
    `adding the temporary firewall rule ${record.rule} on ${record.serverName}`,
  );
}

export async function removeSqlRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlFirewallRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const path = rulePath(record.server, record.rule);
  const rule = await readArm(
    services,
    path,
    SQL_API.firewallRules,
    `reading the rule ${record.rule}`,
    ctx.signal,
  );
  if (!rule) return { status: 'already-gone', reason: `the rule ${record.rule} is gone` };
  const props = rule.properties as { startIpAddress?: string; endIpAddress?: string };
  if (record.ip && (props.startIpAddress !== record.ip || props.endIpAddress !== record.ip))
    return { status: 'changed-since', reason: `the rule ${record.rule} was edited since this run added it` };
  await writeArm(
    services,
    ctx,
    'DELETE',
    path,
    SQL_API.firewallRules,
    undefined,
    `removing the rule ${record.rule}`,
  );
  return { status: 'undone' };
}
