/** What the CLI hands an audit front-end (json, plain or interactive). */
import type { Services } from '../../core/services.ts';
import type { ReportFile } from '../reports/report-file.ts';
import type { AuditRequest } from '../types.ts';

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
