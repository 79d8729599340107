/**
 * Everything the core touches in the outside world comes through one `Services` object, so tests
 * pass real local servers or fakes instead of monkey-patching modules.
 *
 * The core knows no cloud: a module that adds a service (the Azure session, for one) declares its
 * slot by augmenting `Services` from its own file, so imports point from that module to the core and
 * never back (docs/architecture.md, "Dependencies point inwards").
 */
import type { Prompter } from './prompter.ts';

export interface ExecOptions {
  /** Kill the process after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra environment on top of `Services.env`. */
  env?: Record<string, string | undefined>;
}

export interface ExecResult {
  /** `null` when the process did not exit by itself (timeout, signal, not found). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The executable is not on PATH. */
  notFound: boolean;
}

export interface Services {
  /** The environment the run sees (never read `process.env` directly in the core). */
  env: Readonly<Record<string, string | undefined>>;
  /** Run a program without a shell. Never throws for a non-zero exit, a timeout or a missing program. */
  exec(file: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Waits `ms` (rejects when `signal` aborts). Optional: code that waits between attempts (Entra
   * replication, a new firewall rule) uses a timer without it; tests pass one that returns at once and
   * moves their clock instead.
   */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Asks the user (pick, confirm, enter a value). Set by the CLI for the output mode: Ink-backed when
   * interactive, refusing with a usage error naming the flag otherwise. Absent in unit tests of
   * checks, which never ask.
   */
  prompter?: Prompter;
  /** Name resolution for the network checks; when absent they say they could not look. */
  dns?: DnsResolver;
  /** TCP probes and the routing table; when absent the network checks do not probe. */
  net?: NetProbe;
  /** This machine's public IP for the firewall check; when absent the IP is unknown. */
  publicIp?: PublicIpLookup;
}

/** What a DNS lookup of one host name found. Never throws: a failure is an answer too. */
export type DnsAnswer =
  | {
      ok: true;
      /** The CNAME chain followed from the asked name, in order (empty when there is none). */
      cnameChain: string[];
      /** The addresses the system resolver gives for the name (IPv4 first). */
      addresses: string[];
    }
  | {
      ok: false;
      cnameChain: string[];
      /** The resolver's code, e.g. `ENOTFOUND`, `ETIMEOUT`, `ECONNREFUSED`. */
      code: string;
    };

export interface DnsResolver {
  /** Follows the CNAME chain of `host`, then asks the system resolver for its addresses. */
  resolve(host: string, signal?: AbortSignal): Promise<DnsAnswer>;
}

/** How a TCP connection attempt ended. */
export type TcpConnectResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'timeout' | 'refused' | 'unreachable' | 'aborted' | 'error';
      /** The system error code when there is one (`ECONNREFUSED`, `EHOSTUNREACH`...). */
      code?: string;
    };

export interface NetProbe {
  /** Opens a TCP connection to `host:port` and closes it at once; never throws. */
  tcpConnect(
    host: string,
    port: number,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<TcpConnectResult>;
  /**
   * Whether this machine has a route meant for `address` other than the default route (an interface
   * on its subnet, a VPN route): `undefined` when it cannot tell.
   */
  hasRouteTo(address: string): Promise<boolean | undefined>;
}

/** The public IPv4 address this machine's traffic leaves from, and who said so. */
export type PublicIpAnswer = { ok: true; address: string; source: string } | { ok: false; reason: string };

export interface PublicIpLookup {
  lookup(signal?: AbortSignal): Promise<PublicIpAnswer>;
}
