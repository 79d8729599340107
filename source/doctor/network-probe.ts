/**
 * The probe behind `network-path`: DNS (unless `--connect-to` maps the name), the route to a private
 * address, and a TCP connect bounded by `TCP_CONNECT_TIMEOUT_MS`. A private address without a route
 * is decided without sending anything.
 */
import { enumIs } from '../azure/enums.ts';
import { connectTarget } from '../core/connect-to.ts';
import { type AddressKind, addressKind } from '../core/ip.ts';
import type { TcpConnectResult } from '../core/services.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { DoctorContext } from './check.ts';

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

/** Everything the probe learns; the check adds the SQL connection policy. */
export type Probe = Omit<NetworkPathFacts, 'sqlConnectionType'>;

/** Decides how (and whether) this machine reaches `server`. */
export async function probeServer(ctx: DoctorContext, server: ServerFacts): Promise<Probe> {
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
  if (enumIs(server.publicNetworkAccess, 'Disabled')) {
    // Public access is off, yet this machine got the public address: it is outside every network
    // linked to the private DNS zone, and the public endpoint refuses everyone.
    return { ...found, tcp: 'not-attempted', verdict: 'private-network' };
  }
  const tcp = await connectBounded(ctx, address, server.port);
  return { ...found, ...tcpVerdict(tcp) };
}

/** The service's own timeout, guarded here too so a probe that never settles cannot outlast it. */
async function connectBounded(ctx: DoctorContext, host: string, port: number): Promise<TcpConnectResult> {
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
