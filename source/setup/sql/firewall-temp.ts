/**
 * `firewall-temp` and `firewall-temp-remove` for Azure SQL: when the server's firewall refuses this
 * machine (error 40615, which names the address Azure saw), a rule `sc-doctor-<run id>` for exactly
 * that address, for the database steps only, always removed at the end or by undo. The server is
 * never opened to all addresses. The plan also says what the `0.0.0.0` rule is (Azure services, not
 * this machine) and when the Redirect connection policy needs ports 11000-11999.
 */

import { listArm, readArm } from '../../azure/arm-calls.ts';
import { enumIn, enumIs } from '../../azure/enums.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { withSqlSession } from '../../databases/sql/login.ts';
import { firewallRefusedIp, SqlServerError } from '../../databases/sql/session.ts';
import type { Step } from '../../engine/step.ts';
import {
  addFirewallRule,
  type FirewallRecord,
  firewallRulePath,
  removeFirewallRule,
  temporaryRuleRemoveStep,
  temporaryRuleStep,
} from '../firewall-temp.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { SQL_API, type SqlSetupInput } from './input.ts';

/** The run's rule on an Azure SQL server: the shared record. */
export type SqlFirewallRecord = FirewallRecord;

export { FIREWALL_TEMP, FIREWALL_TEMP_REMOVE } from '../firewall-temp.ts';

/** Logs in once: open, or refused by the firewall (with the address it names). */
async function probeFirewall(
  services: Services,
  input: SqlSetupInput,
  signal: AbortSignal,
): Promise<{ open: true } | { open: false; ip: string | undefined }> {
  try {
    await withSqlSession(services, input, input.database, signal, async () => {});
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
  if (enumIn(type, 'Redirect', 'Default'))
    notes.push(
      enumIs(type, 'Redirect')
        ? "connection policy Redirect: the app must also reach ports 11000-11999 of the database nodes (see the doctor's network-path)"
        : "connection policy Default: an app inside Azure is redirected and must also reach ports 11000-11999 (see the doctor's network-path)",
    );
  return notes;
}

export function sqlFirewallTempStep(input: SqlSetupInput, services: Services): Step<SqlFirewallRecord> {
  const { server } = input;
  return temporaryRuleStep(
    {
      server,
      networkPath: input.networkPath,
      publicIp: input.publicIp,
      apiVersion: SQL_API.firewallRules,
      after: [ENTRA_ADMIN],
      probe: (signal) => probeFirewall(services, input, signal),
      async preview(ctx) {
        return [
          `only if ${server.name}'s firewall refuses this machine (error 40615): a rule sc-doctor-<run id> for the one address Azure names, removed at the end; never one for all addresses`,
          ...(await networkNotes(services, input, ctx.signal)),
        ];
      },
      manualUndo: manualSqlFirewallTemp,
    },
    services,
  );
}

/** The last step: removes the rule `firewall-temp` added (undo removes it when the run fails). */
export function sqlFirewallTempRemoveStep(input: SqlSetupInput, services: Services, after: string[]): Step {
  return temporaryRuleRemoveStep(input.server, SQL_API.firewallRules, services, after);
}

/** Adds the record's rule for its address (followed to its end). */
export function addRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlFirewallRecord,
): Promise<void> {
  return addFirewallRule(services, ctx, SQL_API.firewallRules, record);
}

/** Removes the run's rule unless it was edited since. */
export function removeSqlRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: SqlFirewallRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  return removeFirewallRule(services, ctx, SQL_API.firewallRules, record);
}

/** The command that removes the temporary rule by hand. */
export function manualSqlFirewallTemp(record: FirewallRecord): string[] {
  return [
    commandLine([
      'az',
      'sql',
      'server',
      'firewall-rule',
      'delete',
      '--ids',
      firewallRulePath(record.server, record.rule),
    ]),
  ];
}
