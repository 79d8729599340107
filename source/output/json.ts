/**
 * The `--json` front-end: runs the doctor silently and prints exactly one JSON document on
 * stdout. The document's shape is public API (README "JSON output"); every field is listed here
 * explicitly so nothing a check keeps in `data` leaks into it by accident.
 */
import { exitCodeFor } from '../core/exit-codes.ts';
import { summarize } from '../core/run-checks.ts';
import type { CheckOutcome, CheckStatus, DoctorSummary } from '../core/types.ts';
import type { FrontEnd } from '../run/front-end.ts';
import type { Snippet } from '../snippets/types.ts';
import type { JsonSetup } from './setup-json.ts';

export interface JsonRemediation {
  summary: string;
  /** Commands only, each runnable as it is. */
  commands: string[];
  /** Who a command is for (`Debian / Ubuntu`), keyed by the command's text; `{}` when none. */
  commandLabels: Record<string, string>;
  docsUrl: string | null;
  fixable: boolean;
}

export interface JsonCheck {
  id: string;
  title: string;
  status: CheckStatus;
  durationMs: number;
  message: string;
  details: string[];
  remediation: JsonRemediation | null;
  /** True when nothing setup can do fixes this failure (setup refuses to start on it). */
  blocking: boolean;
}

/** One generated snippet in the document (`sc-doctor snippet`). Secrets are named, never valued. */
export interface JsonSnippet extends Snippet {
  /** The project file the client type was detected from; null when `--client-type` named it. */
  detectedFrom: string | null;
  /** Paths written with `--out`, relative to the current folder; empty when printed. */
  written: string[];
}

/** Version 1 of the `--json` document. */
export interface JsonDocument {
  schemaVersion: 1;
  tool: { name: string; version: string };
  mode: 'json';
  command: string;
  doctor: { summary: DoctorSummary; checks: JsonCheck[] };
  /** Filled by `sc-doctor setup`; null for the doctor. */
  setup: JsonSetup | null;
  snippets: JsonSnippet[];
  exitCode: number;
}

/** Builds the document from finished outcomes. */
export function jsonDocument(
  header: { tool: string; version: string; command: string },
  outcomes: readonly CheckOutcome[],
  exitCode: number,
): JsonDocument {
  return {
    schemaVersion: 1,
    tool: { name: header.tool, version: header.version },
    mode: 'json',
    command: header.command,
    doctor: { summary: summarize(outcomes), checks: outcomes.map(jsonCheck) },
    setup: null,
    snippets: [],
    exitCode,
  };
}

function jsonCheck(outcome: CheckOutcome): JsonCheck {
  const { remediation } = outcome;
  return {
    id: outcome.id,
    title: outcome.title,
    status: outcome.status,
    durationMs: outcome.durationMs,
    message: outcome.message,
    details: [...outcome.details],
    remediation: remediation
      ? {
          summary: remediation.summary,
          commands: [...remediation.commands],
          commandLabels: { ...remediation.commandLabels },
          docsUrl: remediation.docsUrl ?? null,
          fixable: remediation.fixable,
        }
      : null,
    blocking: outcome.blocking,
  };
}

export const runJson: FrontEnd = async (input) => {
  const outcomes = await input.session.doctor();
  const exitCode = exitCodeFor({
    doctor: summarize(outcomes),
    strict: input.strict,
    cancelled: input.cancel.signal.aborted,
  });
  input.stdout.write(`${JSON.stringify(jsonDocument(input.header, outcomes, exitCode), null, 2)}\n`);
  return exitCode;
};
