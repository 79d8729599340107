/**
 * The audit's JSON document (schema versioned like the doctor's): one document with every pair, its
 * checks and remedies, the apps that make no pair and why, and the summary. Every field is listed
 * explicitly, so nothing a check keeps in `data` (never a secret, but not public API either) leaks.
 * `AuditDocumentWriter` streams it: the pairs are written as they finish, never held.
 */

import type { Refusal } from '../../audit/arm-reads.ts';
import type { PairResult } from '../../audit/check-pair.ts';
import type { AppRow } from '../../audit/inventory.ts';
import type { AppEntry, AuditRequest, AuditSummary } from '../../audit/types.ts';
import type { Verdict } from '../../audit/verdict.ts';
import type { JsonCheck } from '../json.ts';

export const AUDIT_SCHEMA_VERSION = 1;

export interface JsonAuditApp {
  id: string;
  name: string;
  kind: AppRow['kind'];
  subscriptionId: string;
  resourceGroup: string;
}

export interface JsonAuditCheck extends JsonCheck {
  /** Reads Azure refused while this check ran (why it is "not determinable"). */
  refused: Refusal[];
}

export interface JsonAuditPair {
  app: JsonAuditApp;
  database: {
    kind: string;
    serverId: string;
    serverName: string;
    subscriptionId: string;
    resourceGroup: string;
    name: string | null;
    foundIn: string;
  };
  /** What names this database: the linkers (ids) and the settings (names only, never values). */
  via: { linkers: string[]; settings: string[] };
  verdict: Verdict;
  /** The checks behind the verdict. */
  causes: string[];
  checks: JsonAuditCheck[];
}

export interface JsonAuditAppEntry {
  app: JsonAuditApp;
  status: AppEntry['status'];
  reason: string;
}

/** Version 1 of the `sc-doctor audit --json` document. */
export interface AuditDocument {
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  mode: 'json';
  command: 'audit';
  audit: {
    scope: AuditRequest['scope'];
    filters: { databases: string[]; resourceGroup: string | null; tags: { key: string; value: string }[] };
    checkUser: boolean;
    pairs: JsonAuditPair[];
    apps: JsonAuditAppEntry[];
    /** Null when the audit could not run (`problem` says why). */
    summary: AuditSummary | null;
    problem: { message: string; details: string[] } | null;
  };
  exitCode: number;
}

export function jsonApp(app: AppRow): JsonAuditApp {
  return {
    id: app.id,
    name: app.name,
    kind: app.kind,
    subscriptionId: app.subscriptionId,
    resourceGroup: app.resourceGroup,
  };
}

export function jsonPair(pair: PairResult): JsonAuditPair {
  const { database } = pair.plan;
  return {
    app: jsonApp(pair.app),
    database: {
      kind: database.kind,
      serverId: database.serverId,
      serverName: database.serverName,
      subscriptionId: database.subscriptionId,
      resourceGroup: database.resourceGroup,
      name: database.database,
      foundIn: database.foundIn,
    },
    via: { linkers: pair.plan.linkers.map((linker) => linker.id), settings: [...pair.plan.settings] },
    verdict: pair.verdict,
    causes: [...pair.causes],
    checks: pair.checks.map(({ outcome, refusals }) => ({
      id: outcome.id,
      title: outcome.title,
      status: outcome.status,
      durationMs: outcome.durationMs,
      message: outcome.message,
      details: [...outcome.details],
      remediation: outcome.remediation
        ? {
            summary: outcome.remediation.summary,
            commands: [...outcome.remediation.commands],
            commandLabels: { ...outcome.remediation.commandLabels },
            docsUrl: outcome.remediation.docsUrl ?? null,
            fixable: outcome.remediation.fixable,
          }
        : null,
      blocking: outcome.blocking,
      refused: refusals.map((refusal) => ({ ...refusal })),
    })),
  };
}

export function jsonAppEntry(entry: AppEntry): JsonAuditAppEntry {
  return { app: jsonApp(entry.app), status: entry.status, reason: entry.reason };
}

/** The document's fields before the pairs. */
export function documentHead(
  header: { tool: string; version: string },
  request: AuditRequest,
): Omit<AuditDocument, 'audit' | 'exitCode'> & {
  audit: Pick<AuditDocument['audit'], 'scope' | 'filters' | 'checkUser'>;
} {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    tool: { name: header.tool, version: header.version },
    mode: 'json',
    command: 'audit',
    audit: {
      scope: request.scope,
      filters: {
        databases: [...request.kinds],
        resourceGroup: request.resourceGroup ?? null,
        tags: request.tags.map((tag) => ({ ...tag })),
      },
      checkUser: request.checkUser,
    },
  };
}

/**
 * Writes the document to `out` as the audit runs: the head, each pair as it finishes, the apps
 * entries (kept: they are few), then the summary and exit code. The result parses as one
 * `AuditDocument` (2-space indented, like the doctor's).
 */
export class AuditDocumentWriter {
  #pairs = 0;
  readonly #apps: JsonAuditAppEntry[] = [];

  constructor(
    private readonly write: (text: string) => void,
    head: ReturnType<typeof documentHead>,
  ) {
    const open = JSON.stringify({ ...head, audit: { ...head.audit, pairs: [] } }, null, 2);
    // Everything up to the pairs array's opening bracket; the rest is written as the run goes.
    const cut = open.lastIndexOf('"pairs": [') + '"pairs": ['.length;
    this.write(open.slice(0, cut));
  }

  pair(pair: PairResult): void {
    const text = JSON.stringify(jsonPair(pair), null, 2).replace(/\n/g, '\n      ');
    this.write(`${this.#pairs === 0 ? '\n      ' : ',\n      '}${text}`);
    this.#pairs += 1;
  }

  app(entry: AppEntry): void {
    this.#apps.push(jsonAppEntry(entry));
  }

  end(
    summary: AuditSummary | null,
    problem: { message: string; details: string[] } | null,
    exitCode: number,
  ): void {
    const indent = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, '\n    ');
    this.write(
      `${this.#pairs === 0 ? '' : '\n    '}],\n    "apps": ${indent(this.#apps)},\n    "summary": ${indent(summary)},\n    "problem": ${indent(problem)}\n  },\n  "exitCode": ${exitCode}\n}\n`,
    );
  }
}
