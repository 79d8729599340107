/**
 * The real DNS resolver: the CNAME chain from the DNS servers, then the addresses the system uses.
 * With `SC_DOCTOR_DNS_SERVER` (servers of the user's choosing, such as a VNet's resolver reached over
 * a VPN), both questions go to those servers and the system's resolver is not asked at all.
 */
import { lookup, Resolver } from 'node:dns/promises';
import type { DnsAnswer, DnsResolver } from '../core/services.ts';

/** A CNAME chain longer than this is a loop. */
const MAX_CNAME_HOPS = 10;

/**
 * The two questions the resolver asks, as `node:dns/promises` answers them. Tests pass another
 * source of answers (the local twin's view of Azure DNS) so that no lookup leaves the machine.
 */
export interface DnsBackend {
  resolveCname(hostname: string): Promise<string[]>;
  lookup(hostname: string, options: { all: true; order: 'ipv4first' }): Promise<{ address: string }[]>;
  cancel(): void;
}

/**
 * DNS through node:dns; a lookup that the signal aborts ends as `ECANCELLED`. `servers` (addresses
 * with optional ports, as `Resolver.setServers` takes them) replace the system's: the addresses then
 * come from their A (else AAAA) answers instead of getaddrinfo.
 */
export function createNodeDns(
  timeoutMs = 3_000,
  backend?: () => DnsBackend,
  servers?: readonly string[],
): DnsResolver {
  const open =
    backend ??
    ((): DnsBackend => {
      const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
      if (servers?.length) resolver.setServers([...servers]);
      return {
        resolveCname: (hostname) => resolver.resolveCname(hostname),
        lookup: servers?.length
          ? (hostname) => addressesFrom(resolver, hostname)
          : (hostname, options) => lookup(hostname, options),
        cancel: () => resolver.cancel(),
      };
    });
  return {
    async resolve(host: string, signal?: AbortSignal): Promise<DnsAnswer> {
      const resolver = open();
      const cancel = () => resolver.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      const cnameChain: string[] = [];
      try {
        let name = host;
        for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
          const next = await resolver.resolveCname(name).catch(() => [] as string[]);
          if (!next[0]) break;
          cnameChain.push(next[0]);
          name = next[0];
        }
        if (signal?.aborted) return { ok: false, cnameChain, code: 'ECANCELLED' };
        // getaddrinfo, as a database driver would use: /etc/hosts and the system's search rules apply.
        const found = await resolver.lookup(host, { all: true, order: 'ipv4first' });
        return { ok: true, cnameChain, addresses: found.map((entry) => entry.address) };
      } catch (error) {
        return { ok: false, cnameChain, code: (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN' };
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    },
  };
}

/** A then AAAA answers of `hostname` from `resolver`'s servers, shaped as `lookup(..., { all: true })`. */
async function addressesFrom(resolver: Resolver, hostname: string): Promise<{ address: string }[]> {
  try {
    return (await resolver.resolve4(hostname)).map((address) => ({ address }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENODATA') throw error;
    return (await resolver.resolve6(hostname)).map((address) => ({ address }));
  }
}
