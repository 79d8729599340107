import { enumIs } from '../azure/enums.ts';
import { formatHostPort } from '../core/connect-to.ts';
import type { CheckResult, Remediation } from '../core/types.ts';
import type { PrivateEndpointFacts, ServerFacts } from '../databases/facts.ts';
import { adapterOf } from '../databases/index.ts';
import type { DoctorCheck, DoctorContext } from './check.ts';
import { published } from './facts.ts';
import { serverFactsOf } from './facts-of.ts';
import { type NetworkPathFacts, probeServer, TCP_CONNECT_TIMEOUT_MS } from './network-probe.ts';
import {
  doctorServerCommand,
  nslookupCommand,
  privateEndpointApproveCommand,
  privateEndpointDeleteCommand,
  sshTunnelCommand,
} from './remedy-commands.ts';

export type { NetworkPathFacts, NetworkVerdict } from './network-probe.ts';
export { TCP_CONNECT_TIMEOUT_MS } from './network-probe.ts';

/** Resolver codes meaning "no such name" rather than "the resolver did not answer". */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export const networkPathCheck: DoctorCheck = {
  id: 'network-path',
  title: 'Network path',
  needs: ['server'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no server facts' };
    const [sqlConnectionType, probe] = await Promise.all([
      connectionTypeOf(ctx, server),
      probeServer(ctx, server),
    ]);
    const network: NetworkPathFacts = { ...probe, sqlConnectionType };
    return describe(server, network);
  },
};

/** The server's connection policy, when its kind has one (Azure SQL's: Default, Proxy or Redirect). */
async function connectionTypeOf(ctx: DoctorContext, server: ServerFacts): Promise<string | null> {
  const policy = adapterOf(server.kind).connectionPolicy;
  return policy ? policy(ctx.services.azure, server.id, ctx.signal) : null;
}

function describe(server: ServerFacts, network: NetworkPathFacts): CheckResult {
  const data = published('network-path', { network });
  const target = `${server.fqdn}:${server.port}`;
  const details = [...accessLines(server), ...dnsLines(network)];
  const endpointFixes = endpointRemediation(server.privateEndpoints);
  const sqlRedirect = server.kind === 'sql' && enumIs(network.sqlConnectionType, 'Redirect');
  if (server.kind === 'sql' && network.sqlConnectionType)
    details.push(sqlPolicyLine(network.sqlConnectionType));

  switch (network.verdict) {
    case 'reachable': {
      const through = network.via ? ` through ${formatHostPort(network.via)} (${network.via.source})` : '';
      // Only TCP was tried: Azure's gateway takes the connection and its firewall refuses the login
      // later, so "reachable" would contradict a failing Firewall row.
      const message = `${target} port answers${through}`;
      if (!enumIs(server.publicNetworkAccess, 'Disabled') && !server.delegatedSubnetId)
        details.push('The port answering is TCP only: the Firewall row says whether a login is let in.');
      if (sqlRedirect || endpointFixes) {
        // The row's one line leads with what the warning is about; the port answering is secondary.
        const problem = endpointFixes
          ? endpointProblem(server.privateEndpoints)
          : 'Redirect policy: ports 11000-11999 are needed too';
        return {
          status: 'warn',
          message: `${problem} · ${target} port answers`,
          details,
          remediation: endpointFixes ?? {
            summary:
              'With the Redirect policy, allow outbound TCP 11000-11999 to Azure SQL too (a probe cannot test them).',
            commands: [],
            fixable: false,
          },
          data,
        };
      }
      return { status: 'pass', message, details, data };
    }
    case 'not-probed':
      return {
        status: 'warn',
        message: 'not probed in this run',
        details: [...details, 'No DNS or TCP service was available to this run.'],
        data,
      };
    case 'private-network':
      return unreachable(
        server,
        network,
        `${target} is only reachable from inside its network`,
        [...details, ...privateReason(server, network)],
        endpointFixes,
      );
    case 'timeout':
      return unreachable(
        server,
        network,
        `${describeProbe(network)} did not answer within ${TCP_CONNECT_TIMEOUT_MS / 1000}s`,
        [
          ...details,
          `Something between this machine and ${network.via ? 'the mapped address' : 'Azure'} drops the connection: often a`,
          `corporate firewall or VPN that blocks outbound port ${network.via?.port ?? server.port}.`,
        ],
        endpointFixes,
      );
    case 'refused':
      return unreachable(
        server,
        network,
        `${describeProbe(network)} ${TCP_FAILURE_WORDS[network.tcp] ?? `could not be connected to (${network.tcp})`}`,
        [
          ...details,
          network.via
            ? `Nothing listens at ${formatHostPort(network.via)}: start the tunnel or port forward first.`
            : 'The address answered but refused the port.',
        ],
        endpointFixes,
      );
    case 'no-dns':
      // A public server's name is in public DNS: when it does not resolve here, this machine's DNS
      // is the problem, and a VPN or jump box into the server's network is the wrong advice.
      if (!enumIs(server.publicNetworkAccess, 'Disabled')) return unresolved(server, network, details);
      return unreachable(
        server,
        network,
        `${server.fqdn} does not resolve (${network.dns?.error ?? 'no answer'})`,
        details,
        endpointFixes,
      );
  }
}

const TCP_FAILURE_WORDS: Partial<Record<string, string>> = {
  refused: 'refused the connection',
  unreachable: 'is unreachable: this machine has no route to it',
};

/** `private endpoint connections: 1 Pending, 1 Rejected` */
function endpointProblem(endpoints: PrivateEndpointFacts[]): string {
  const counts = (['Pending', 'Rejected'] as const)
    .map((state) => [state, endpoints.filter((e) => e.status === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`);
  return `private endpoint connection${endpoints.length > 1 ? 's' : ''}: ${counts.join(', ')}`;
}

/** A public server whose name this machine's resolver could not look up. */
function unresolved(server: ServerFacts, network: NetworkPathFacts, details: string[]): CheckResult {
  const error = network.dns?.error ?? 'no answer';
  const why = NO_SUCH_NAME.has(error)
    ? "Public DNS should know this name: this machine's resolver (a corporate or VPN DNS) does not, or the server was created moments ago."
    : "This machine's DNS resolver did not answer: no network, a VPN or proxy that blocks DNS, or a resolver that is down.";
  return {
    status: 'fail',
    message: `${server.fqdn} does not resolve (${error})`,
    details: [...details, why],
    remediation: {
      summary: `Fix this machine's DNS (network connection, VPN, resolver), then run the doctor again; or reach the server through a tunnel with --connect-to.`,
      commands: [nslookupCommand(server.fqdn)],
      fixable: false,
    },
    blocking: true,
    data: published('network-path', { network }),
  };
}

function describeProbe(network: NetworkPathFacts): string {
  if (network.via) return `${formatHostPort(network.via)} (${network.via.source})`;
  return `${network.address ?? network.host}:${network.port}`;
}

function accessLines(server: ServerFacts): string[] {
  const lines = [`public access ${server.publicNetworkAccess ?? 'not reported'}`];
  if (server.delegatedSubnetId) lines.push(`VNet-integrated: subnet ${server.delegatedSubnetId}`);
  for (const endpoint of server.privateEndpoints)
    lines.push(`private endpoint ${endpoint.privateEndpointId ?? endpoint.connectionId}: ${endpoint.status}`);
  return lines;
}

function dnsLines(network: NetworkPathFacts): string[] {
  if (network.via)
    return [
      `${network.host} is not looked up: ${network.via.source} maps it to ${formatHostPort(network.via)}`,
    ];
  if (!network.dns) return [];
  const lines: string[] = [];
  if (network.dns.cnameChain.length)
    lines.push(`DNS: ${[network.host, ...network.dns.cnameChain].join(' → ')}`);
  if (network.dns.error) lines.push(`DNS: ${network.host} did not resolve (${network.dns.error})`);
  else if (network.address)
    lines.push(
      `DNS: ${network.dns.addresses.join(', ')} (${network.addressKind} address${network.dns.privateLink ? ', private link' : ''})`,
    );
  return lines;
}

function sqlPolicyLine(type: string): string {
  if (enumIs(type, 'Redirect'))
    return 'connection policy Redirect: after the gateway on 1433, clients connect to ports 11000-11999 too';
  if (enumIs(type, 'Proxy')) return 'connection policy Proxy: everything goes through the gateway on 1433';
  return 'connection policy Default: Proxy (1433 only) from outside Azure; Redirect (also 11000-11999) inside Azure';
}

function privateReason(server: ServerFacts, network: NetworkPathFacts): string[] {
  if (network.route === false && network.address)
    return [
      `${network.address} is a private address and this machine has no route to it (no VPN or peering).`,
    ];
  if (network.dns?.error && NO_SUCH_NAME.has(network.dns.error))
    return [`The name resolves only inside the network linked to the server's private DNS zone.`];
  if (network.dns?.error)
    return [
      `This machine's DNS did not answer (${network.dns.error}); the server is VNet-integrated, so only`,
      'its network (or one peered with it) reaches it anyway.',
    ];
  if (enumIs(server.publicNetworkAccess, 'Disabled'))
    return [
      'Public access is off, and this machine resolved the public address: it is outside the private network.',
    ];
  return [];
}

/** Pending and Rejected private endpoint connections, named with their fix. */
function endpointRemediation(endpoints: PrivateEndpointFacts[]): Remediation | undefined {
  const pending = endpoints.filter((e) => enumIs(e.status, 'Pending'));
  const rejected = endpoints.filter((e) => enumIs(e.status, 'Rejected'));
  if (!pending.length && !rejected.length) return undefined;
  const parts: string[] = [];
  if (pending.length)
    parts.push(`approve the Pending private endpoint connection${pending.length > 1 ? 's' : ''}`);
  if (rejected.length)
    parts.push('re-create the Rejected private endpoint (a rejected connection cannot be approved again)');
  return {
    summary: `${capitalise(parts.join('; '))}.`,
    commands: [
      ...pending.map((e) => privateEndpointApproveCommand(e.connectionId)),
      ...rejected.flatMap((e) =>
        e.privateEndpointId ? [privateEndpointDeleteCommand(e.privateEndpointId)] : [],
      ),
    ],
    fixable: false,
  };
}

function unreachable(
  server: ServerFacts,
  network: NetworkPathFacts,
  message: string,
  details: string[],
  endpointFixes: Remediation | undefined,
): CheckResult {
  // With a mapping already in place the tunnel is the way: it only has to be running at that port.
  const local = network.via?.port ?? 15_000 + (server.port % 1000);
  const via = { fqdn: server.fqdn, port: server.port, localPort: local };
  const tunnel = sshTunnelCommand(via);
  const rerun = doctorServerCommand(server.id, via);
  if (network.via) {
    return {
      status: 'fail',
      message,
      details,
      remediation: {
        summary: `Start the tunnel or port forward to ${formatHostPort(network.via)}, or correct ${network.via.source}.`,
        commands: [tunnel],
        fixable: false,
      },
      blocking: true,
      data: published('network-path', { network }),
    };
  }
  return {
    status: 'fail',
    message,
    details: [
      ...details,
      "What would reach it: this machine on a VPN or a network peered with the server's; a jump box in",
      'that network with an SSH tunnel (then --connect-to); Cloud Shell attached to the VNet; or the',
      'hand-off script setup writes, to run the database step from inside the network.',
    ],
    remediation: {
      summary: endpointFixes
        ? `${endpointFixes.summary} Or reach the server from inside its network.`
        : 'Reach the server from inside its network, e.g. an SSH tunnel through a jump box:',
      commands: [...(endpointFixes?.commands ?? []), tunnel, rerun],
      fixable: false,
    },
    blocking: true,
    data: published('network-path', { network }),
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
