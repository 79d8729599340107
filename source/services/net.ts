/** The real TCP probe and routing-table reader (node:net, os.networkInterfaces, /proc/net/route). */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ipv4InCidr, isIpv4 } from '../core/ip.ts';
import type { NetProbe, TcpConnectResult } from '../core/services.ts';

const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** TCP connects with a timeout, and route questions answered from this machine's own tables. */
export function createNodeNet(routeFile = '/proc/net/route'): NetProbe {
  return {
    tcpConnect: (host, port, options) => tcpConnect(host, port, options.timeoutMs, options.signal),
    async hasRouteTo(address) {
      if (!isIpv4(address)) return undefined;
      if (onInterfaceSubnet(address)) return true;
      let table: string;
      try {
        table = await readFile(routeFile, 'utf8');
      } catch {
        return undefined; // not Linux: the caller probes instead of deciding
      }
      return linuxRoutes(table).some((route) => ipv4InCidr(address, route.network, route.prefix));
    },
  };
}

function tcpConnect(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TcpConnectResult> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve({ ok: false, reason: 'aborted' });
    const socket = connect({ host, port });
    const finish = (result: TcpConnectResult) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'EUNKNOWN';
      const reason = REFUSED.has(code) ? 'refused' : UNREACHABLE.has(code) ? 'unreachable' : 'error';
      finish({ ok: false, reason, code });
    });
  });
}

function onInterfaceSubnet(address: string): boolean {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== 'IPv4' || !entry.cidr) continue;
      const [network, prefix] = entry.cidr.split('/');
      if (network && ipv4InCidr(address, network, Number(prefix))) return true;
    }
  }
  return false;
}

/**
 * The routes of /proc/net/route except the default one: a private address covered only by the
 * default route goes to the internet gateway, where no VNet answers.
 */
export function linuxRoutes(table: string): { network: string; prefix: number }[] {
  const routes: { network: string; prefix: number }[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const destination = fields[1];
    const mask = fields[7];
    if (!destination || !mask || !/^[0-9A-Fa-f]{8}$/.test(destination) || !/^[0-9A-Fa-f]{8}$/.test(mask))
      continue;
    const prefix = countBits(hexLittleEndian(mask));
    if (prefix === 0) continue;
    routes.push({ network: dotted(hexLittleEndian(destination)), prefix });
  }
  return routes;
}

/** /proc/net/route prints addresses in host byte order (little-endian on the machines we run on). */
function hexLittleEndian(hex: string): number {
  const value = Number.parseInt(hex, 16);
  return (
    (((value & 0xff) << 24) |
      (((value >>> 8) & 0xff) << 16) |
      (((value >>> 16) & 0xff) << 8) |
      (value >>> 24)) >>>
    0
  );
}

function countBits(value: number): number {
  let bits = 0;
  for (let v = value; v; v = (v << 1) >>> 0) bits += 1;
  return bits;
}

function dotted(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}
