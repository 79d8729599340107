/**
 * `--connect-to HOST:PORT=HOST:PORT[,...]` (and `SC_DOCTOR_CONNECT_TO`), as curl's option of that
 * name: connections meant for a server's Azure name go to another address instead, such as the local
 * end of an SSH tunnel or a jump box's port forward. The Azure name is then never looked up in DNS;
 * TLS still verifies the certificate against the Azure name. Every connection to a database uses
 * `connectTarget` so a mapping applies everywhere alike.
 */

/** One `from=to` pair. Host names are kept lower-case; IPv6 addresses without their brackets. */
export interface ConnectToEntry {
  from: { host: string; port: number };
  to: { host: string; port: number };
}

/** The mapping in effect and where it came from. */
export interface ConnectToMap {
  entries: ConnectToEntry[];
  source: '--connect-to' | 'SC_DOCTOR_CONNECT_TO';
}

export type ConnectToParse =
  | { ok: true; entries: ConnectToEntry[] }
  | { ok: false; entry: string; problem: string };

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;
const IPV6 = /^[0-9a-f:.]+$/i;

/** Parses a comma-separated list of `HOST:PORT=HOST:PORT`; the first bad entry is named. */
export function parseConnectTo(text: string): ConnectToParse {
  const entries: ConnectToEntry[] = [];
  const pieces = text.split(',').map((piece) => piece.trim());
  for (const piece of pieces) {
    if (piece === '')
      return { ok: false, entry: text, problem: 'an empty entry (two commas, or one at an end)' };
    const parts = piece.split('=');
    if (parts.length !== 2) return { ok: false, entry: piece, problem: 'expected exactly one =' };
    const from = endpoint(parts[0]!);
    if (typeof from === 'string') return { ok: false, entry: piece, problem: `left side: ${from}` };
    const to = endpoint(parts[1]!);
    if (typeof to === 'string') return { ok: false, entry: piece, problem: `right side: ${to}` };
    if (entries.some((e) => e.from.host === from.host && e.from.port === from.port))
      return { ok: false, entry: piece, problem: `${from.host}:${from.port} is mapped twice` };
    entries.push({ from, to });
  }
  return { ok: true, entries };
}

/** Where a connection for `host:port` really goes: the mapped address, or undefined to use DNS. */
export function connectTarget(
  map: ConnectToMap | undefined,
  host: string,
  port: number,
): { host: string; port: number } | undefined {
  const wanted = normaliseHost(host);
  return map?.entries.find((e) => e.from.host === wanted && e.from.port === port)?.to;
}

/** `host:port` with IPv6 bracketed, for messages. */
export function formatHostPort(address: { host: string; port: number }): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

function endpoint(text: string): { host: string; port: number } | string {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  if (!match) return `'${text}' is not HOST:PORT`;
  const host = match[1] ?? match[2] ?? '';
  if (host === '') return `'${text}' has no host`;
  if (match[1] !== undefined ? !IPV6.test(host) : !HOST_NAME.test(host))
    return `'${host}' is not a host name or address`;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${match[3]} is not 1-65535`;
  return { host: normaliseHost(host), port };
}

function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
