/**
 * Where the doctor's own database login connects. A `--connect-to` mapping wins. With
 * SC_DOCTOR_DNS_SERVER, the server's name is resolved by those servers (as the network check does)
 * and the driver connects to that address, with TLS still verified against the name: a driver left
 * to resolve the name itself would ask the system's resolver, not the servers the user named.
 * Otherwise the driver resolves the name, as an app would.
 */
import { connectTarget } from '../core/connect-to.ts';
import { parseDnsServers } from '../core/dns-servers.ts';
import type { ServerFacts } from '../databases/facts.ts';
import type { DoctorContext } from './check.ts';

/** `via`: what sent the login elsewhere than the server's name (a mapping's source, or the DNS servers). */
export type LoginAddress =
  | { ok: true; host: string; port: number; via: string | null }
  | { ok: false; message: string };

export async function loginAddress(ctx: DoctorContext, server: ServerFacts): Promise<LoginAddress> {
  const mapped = connectTarget(ctx.options.connectTo, server.fqdn, server.port);
  if (mapped) return { ok: true, ...mapped, via: ctx.options.connectTo?.source ?? '--connect-to' };
  const named = parseDnsServers(ctx.services.env.SC_DOCTOR_DNS_SERVER?.trim() || '');
  if (!named.ok || !ctx.services.dns) return { ok: true, host: server.fqdn, port: server.port, via: null };
  const answer = await ctx.services.dns.resolve(server.fqdn, ctx.signal);
  const address = answer.ok ? answer.addresses[0] : undefined;
  if (address) return { ok: true, host: address, port: server.port, via: 'SC_DOCTOR_DNS_SERVER' };
  return {
    ok: false,
    message: `${server.fqdn} does not resolve at SC_DOCTOR_DNS_SERVER (${answer.ok ? 'no address' : answer.code})`,
  };
}
