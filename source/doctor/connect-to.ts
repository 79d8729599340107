/**
 * `SC_DOCTOR_CONNECT_TO=HOST:PORT=HOST:PORT[,...]`, like curl's --connect-to: reach a server's Azure
 * name through another address (an SSH tunnel, a jump box's port forward). Only the TCP address
 * changes; TLS still verifies the certificate against the Azure name.
 */

/** Where to connect for `host:port`, after the mapping; the same address when nothing maps it. */
export function connectAddress(
  env: Readonly<Record<string, string | undefined>>,
  host: string,
  port: number,
): { host: string; port: number; mapped: boolean } {
  for (const pair of (env.SC_DOCTOR_CONNECT_TO ?? '').split(',')) {
    const match = /^\s*([^:=\s]+):(\d+)=([^:=\s]+|\[[^\]]+\]):(\d+)\s*$/.exec(pair);
    if (!match) continue;
    const [, fromHost, fromPort, toHost, toPort] = match as unknown as string[];
    if (fromHost!.toLowerCase() === host.toLowerCase() && Number(fromPort) === port)
      return { host: toHost!.replace(/^\[|\]$/g, ''), port: Number(toPort), mapped: true };
  }
  return { host, port, mapped: false };
}
