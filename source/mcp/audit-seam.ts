/**
 * ─── SEAM: the fleet audit (issue 16) ───────────────────────────────────────────────────────────────
 *
 * The `audit` tool runs `sc-doctor audit` (source/audit/) and answers with its counts and its worst
 * pairs (audit-front-end.ts). The request is turned into the words of an `sc-doctor audit`
 * command line and validated by the CLI's own parser and audit options, so a tool call is refused for
 * exactly the reasons, and in the words, the terminal would be. Tests inject a stand-in through
 * `McpDeps.loadAudit`.
 * ─────────────────────────────────────────────────────────────────────────────────────────────────────
 */
import type { AuditProgress } from '../audit/types.ts';
import type { Services } from '../core/services.ts';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import type { DatabaseKind } from '../databases/kind.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import type { CommandGrammar } from './arguments.ts';

/** What the `audit` tool takes, as `sc-doctor audit`'s flags (issue 16) say it. Never KQL. */
export interface AuditRequest {
  /** `--subscription ID` (repeatable). */
  subscriptions: string[];
  /** `--management-group NAME`. */
  managementGroup?: string;
  /** `--all`: every subscription the caller can read. */
  all: boolean;
  /** `--database postgres|mysql|sql`. */
  database?: DatabaseKind;
  /** `--resource-group NAME`. */
  resourceGroup?: string;
  /** `--tag k=v` (repeatable). */
  tags: string[];
  /** `--check-user`: also log in to each database. */
  checkUser: boolean;
}

/**
 * The tool's answer: `sc-doctor audit --json`'s head and summary with the verdict counts, and at most
 * `limit` of its pairs (fail first), each as the JSON document has it, checks and remedies included.
 */
export interface AuditDocument {
  schemaVersion: number;
  /** The pairs kept: at most `limit`, the ones to act on first. */
  pairs: object[];
  /** How many pairs the audit found (`pairs` may hold fewer). */
  pairCount: number;
  /** Pairs per verdict, over every pair found. */
  verdicts: Record<'fail' | 'unknown' | 'warn' | 'pass', number>;
  /** Why the audit could not run (sign-in, Resource Graph refused the scope); null when it ran. */
  problem: { message: string; details: string[] } | null;
  [key: string]: unknown;
}

/** What a runner is given for one call. */
export interface AuditRunContext {
  /** The server's own options (`--cloud`, `--subscription`, `--credential`, `--connect-to`). */
  options: DoctorOptions;
  /** The CLI's reading of a command line: the request is validated as `sc-doctor audit`'s words. */
  grammar: CommandGrammar;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Runs `use` with the server's services for `options`, made for it and disposed after it: a runner
   * validates the request first, so a refused call makes nothing.
   */
  withServices<T>(use: (services: Services) => Promise<T>): Promise<T>;
  /** The client's cancellation, or the server shutting down. */
  signal: AbortSignal;
  /** Pairs kept in the answer at most. */
  limit: number;
  /** Live counts while the audit runs. */
  onProgress?(progress: AuditProgress): void;
}

/** Runs the audit read-only and returns its answer. */
export type AuditRunner = (request: AuditRequest, context: AuditRunContext) => Promise<AuditDocument>;

export type AuditLoader = () => Promise<AuditRunner>;

/** The words after `sc-doctor` of the audit command this request means (no `--out`, no output mode). */
export function auditWords(request: AuditRequest, server: Pick<DoctorOptions, 'subscription'>): string[] {
  const value = (flag: string, text: string) =>
    text.startsWith('-') ? [`--${flag}=${text}`] : [`--${flag}`, text];
  const words = ['audit'];
  for (const id of request.subscriptions) words.push(...value('subscription', id));
  if (request.managementGroup !== undefined)
    words.push(...value('management-group', request.managementGroup));
  if (request.all) words.push('--all');
  // No scope given: the server's own --subscription, as the CLI falls back to AZURE_SUBSCRIPTION_ID.
  if (words.length === 1 && server.subscription) words.push(...value('subscription', server.subscription));
  if (request.database !== undefined) words.push('--database', request.database);
  if (request.resourceGroup !== undefined) words.push(...value('resource-group', request.resourceGroup));
  for (const tag of request.tags) words.push(...value('tag', tag));
  if (request.checkUser) words.push('--check-user');
  return words;
}

/** The real audit, validated as `sc-doctor audit` validates its command line. */
export const loadAuditRunner: AuditLoader | undefined = async () => {
  const { auditForTool } = await import('./audit-front-end.ts');
  return async (request, context) => {
    const command = context.grammar.auditRequest(auditWords(request, context.options), context.env);
    const connectTo = context.options.connectTo ?? command.connectTo;
    return context.withServices((services) =>
      auditForTool(
        { ...command, ...(connectTo ? { connectTo } : {}) },
        {
          services,
          signal: context.signal,
          header: { tool: TOOL_NAME, version: toolVersion() },
          limit: context.limit,
          ...(context.onProgress ? { onProgress: context.onProgress } : {}),
        },
      ),
    );
  };
};
