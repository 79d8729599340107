/** PostgreSQL's firewall (see ../firewall.ts): a refusal is `no pg_hba.conf entry for host "<ip>"`. */
import { commandLine } from '../../core/command-line.ts';
import { type FirewallPolicy, flexiblePlanLine } from '../firewall.ts';
import { postgresDescriptor } from './descriptor.ts';
import { logIn, refusedIp } from './login.ts';

export const postgresFirewall: FirewallPolicy = {
  async probe(services, target, _database, signal) {
    // The `postgres` database is always there: the login alone is what is tried.
    const client = await logIn(services, target, 'postgres', signal);
    await client.end().catch(() => {});
  },
  refusal(error) {
    const message = (error as Error)?.message ?? '';
    return /no pg_hba\.conf entry/.test(message) ? { ip: refusedIp(message) } : null;
  },
  planLines: async (_services, server) => [flexiblePlanLine(server)],
  deleteCommand: (ruleId) =>
    commandLine([...postgresDescriptor.az, 'firewall-rule', 'delete', '--ids', ruleId, '--yes']),
};
