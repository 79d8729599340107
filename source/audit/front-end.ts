/** What the CLI hands an audit front-end (json, plain or interactive). */
import type { Services } from '../core/services.ts';
import type { PairResult } from './check-pair.ts';
import type { AppEntry, AuditRequest, AuditSummary } from './types.ts';

export interface AuditFrontEndInput {
  request: AuditRequest;
  services: Services;
  header: { tool: string; version: string };
  verbose: boolean;
  color: boolean;
  /** Aborted on Ctrl-C: the audit stops, nothing is reported as finished. */
  cancel: AbortController;
  /** `--out FILE`, opened. */
  report?: ReportFile;
  /** Where `report` goes, to say so at the end. */
  reportPath?: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Keys (interactive only; the process's stdin otherwise). */
  stdin?: NodeJS.ReadStream;
}

export type AuditFrontEnd = (input: AuditFrontEndInput) => Promise<number>;

/** `--out FILE` as a front-end feeds it (output/audit/report-file.ts writes it). */
export interface ReportFile {
  pair(pair: PairResult): void;
  app(entry: AppEntry): void;
  /** Puts the report together at its path. */
  finish(
    summary: AuditSummary | null,
    problem: { message: string; details: string[] } | null,
    exitCode: number,
  ): void;
  /** Removes the scratch files (a cancelled run leaves no report and no litter). */
  discard(): void;
}
