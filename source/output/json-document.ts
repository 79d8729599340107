/**
 * The `--json` document, version 1: its shape is public API (README "JSON output"), every field listed
 * here explicitly so nothing a check keeps in `data` leaks into it by accident. The doctor's front-end
 * (json.ts), setup's (setup-json.ts) and `snippet` fill it.
 */
import { summarize } from '../core/run-checks.ts';
import type { CheckOutcome, CheckStatus, DoctorSummary } from '../core/types.ts';
import type { LeftBehind, NotDone, RollbackOutcome, StepOutcome } from '../engine/events.ts';
import type { SetupStatus } from '../engine/run-setup.ts';
import type { Snippet } from '../snippets/types.ts';

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

/** The `setup` block of the JSON document (schema version 1). */
export interface JsonSetup {
  /** `refused`: a blocking check failed; `planned`: `--dry-run`; `declined`: backed out at the plan. */
  status: 'refused' | 'planned' | 'declined' | SetupStatus;
  /** Who connects to what and how, e.g. `orders-api → pg-orders/orders · system identity · client java`. */
  title: string | null;
  runId: string | null;
  /** Why setup did not start (status `refused`). */
  reasons: string[];
  /**
   * Every planned step; `alreadyDone`: the plan could tell the change is in place already (the run
   * then writes nothing for it); `readOnly`: the step only checks, it is no change.
   */
  plan: {
    id: string;
    title: string;
    lines: string[];
    consent: string | null;
    alreadyDone: boolean;
    readOnly: boolean;
  }[];
  steps: {
    id: string;
    title: string;
    outcome: StepOutcome;
    message: string | null;
    elapsedMs: number;
    scriptPath: string | null;
  }[];
  notDone: NotDone[];
  /** Steps whose work went to a script for someone inside the server's network. */
  handedOff: { step: string; script: string }[];
  /** The command that finishes the hand-off from inside the network; null when nothing was handed off. */
  resume: string | null;
  rollback: {
    /** Whether anything was undone (a failure or Ctrl-C after a change). */
    ran: boolean;
    complete: boolean;
    steps: { id: string; title: string; outcome: RollbackOutcome }[];
    left: LeftBehind[];
  };
}
