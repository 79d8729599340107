/**
 * Where this machine's public IP comes from: stated by the user (`SC_DOCTOR_PUBLIC_IP`, for machines
 * whose egress address an echo service would get wrong, and for offline runs), or an HTTPS echo
 * service over verified TLS.
 */
import { isIpv4 } from '../core/ip.ts';
import type { PublicIpLookup } from '../core/services.ts';

/** The echo service asked when the user states nothing: it answers the caller's IPv4 as plain text. */
export const PUBLIC_IP_ECHO_URL = 'https://api.ipify.org';

/** The address the user stated, without asking anyone. */
export function statedPublicIp(address: string, source = 'SC_DOCTOR_PUBLIC_IP'): PublicIpLookup {
  return { lookup: async () => ({ ok: true, address, source }) };
}

/** Asks `url` (TLS verified by fetch) with a short timeout. */
export function echoPublicIp(url = PUBLIC_IP_ECHO_URL, timeoutMs = 5_000): PublicIpLookup {
  return {
    async lookup(signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        const text = (await response.text()).trim();
        if (!response.ok) return { ok: false, reason: `${new URL(url).host} answered ${response.status}` };
        if (!isIpv4(text))
          return { ok: false, reason: `${new URL(url).host} did not answer an IPv4 address` };
        return { ok: true, address: text, source: new URL(url).host };
      } catch (error) {
        const reason = timeout.aborted ? `no answer in ${timeoutMs / 1000}s` : (error as Error).message;
        return { ok: false, reason: `could not ask ${new URL(url).host}: ${reason}` };
      }
    },
  };
}
