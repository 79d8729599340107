/**
 * The real `Services` of a run: the process environment, the clock, child processes and an Azure
 * session for the chosen cloud and subscription.
 */
import { createAzureSession } from '../azure/session.ts';
import { parseDnsServers } from '../core/dns-servers.ts';
import type { Services } from '../core/services.ts';
import { createNodeDns } from './dns.ts';
import { nodeExec } from './exec.ts';
import { createNodeNet } from './net.ts';
import { echoPublicIp, statedPublicIp } from './public-ip.ts';

export interface NodeServicesOptions {
  cloud?: string;
  subscription?: string;
  credential?: 'default' | 'managed-identity';
}

/** Services backed by this machine; nothing is contacted until a check asks. */
export function createNodeServices(options: NodeServicesOptions): Services {
  const base = { env: process.env, now: Date.now, exec: nodeExec };
  // Already validated by the CLI: a stated address replaces the echo service entirely.
  const stated = base.env.SC_DOCTOR_PUBLIC_IP?.trim();
  const dnsServers = parseDnsServers(base.env.SC_DOCTOR_DNS_SERVER?.trim() || '');
  return {
    ...base,
    dns: createNodeDns(undefined, undefined, dnsServers.ok ? dnsServers.servers : undefined),
    net: createNodeNet(),
    publicIp: stated ? statedPublicIp(stated) : echoPublicIp(),
    azure: createAzureSession(base, {
      cloud: options.cloud,
      subscription: options.subscription,
      credential: options.credential,
    }),
  };
}
