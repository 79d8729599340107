/**
 * Where and as whom a login to a database server goes, for every kind: the server's Azure name and
 * port, the user, this process's `--connect-to` (built in here, so every login of every kind applies
 * a mapping alike), and the Entra token of the kind's audience. TLS is always verified against the
 * Azure name, wherever the connection goes; the token is only ever sent to the server.
 */
import { type ConnectToMap, connectTarget } from '../core/connect-to.ts';
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

/** The TCP address of a login: the `--connect-to` mapping of the server's name, else the name itself. */
export function addressOf(
  server: { fqdn: string; port: number },
  connectTo: ConnectToMap | undefined,
): { host: string; port: number } {
  return connectTarget(connectTo, server.fqdn, server.port) ?? { host: server.fqdn, port: server.port };
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
