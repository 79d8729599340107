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
   * Asks the user (pick, confirm, enter a value). Set by the CLI for the output mode: Ink-backed when
   * interactive, refusing with a usage error naming the flag otherwise. Absent in unit tests of
   * checks, which never ask.
   */
  prompter?: Prompter;
}
