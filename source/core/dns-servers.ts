/**
 * `SC_DOCTOR_DNS_SERVER=ADDRESS[:PORT][,...]`: the DNS servers the network check asks instead of the
 * system's (a VNet's resolver reached over a VPN, a split-horizon resolver, a local stand-in), in
 * the form `Resolver.setServers` takes: `10.0.0.4`, `10.0.0.4:53`, `[fd00::4]:53` or `fd00::4`.
 */
import { isIpv4 } from './ip.ts';

export type DnsServersParse = { ok: true; servers: string[] } | { ok: false; entry: string; problem: string };

const IPV6 = /^[0-9a-f:.]*:[0-9a-f:.]*$/i;

/** Parses the comma-separated list; the first bad entry is named. */
export function parseDnsServers(text: string): DnsServersParse {
  const servers: string[] = [];
  for (const entry of text.split(',').map((piece) => piece.trim())) {
    if (entry === '') return { ok: false, entry: text, problem: 'an empty entry' };
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    const [address, port] = bracketed
      ? [bracketed[1]!, bracketed[2]]
      : hostPort
        ? [hostPort[1]!, hostPort[2]]
        : [entry, undefined];
    if (!isIpv4(address) && !IPV6.test(address))
      return { ok: false, entry, problem: 'not an IP address (a DNS server is given by address)' };
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
      return { ok: false, entry, problem: `port ${port} is not 1-65535` };
    servers.push(entry);
  }
  return { ok: true, servers };
}
