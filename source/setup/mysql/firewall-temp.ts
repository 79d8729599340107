/**
 * MySQL's temporary firewall rule: a login refused with ERROR 9000 ("is not allowed to connect",
 * which names the address) is a firewall refusal; the steps themselves are the shared ones of
 * `../firewall-temp.ts`. The database user's undo opens the firewall again through `addRule`.
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { type MysqlLogin, mysqlLogIn, mysqlRefusedIp } from '../../databases/mysql/login.ts';
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
import { MYSQL_API, type MysqlSetupInput } from './input.ts';

export { FIREWALL_TEMP, FIREWALL_TEMP_REMOVE, type FirewallRecord } from '../firewall-temp.ts';

/** Adds the record's rule for its address (followed to its end). */
export function addRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: FirewallRecord,
): Promise<void> {
  return addFirewallRule(services, ctx, MYSQL_API, record);
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
  return temporaryRuleStep(
    {
      server,
      networkPath: input.networkPath,
      publicIp: input.publicIp,
      apiVersion: MYSQL_API,
      after: [ENTRA_ADMIN],
      probe: (signal) => probeFirewall(services, input, signal),
      preview: () => [
        `only if ${server.name}'s firewall refuses this machine: a rule sc-doctor-<run id> for its address, removed at the end`,
      ],
      manualUndo: manualFirewallTemp,
    },
    services,
  );
}

/** The commands that reverse the step by hand. */
export function manualFirewallTemp(record: FirewallRecord): string[] {
  return [
    commandLine([
      'az',
      'mysql',
      'flexible-server',
      'firewall-rule',
      'delete',
      '--ids',
      firewallRulePath(record.server, record.rule),
      '--yes',
    ]),
  ];
}

/** The last step of a run: removes the rule `firewall-temp` added (undo removes it on a failure). */
export function firewallTempRemoveStep(input: MysqlSetupInput, services: Services, after: string[]): Step {
  return temporaryRuleRemoveStep(input.server, MYSQL_API, services, after);
}

/** Removes the run's rule unless it was edited since. */
export function removeRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: FirewallRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  return removeFirewallRule(services, ctx, MYSQL_API, record);
}
