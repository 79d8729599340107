/**
 * Azure SQL's firewall (see ../firewall.ts): a refusal is error 40615, which names the address Azure
 * saw. The plan also says what the `0.0.0.0` rule is (Azure services, not this machine) and when the
 * Redirect connection policy needs ports 11000-11999.
 */
import { enumIn, enumIs } from '../../azure/enums.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import type { FirewallPolicy } from '../firewall.ts';
import { sqlArm } from './arm.ts';
import { sqlDescriptor } from './descriptor.ts';
import { withSqlSession } from './login.ts';
import { firewallRefusedIp, SqlServerError } from './session.ts';

/** Error 40615: the server's firewall does not admit the client's address. */
const FIREWALL_REFUSED = 40615;

export const sqlFirewall: FirewallPolicy = {
  async probe(services, target, database, signal) {
    await withSqlSession(services, target, database, signal, async () => {});
  },
  refusal(error) {
    return error instanceof SqlServerError && error.number === FIREWALL_REFUSED
      ? { ip: firewallRefusedIp(error.message) }
      : null;
  },
  async planLines(services, server, signal) {
    return [
      `only if ${server.name}'s firewall refuses this machine (error 40615): a rule sc-doctor-<run id> for the one address Azure names, removed at the end; never one for all addresses`,
      ...(await networkNotes(services, server, signal)),
    ];
  },
  deleteCommand: (ruleId) => commandLine([...sqlDescriptor.az, 'firewall-rule', 'delete', '--ids', ruleId]),
};

/** The plan's lines about the firewall and the connection policy (reads only; a failed read says so). */
async function networkNotes(
  services: Services,
  server: { id: string; name: string },
  signal: AbortSignal,
): Promise<string[]> {
  const notes: string[] = [];
  const [rules, policy] = await Promise.all([
    sqlArm
      .listFirewallRules(services.azure, server.id, signal)
      .then((answer) => (answer.ok ? answer.items : undefined))
      .catch(() => undefined),
    sqlArm.readConnectionPolicy(services, server.id, signal).catch(() => undefined),
  ]);
  const azureServices = (rules as Record<string, unknown>[] | undefined)?.find((r) => {
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
