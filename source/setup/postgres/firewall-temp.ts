/**
 * PostgreSQL's temporary firewall rule: a login refused with `no pg_hba.conf entry` (which names the
 * address) is a firewall refusal; the steps themselves are the shared ones of `../firewall-temp.ts`.
 */
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import { logIn, refusedIp } from '../../databases/postgres/login.ts';
import type { Step } from '../../engine/step.ts';
import {
  type FirewallRecord,
  firewallRulePath,
  removeFirewallRule,
  temporaryRuleRemoveStep,
  temporaryRuleStep,
} from '../firewall-temp.ts';
import { ENTRA_ADMIN } from './entra-admin.ts';
import { API, type PostgresSetupInput } from './input.ts';

export { FIREWALL_TEMP, FIREWALL_TEMP_REMOVE, type FirewallRecord } from '../firewall-temp.ts';

/** What a login attempt says about the firewall: open, closed for an address, or another problem. */
async function probeFirewall(
  services: Services,
  input: PostgresSetupInput,
  signal: AbortSignal,
): Promise<{ open: true } | { open: false; ip: string | undefined }> {
  try {
    const client = await logIn(services, input, 'postgres', signal);
    await client.end().catch(() => {});
    return { open: true };
  } catch (error) {
    const message = (error as Error).message;
    if (/no pg_hba\.conf entry/.test(message)) return { open: false, ip: refusedIp(message) };
    // Another refusal (not an admin yet, wrong token...): a firewall rule would not help.
    return { open: true };
  }
}

export function firewallTempStep(input: PostgresSetupInput, services: Services): Step<FirewallRecord> {
  const { server } = input;
  return temporaryRuleStep(
    {
      server,
      networkPath: input.networkPath,
      publicIp: input.publicIp,
      apiVersion: API.postgres,
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
      'postgres',
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
export function firewallTempRemoveStep(input: PostgresSetupInput, services: Services, after: string[]): Step {
  return temporaryRuleRemoveStep(input.server, API.postgres, services, after);
}

/** Removes the run's rule unless it was edited since. */
export function removeRule(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: FirewallRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  return removeFirewallRule(services, ctx, API.postgres, record);
}
