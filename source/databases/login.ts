/**
 * Where and as whom a login to a database server goes, for every kind: the server's Azure name and
 * port, the user, this process's `--connect-to` (built in here, so every login of every kind applies
 * a mapping alike), and the Entra token of the kind's audience. TLS is always verified against the
 * Azure name, wherever the connection goes; the token is only ever sent to the server.
 */
import { type ConnectToMap, connectTarget } from '../core/connect-to.ts';
import { parseDnsServers } from '../core/dns-servers.ts';
import type { Services } from '../core/services.ts';
import type { DatabaseDescriptor } from './descriptor.ts';

/** Who logs in where: what an undo can rebuild from a journal record, and a flow has from its input. */
export interface LoginTarget {
  server: { fqdn: string; port: number };
  /** Who logs in: the name the server knows the signed-in account by (an Entra admin entry's name). */
  signedIn: { user: string };
  /** This process's `--connect-to`: where connections meant for the server's Azure name go instead. */
  connectTo?: ConnectToMap | undefined;
}

/**
 * Where a login connects, and what sent it there (`via`: a mapping's source, or the DNS servers).
 * Not `ok` when SC_DOCTOR_DNS_SERVER's servers have no address for the server's name.
 */
export type LoginAddress =
  | { ok: true; host: string; port: number; via: string | null }
  | { ok: false; message: string };

/**
 * The TCP address of a login, the same for the doctor's logins and setup's and undo's. A
 * `--connect-to` mapping wins. With SC_DOCTOR_DNS_SERVER, the server's name is resolved by those
 * servers (as the network check does) and the driver connects to that address, with TLS still
 * verified against the name: a driver left to resolve the name itself would ask the system's
 * resolver, not the servers the user named. Otherwise the driver resolves the name, as an app would.
 */
export async function loginAddress(
  services: Pick<Services, 'env' | 'dns'>,
  server: { fqdn: string; port: number },
  connectTo: ConnectToMap | undefined,
  signal?: AbortSignal,
): Promise<LoginAddress> {
  const mapped = connectTarget(connectTo, server.fqdn, server.port);
  if (mapped) return { ok: true, ...mapped, via: connectTo?.source ?? '--connect-to' };
  const named = parseDnsServers(services.env.SC_DOCTOR_DNS_SERVER?.trim() || '');
  if (!named.ok || !services.dns) return { ok: true, host: server.fqdn, port: server.port, via: null };
  const answer = await services.dns.resolve(server.fqdn, signal);
  const address = answer.ok ? answer.addresses[0] : undefined;
  if (address) return { ok: true, host: address, port: server.port, via: 'SC_DOCTOR_DNS_SERVER' };
  return {
    ok: false,
    message: `${server.fqdn} does not resolve at SC_DOCTOR_DNS_SERVER (${answer.ok ? 'no address' : answer.code})`,
  };
}

/** The TCP address of a setup or undo login (`loginAddress`); throws when it has none. */
export async function addressOf(
  services: Pick<Services, 'env' | 'dns'>,
  server: { fqdn: string; port: number },
  connectTo: ConnectToMap | undefined,
  signal?: AbortSignal,
): Promise<{ host: string; port: number }> {
  const address = await loginAddress(services, server, connectTo, signal);
  if (!address.ok) throw new Error(address.message);
  return { host: address.host, port: address.port };
}

/** A login target rebuilt from what a journal record keeps: the server's name and port, and the login. */
export function loginFromRecord(
  record: { fqdn: string; port: number; signedInUser: string },
  connectTo: ConnectToMap | undefined,
): LoginTarget {
  return {
    server: { fqdn: record.fqdn, port: record.port },
    signedIn: { user: record.signedInUser },
    connectTo,
  };
}

/** The signed-in account's Entra token for logging in to a server of `kind`; throws naming who and why not. */
export async function databaseToken(
  services: Services,
  kind: Pick<DatabaseDescriptor, 'tokenAudience' | 'engine'>,
  who: string,
  signal?: AbortSignal,
): Promise<string> {
  const cloud = await services.azure.cloud(signal);
  const scope = kind.tokenAudience === 'sql' ? cloud.sqlScope : cloud.ossrdbmsScope;
  const token = await services.azure.credential.tryGetToken(scope, signal);
  if (!token.ok)
    throw new Error(
      `no ${kind.tokenAudience === 'sql' ? `${kind.engine} ` : 'database '}token for ${who}: ${token.diagnosis.message}`,
    );
  return token.token.token;
}

/** A driver's message with the token cut out, should a server ever echo it. */
export function withoutToken(text: string, token: string): string {
  return token ? text.split(token).join('[token]') : text;
}
