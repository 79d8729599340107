/**
 * Everything the core touches in the outside world comes through one `Services` object, so tests
 * pass real local servers or fakes instead of monkey-patching modules.
 */
import type { AzureSession } from '../azure/session.ts';

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
  /** Azure access for this run: az facts, cloud endpoints and tokens, each asked at most once. */
  azure: AzureSession;
}
