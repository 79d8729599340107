/**
 * `firewall`: does a firewall rule of the server let this machine's public IP in? The 0.0.0.0 rule
 * ("allow Azure services") is explained for what it is: any Azure-hosted address, not this machine.
 * A missing rule is something setup fixes itself, with a temporary rule it removes afterwards.
 */

import { armError } from '../azure/arm.ts';
import { enumIs } from '../azure/enums.ts';
import { connectTarget, formatHostPort } from '../core/connect-to.ts';
import { ipv4InRange } from '../core/ip.ts';
import type { CheckResult } from '../core/types.ts';
import type { ServerFacts } from '../databases/facts.ts';
import { adapterOf } from '../databases/index.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import { published } from './facts.ts';
import { serverFactsOf } from './facts-of.ts';
import { firewallRuleCreateCommand } from './remedy-commands.ts';

/** One rule as ARM lists it. */
export interface FirewallRuleFacts {
  name: string;
  startIpAddress: string;
  endIpAddress: string;
}

/** What `firewall` found (`data.firewall`). */
export interface FirewallFacts {
  publicIp: string | null;
  /** Who said so: `SC_DOCTOR_PUBLIC_IP`, or the echo service's host. */
  publicIpSource: string | null;
  /** Why the public IP is unknown, when it is. */
  publicIpProblem: string | null;
  rules: FirewallRuleFacts[];
  /** The first rule whose range holds the public IP. */
  coveringRule: string | null;
  /** The 0.0.0.0–0.0.0.0 rule's name, when there is one. */
  azureServicesRule: string | null;
}

export const firewallCheck: DoctorCheck = {
  id: 'firewall',
  title: 'Firewall',
  needs: ['server'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no server facts' };
    if (server.delegatedSubnetId)
      return { status: 'skip', message: 'private access (VNet): firewall rules do not apply' };
    if (enumIs(server.publicNetworkAccess, 'Disabled'))
      return { status: 'skip', message: 'public access is off: firewall rules do not apply' };

    const [listed, ip] = await Promise.all([
      adapterOf(server.kind).arm.listFirewallRules(ctx.services.azure, server.id, ctx.signal),
      publicIpOf(ctx),
    ]);
    if (!listed.ok) {
      const error = armError(listed.response.body);
      return {
        status: 'fail',
        message: `could not read the firewall rules (${listed.response.status}${error ? ` ${error.code}` : ''})`,
        details: error ? [error.message] : [],
        remediation: {
          summary: 'Ask for at least Reader on the server to see its firewall rules.',
          commands: [],
          fixable: false,
        },
      };
    }
    const rules = listed.items.map(ruleOf).filter((rule): rule is FirewallRuleFacts => rule !== undefined);
    const azureServices = rules.find((r) => r.startIpAddress === '0.0.0.0' && r.endIpAddress === '0.0.0.0');
    const covering = ip.address
      ? rules.find((r) => r !== azureServices && ipv4InRange(ip.address!, r.startIpAddress, r.endIpAddress))
      : undefined;
    const firewall: FirewallFacts = {
      publicIp: ip.address,
      publicIpSource: ip.source,
      publicIpProblem: ip.problem,
      rules,
      coveringRule: covering?.name ?? null,
      azureServicesRule: azureServices?.name ?? null,
    };
    return describe(ctx, server, firewall);
  },
};

async function publicIpOf(
  ctx: DoctorContext,
): Promise<{ address: string | null; source: string | null; problem: string | null }> {
  const lookup = ctx.services.publicIp;
  if (!lookup) return { address: null, source: null, problem: 'no public-IP lookup in this run' };
  const answer = await lookup.lookup(ctx.signal);
  return answer.ok
    ? { address: answer.address, source: answer.source, problem: null }
    : { address: null, source: null, problem: answer.reason };
}

function ruleOf(item: unknown): FirewallRuleFacts | undefined {
  const rule = item as { name?: unknown; properties?: { startIpAddress?: unknown; endIpAddress?: unknown } };
  const { startIpAddress, endIpAddress } = rule.properties ?? {};
  if (typeof rule.name !== 'string' || typeof startIpAddress !== 'string' || typeof endIpAddress !== 'string')
    return undefined;
  return { name: rule.name, startIpAddress, endIpAddress };
}

function describe(ctx: DoctorContext, server: ServerFacts, firewall: FirewallFacts): CheckResult {
  const data = published('firewall', { firewall });
  const details = firewall.rules.map((r) =>
    r.startIpAddress === r.endIpAddress
      ? `rule ${r.name}: ${r.startIpAddress}`
      : `rule ${r.name}: ${r.startIpAddress}–${r.endIpAddress}`,
  );
  if (!firewall.rules.length) details.push('no firewall rules: nobody gets in over the public endpoint');
  if (firewall.azureServicesRule)
    details.push(
      `${firewall.azureServicesRule} (0.0.0.0) admits any Azure service, other customers' too, not this machine.`,
    );
  const everyone = firewall.rules.find(
    (r) => r.startIpAddress === '0.0.0.0' && r.endIpAddress === '255.255.255.255',
  );
  if (everyone)
    details.push(`${everyone.name} (0.0.0.0–255.255.255.255) lets the whole internet try to sign in.`);
  const via = connectTarget(ctx.options.connectTo, server.fqdn, server.port);
  if (via)
    details.push(
      `Connections go through ${formatHostPort(via)}: the server sees the far end's address, which a rule must cover.`,
    );

  // Without a single rule no address gets in over the public endpoint, whatever this machine's is
  // (an approved private endpoint is another way in, which the rules do not govern).
  const noWayIn =
    firewall.rules.length === 0 && !server.privateEndpoints.some((e) => enumIs(e.status, 'Approved'));
  if (noWayIn) {
    const ipLine = firewall.publicIp
      ? `public IP ${firewall.publicIp} (from ${firewall.publicIpSource})`
      : `this machine's public IP is unknown: ${firewall.publicIpProblem ?? 'no answer'}`;
    return {
      status: 'fail',
      message: firewall.publicIp
        ? `${firewall.publicIp} not allowed by any rule`
        : 'no firewall rule: nothing outside a private network gets in',
      details: [ipLine, ...details],
      remediation: {
        summary: 'Add a rule for this machine; setup adds a temporary one itself and removes it afterwards.',
        commands: [firewallRuleCreateCommand(server, firewall.publicIp)],
        fixable: true,
      },
      data,
    };
  }
  if (!firewall.publicIp) {
    return {
      status: 'warn',
      message: "this machine's public IP is unknown",
      details: [`${firewall.publicIpProblem ?? 'no answer'}`, ...details],
      remediation: {
        summary:
          'State the address with SC_DOCTOR_PUBLIC_IP=<address> (what your egress is), or allow the lookup.',
        commands: [],
        fixable: false,
      },
      data,
    };
  }
  const ipLine = `public IP ${firewall.publicIp} (from ${firewall.publicIpSource})`;
  if (firewall.coveringRule)
    return {
      status: 'pass',
      message: `${firewall.publicIp} allowed by rule ${firewall.coveringRule}`,
      details: [ipLine, ...details],
      data,
    };

  const message = firewall.azureServicesRule
    ? `${firewall.publicIp} not allowed (only the Azure services rule)`
    : `${firewall.publicIp} not allowed by any rule`;
  return {
    status: via ? 'warn' : 'fail',
    message,
    details: [ipLine, ...details],
    remediation: {
      summary: 'Add a rule for this address; setup adds a temporary one itself and removes it afterwards.',
      commands: [firewallRuleCreateCommand(server, firewall.publicIp)],
      fixable: true,
    },
    data,
  };
}
