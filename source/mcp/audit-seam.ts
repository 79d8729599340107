/**
 * ─── SEAM: the fleet audit (issue 16) ───────────────────────────────────────────────────────────────
 *
 * The `audit` tool serves `sc-doctor audit`'s JSON document. The audit itself is built in
 * source/audit/ by other work; once both have landed, the lead wires it here, in this file only:
 *
 *     export const loadAuditRunner: AuditLoader | undefined = async () =>
 *       (await import('../audit/<module>.ts')).<function returning the audit's JSON document>;
 *
 * (adapting the request below to that function's options). Until then there is no runner and the
 * server does not list the tool. Tests inject a stand-in through `McpDeps.loadAudit`.
 * ─────────────────────────────────────────────────────────────────────────────────────────────────────
 */
import type { DoctorOptions } from '../core/types.ts';

/** What the `audit` tool takes, as `sc-doctor audit`'s flags (issue 16) say it. Never KQL. */
export interface AuditRequest {
  /** `--subscription ID` (repeatable). */
  subscriptions: string[];
  /** `--management-group NAME`. */
  managementGroup?: string;
  /** `--all`: every subscription the caller can read. */
  all: boolean;
  /** `--database postgres|mysql|sql`. */
  database?: 'postgres' | 'mysql' | 'sql';
  /** `--resource-group NAME`. */
  resourceGroup?: string;
  /** `--tag k=v` (repeatable). */
  tags: string[];
  /** `--check-user`: also log in to each database. */
  checkUser: boolean;
}

/**
 * The audit's JSON document (`sc-doctor audit --json`): versioned like the doctor's, with every pair,
 * its checks and remedies. The tool relies on `schemaVersion` and `pairs` only; the rest is passed on.
 */
export interface AuditDocument {
  schemaVersion: number;
  pairs: Record<string, unknown>[];
  [key: string]: unknown;
}

/** Runs the audit read-only and returns its document. */
export type AuditRunner = (
  request: AuditRequest,
  context: { options: DoctorOptions; env: Readonly<Record<string, string | undefined>>; signal: AbortSignal },
) => Promise<AuditDocument>;

export type AuditLoader = () => Promise<AuditRunner>;

/** The real audit, once wired (see the top of this file); undefined lists no `audit` tool. */
export const loadAuditRunner: AuditLoader | undefined = undefined;
