/** IPv4 arithmetic for the network checks: parsing, ranges and which addresses are private. */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address (no leading zeros, each part 0-255). */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** The address as an unsigned 32-bit number, for range comparisons. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** True when `address` lies in `start`..`end`, both ends included (firewall rules are inclusive). */
export function ipv4InRange(address: string, start: string, end: string): boolean {
  if (!isIpv4(address) || !isIpv4(start) || !isIpv4(end)) return false;
  const value = ipv4ToNumber(address);
  return value >= ipv4ToNumber(start) && value <= ipv4ToNumber(end);
}

/** True when `address` is inside `network/prefix`. */
export function ipv4InCidr(address: string, network: string, prefix: number): boolean {
  if (!isIpv4(address) || !isIpv4(network) || prefix < 0 || prefix > 32) return false;
  if (prefix === 0) return true;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (ipv4ToNumber(address) & mask) >>> 0 === (ipv4ToNumber(network) & mask) >>> 0;
}

/** What kind of place an address points to, as far as reaching it from a developer machine goes. */
export type AddressKind = 'private' | 'loopback' | 'public';

/**
 * Private means only reachable inside some network: RFC 1918, carrier-grade NAT (100.64/10, which
 * VPNs hand out) and IPv6 unique-local (fc00::/7). A private endpoint or VNet-injected server answers
 * with one of these.
 */
export function addressKind(address: string): AddressKind {
  if (isIpv4(address)) {
    if (ipv4InCidr(address, '127.0.0.0', 8)) return 'loopback';
    const privateRanges: [string, number][] = [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10],
    ];
    return privateRanges.some(([net, prefix]) => ipv4InCidr(address, net, prefix)) ? 'private' : 'public';
  }
  const lower = address.toLowerCase();
  if (lower === '::1') return 'loopback';
  if (/^f[cd][0-9a-f]{0,2}:/.test(lower)) return 'private';
  return 'public';
}
