/**
 * MySQL's firewall (see ../firewall.ts): a refusal is ERROR 9000, `Client with IP address '<ip>' is
 * not allowed to connect to this MySQL server`.
 */
import { commandLine } from '../../core/command-line.ts';
import { type FirewallPolicy, flexiblePlanLine } from '../firewall.ts';
import { mysqlDescriptor } from './descriptor.ts';
import { mysqlLogIn, mysqlRefusedIp } from './login.ts';

export const mysqlFirewall: FirewallPolicy = {
  async probe(services, target, _database, signal) {
    const connection = await mysqlLogIn(services, target, signal);
    await connection.end().catch(() => {});
  },
  refusal(error) {
    const message = (error as Error)?.message ?? '';
    return /is not allowed to connect to this MySQL server/.test(message)
      ? { ip: mysqlRefusedIp(message) }
      : null;
  },
  planLines: async (_services, server) => [flexiblePlanLine(server)],
  deleteCommand: (ruleId) =>
    commandLine([...mysqlDescriptor.az, 'firewall-rule', 'delete', '--ids', ruleId, '--yes']),
};
