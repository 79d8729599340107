/**
 * `network-path`: can THIS machine reach the server? Public access, VNet integration and private
 * endpoints from ARM; then the DNS answer for the server's name and a TCP connect to its port. A
 * private address this machine has no route to is decided without sending anything; anything that
 * cannot be reached is blocking, with what would reach it instead.
 */
import { armGet } from '../azure/arm.ts';
import { connectTarget, formatHostPort } from '../core/connect-to.ts';
import { type AddressKind, addressKind } from '../core/ip.ts';
import type { TcpConnectResult } from '../core/services.ts';
import type { Check, CheckContext, CheckResult, Remediation } from '../core/types.ts';
import type { PrivateEndpointFacts, ServerFacts } from './facts.ts';
import { SERVER_API_VERSIONS } from './server-api.ts';

/** Resolver codes meaning "no such name" rather than "the resolver did not answer". */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** How long a TCP connect may take before the port counts as silently dropped. */
export const TCP_CONNECT_TIMEOUT_MS = 3_000;

/** Where the probe ended. */
export type NetworkVerdict =
  /** The port answered (directly or through `--connect-to`). */
  | 'reachable'
  /** Only reachable from inside a network: private address without a route, or public access off. */
  | 'private-network'
  /** Nothing answered within `TCP_CONNECT_TIMEOUT_MS`. */
  | 'timeout'
  /** Something answered with a refusal or "unreachable". */
  | 'refused'
  /** The name does not resolve. */
  | 'no-dns'
  /** This run has no DNS or TCP service to probe with. */
  | 'not-probed';

/** What `network-path` found (`data.network`). */
export interface NetworkPathFacts {
  /** The server's Azure name and port. */
  host: string;
  port: number;
  /** The address used instead, from `--connect-to` / `SC_DOCTOR_CONNECT_TO`; DNS is not asked then. */
  via: { host: string; port: number; source: string } | null;
  /** The DNS answer, or null when none was asked. */
  dns: { cnameChain: string[]; addresses: string[]; error: string | null; privateLink: boolean } | null;
  /** The address probed (first DNS answer, or the mapped host). */
  address: string | null;
  addressKind: AddressKind | null;
  /** Whether this machine routes to a private address other than by its default route; null = not asked. */
  route: boolean | null;
  /** How the TCP connect ended (`not-attempted` when the verdict needed none). */
  tcp: 'connected' | 'not-attempted' | TcpFailure;
  verdict: NetworkVerdict;
  /** Azure SQL `connectionPolicies/default` `connectionType` (Default, Redirect, Proxy). */
  sqlConnectionType: string | null;
}

type TcpFailure = Extract<TcpConnectResult, { ok: false }>['reason'];

export const networkPathCheck: Check = {
  id: 'network-path',
  title: 'Network path',
  needs: ['server'],
  async run(ctx): Promise<CheckResult> {
    const server = ctx.outcomeOf('server')?.data.server as ServerFacts | undefined;
    if (!server) return { status: 'skip', message: 'no server facts' };
    const [sqlConnectionType, probe] = await Promise.all([
      connectionTypeOf(ctx, server),
      probeServer(ctx, server),
    ]);
    const network: NetworkPathFacts = { ...probe, sqlConnectionType };
    return describe(server, network);
  },
};

async function connectionTypeOf(ctx: CheckContext, server: ServerFacts): Promise<string | null> {
  const version = SERVER_API_VERSIONS[server.kind].connectionPolicies;
  if (!version) return null;
  const response = await armGet(
    ctx.services.azure,
    `${server.id}/connectionPolicies/default`,
    version,
    ctx.signal,
  );
  const type = (response.body as { properties?: { connectionType?: unknown } } | undefined)?.properties
    ?.connectionType;
  return response.status === 200 && typeof type === 'string' ? type : null;
}

type Probe = Omit<NetworkPathFacts, 'sqlConnectionType'>;

async function probeServer(ctx: CheckContext, server: ServerFacts): Promise<Probe> {
  const { dns, net } = ctx.services;
  const mapped = connectTarget(ctx.options.connectTo, server.fqdn, server.port);
  const base = {
    host: server.fqdn,
    port: server.port,
    route: null,
    address: null,
    addressKind: null,
  } as const;
  if (mapped) {
    const via = { ...mapped, source: ctx.options.connectTo?.source ?? '--connect-to' };
    if (!net) return { ...base, via, dns: null, tcp: 'not-attempted', verdict: 'not-probed' };
    const tcp = await connectBounded(ctx, mapped.host, mapped.port);
    return {
      ...base,
      via,
      dns: null,
      address: mapped.host,
      addressKind: addressKind(mapped.host),
      ...tcpVerdict(tcp),
    };
  }
  if (!dns || !net) return { ...base, via: null, dns: null, tcp: 'not-attempted', verdict: 'not-probed' };

  const answer = await dns.resolve(server.fqdn, ctx.signal);
  const privateLink = answer.cnameChain.some((name) => /(^|\.)(privatelink|private)\./i.test(name));
  if (!answer.ok) {
    const dnsFacts = { cnameChain: answer.cnameChain, addresses: [], error: answer.code, privateLink };
    // A name that only resolves inside its VNet's private DNS zone: the network is the problem.
    const insideOnly = privateLink || server.delegatedSubnetId !== null;
    return {
      ...base,
      via: null,
      dns: dnsFacts,
      tcp: 'not-attempted',
      verdict: insideOnly ? 'private-network' : 'no-dns',
    };
  }
  const address = answer.addresses[0] ?? null;
  const dnsFacts = { cnameChain: answer.cnameChain, addresses: answer.addresses, error: null, privateLink };
  if (!address)
    return {
      ...base,
      via: null,
      dns: { ...dnsFacts, error: 'ENODATA' },
      tcp: 'not-attempted',
      verdict: 'no-dns',
    };
  const kind = addressKind(address);
  const found = { ...base, via: null, dns: dnsFacts, address, addressKind: kind };

  if (kind === 'private') {
    const route = (await net.hasRouteTo(address)) ?? null;
    // No route: the packet would go to the default gateway, where no VNet answers. Say so without
    // sending anything.
    if (route === false) return { ...found, route, tcp: 'not-attempted', verdict: 'private-network' };
    const tcp = await connectBounded(ctx, address, server.port);
    return { ...found, route, ...tcpVerdict(tcp) };
  }
  if (server.publicNetworkAccess === 'Disabled') {
    // Public access is off, yet this machine got the public address: it is outside every network
    // linked to the private DNS zone, and the public endpoint refuses everyone.
    return { ...found, tcp: 'not-attempted', verdict: 'private-network' };
  }
  const tcp = await connectBounded(ctx, address, server.port);
  return { ...found, ...tcpVerdict(tcp) };
}

/** The service's own timeout, guarded here too so a probe that never settles cannot outlast it. */
async function connectBounded(ctx: CheckContext, host: string, port: number): Promise<TcpConnectResult> {
  const net = ctx.services.net!;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<TcpConnectResult>((resolve) => {
    timer = setTimeout(() => {
      stop.abort();
      resolve({ ok: false, reason: 'timeout' });
    }, TCP_CONNECT_TIMEOUT_MS + 250);
  });
  try {
    return await Promise.race([
      net.tcpConnect(host, port, { timeoutMs: TCP_CONNECT_TIMEOUT_MS, signal: stop.signal }),
      guard,
    ]);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function tcpVerdict(tcp: TcpConnectResult): Pick<NetworkPathFacts, 'tcp' | 'verdict'> {
  if (tcp.ok) return { tcp: 'connected', verdict: 'reachable' };
  if (tcp.reason === 'timeout' || tcp.reason === 'aborted') return { tcp: tcp.reason, verdict: 'timeout' };
  return { tcp: tcp.reason, verdict: 'refused' };
}

function describe(server: ServerFacts, network: NetworkPathFacts): CheckResult {
  const data = { network };
  const target = `${server.fqdn}:${server.port}`;
  const details = [...accessLines(server), ...dnsLines(network)];
  const endpointFixes = endpointRemediation(server.privateEndpoints);
  const sqlRedirect = server.kind === 'sql' && network.sqlConnectionType === 'Redirect';
  if (server.kind === 'sql' && network.sqlConnectionType)
    details.push(sqlPolicyLine(network.sqlConnectionType));

  switch (network.verdict) {
    case 'reachable': {
      const through = network.via ? ` through ${formatHostPort(network.via)} (${network.via.source})` : '';
      const message = `${target} reachable${through}`;
      if (sqlRedirect || endpointFixes) {
        return {
          status: 'warn',
          message,
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
        `${describeProbe(network)} refused the connection (${network.tcp})`,
        [
          ...details,
          network.via
            ? `Nothing listens at ${formatHostPort(network.via)}: start the tunnel or port forward first.`
            : 'The address answered but refused the port.',
        ],
        endpointFixes,
      );
    case 'no-dns':
      return unreachable(
        server,
        network,
        `${server.fqdn} does not resolve (${network.dns?.error ?? 'no answer'})`,
        details,
        endpointFixes,
      );
  }
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
  if (type === 'Redirect')
    return 'connection policy Redirect: after the gateway on 1433, clients connect to ports 11000-11999 too';
  if (type === 'Proxy') return 'connection policy Proxy: everything goes through the gateway on 1433';
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
  if (server.publicNetworkAccess === 'Disabled')
    return [
      'Public access is off, and this machine resolved the public address: it is outside the private network.',
    ];
  return [];
}

/** Pending and Rejected private endpoint connections, named with their fix. */
function endpointRemediation(endpoints: PrivateEndpointFacts[]): Remediation | undefined {
  const pending = endpoints.filter((e) => e.status === 'Pending');
  const rejected = endpoints.filter((e) => e.status === 'Rejected');
  if (!pending.length && !rejected.length) return undefined;
  const parts: string[] = [];
  if (pending.length)
    parts.push(`approve the Pending private endpoint connection${pending.length > 1 ? 's' : ''}`);
  if (rejected.length)
    parts.push('re-create the Rejected private endpoint (a rejected connection cannot be approved again)');
  return {
    summary: `${capitalise(parts.join('; '))}.`,
    commands: [
      ...pending.map(
        (e) => `az network private-endpoint-connection approve --id ${e.connectionId} --description Approved`,
      ),
      ...rejected.flatMap((e) =>
        e.privateEndpointId ? [`az network private-endpoint delete --ids ${e.privateEndpointId}`] : [],
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
  const tunnel = `ssh -N -L ${local}:${server.fqdn}:${server.port} <user>@<jump-box>`;
  const rerun = `sc-doctor doctor --server-id ${server.id} --connect-to ${server.fqdn}:${server.port}=127.0.0.1:${local}`;
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
      data: { network },
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
    data: { network },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
