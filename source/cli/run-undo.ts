/**
 * `sc-doctor undo [RUN_ID]` and `sc-doctor undo --list`: reverse a finished or interrupted run from
 * its journal (the latest when no id is given), or list the runs. Prints lines, or one JSON document.
 */

import { settleArmWrite } from '../azure/arm-write.ts';
import { lastSegment } from '../azure/resource-id.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import {
  type RunSummary,
  UnknownRunError,
  UnreadableJournalError,
  type UnreadableRun,
} from '../engine/journal.ts';
import { RunLockedError } from '../engine/run-lock.ts';
import { type UndoRunResult, undoFromJournal } from '../engine/undo-from-journal.ts';
import { SetupLines } from '../output/setup-plain.ts';
import { unicodeSupported } from '../output/terminal.ts';
import type { RunEvent } from '../run/events.ts';
import { undoersForRun } from '../setup/undoers-for.ts';
import { leftLines } from '../setup/wording.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { runCommand } from './run-command.ts';
import { nodeDeps } from './run-doctor.ts';
import { journalFor, type SetupDeps } from './run-setup.ts';
import type { UndoRequest } from './setup-options.ts';
import { UsageError } from './usage-error.ts';

export interface UndoCommand {
  request: UndoRequest;
  options: DoctorOptions;
  json: boolean;
  /** Lines, never a live screen (as without a terminal). */
  plain?: boolean;
}

/**
 * `undo --list` as lines: id, started, server, status; a note for unfinished runs; then each journal
 * that cannot be read, with its path and what to do.
 */
export function runListLines(
  runs: readonly RunSummary[],
  unreadable: readonly UnreadableRun[] = [],
): string[] {
  if (runs.length === 0 && unreadable.length === 0) return ['No setup runs yet: nothing to undo.'];
  return [...(runs.length > 0 ? runTable(runs) : []), ...unreadableLines(unreadable)];
}

function unreadableLines(unreadable: readonly UnreadableRun[]): string[] {
  if (unreadable.length === 0) return [];
  const lines = [
    '',
    `Unreadable journals (${unreadable.length}): never undone, and they do not stop other runs.`,
  ];
  for (const entry of unreadable) {
    lines.push(`  ${entry.runId}  ${entry.path}`, `    ${entry.problem}.`, `    ${entry.fix}`);
  }
  return lines;
}

function runTable(runs: readonly RunSummary[]): string[] {
  const rows = runs.map((run) => [
    run.runId,
    run.createdAt.replace(/\.\d+Z$/, 'Z'),
    lastSegment(run.target),
    `${run.status}${run.unfinished ? ' (unfinished: undo it)' : ''}`,
  ]);
  const header = ['RUN', 'STARTED', 'SERVER', 'STATUS'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export async function runUndoCommand(
  command: UndoCommand,
  io: CliIo,
  deps: SetupDeps = nodeDeps,
): Promise<number> {
  const journal = journalFor(io, deps);
  const header = {
    schemaVersion: 1 as const,
    tool: { name: TOOL_NAME, version: toolVersion() },
    mode: 'json' as const,
    command: 'undo',
  };
  const print = (lines: string[]) => io.stdout.write(lines.map((line) => `${line}\n`).join(''));

  const listing = await journal.listJournals();
  // Newest last by when they started (run ids are unique, not ordered).
  const runs = listing.runs.sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
  );
  const { unreadable } = listing;
  if (command.request.list) {
    if (command.json) {
      io.stdout.write(`${JSON.stringify({ ...header, runs, unreadable, exitCode: 0 }, null, 2)}\n`);
    } else print(runListLines(runs, unreadable));
    return exitCodeFor({ cancelled: false });
  }

  const named = command.request.runId;
  const broken = unreadable.find((entry) => entry.runId === named);
  if (broken) throw new UnreadableJournalError(broken);
  const runId = named ?? latestRunId(runs, unreadable);
  if (runId === undefined)
    throw new UsageError('there is no setup run to undo.', ['Run sc-doctor undo --list to see the runs.']);
  if (named !== undefined && !runs.some((run) => run.runId === runId)) {
    throw new UsageError(new UnknownRunError(runId).message);
  }

  const mode = outputModeFor({ json: command.json, plain: command.plain ?? false }, io);
  // The engine's interrupts: the first stops starting undos, the second stops waiting.
  return runCommand(io, { mode, engine: true }, async (run) => {
    const { interrupts } = run.lifecycle;
    try {
      // The journal's run names its own server: no --cloud check (undo uses the cloud it is given).
      const services = await run.services(() => deps.createServices(command.options), { cloud: undefined });
      const plan = await journal.loadRun(runId);
      const undo = (emit: (event: RunEvent) => void) =>
        undoFromJournal({
          journal,
          runId,
          steps: (journalled) =>
            deps.undoers
              ? deps.undoers(services)
              : undoersForRun(journalled, services, command.options.connectTo),
          emit,
          stopSignal: interrupts.stopSignal,
          settleWrite: (write, ctx) => settleArmWrite(services, write, ctx),
        });
      const closing = (result: UndoRunResult) =>
        result.status === 'undone'
          ? [`Run ${runId} is undone: nothing it changed is left.`]
          : leftLines(runId, result.left);

      // In a terminal: the same live list as a setup's rollback.
      if (mode === 'interactive') {
        const { runUndoInteractive } = await import('../ui/undo-interactive.tsx');
        return await runUndoInteractive(
          {
            runId,
            steps: plan.steps.map(({ id, title }) => ({ id, title })),
            run: async (emit) => {
              const result = await undo(emit);
              return { exitCode: result.exitCode, closing: closing(result) };
            },
            interrupt: () => run.lifecycle.interrupt(),
            color: run.color,
          },
          { stdout: io.stdout as NodeJS.WriteStream, stderr: io.stderr as NodeJS.WriteStream },
        );
      }

      const style = { color: false, unicode: unicodeSupported(io.env, process.platform), verbose: false };
      const lines = new SetupLines(style, command.json ? () => {} : print, (line) =>
        io.stderr.write(`${line}\n`),
      );
      lines.setOrder(plan.steps.map((step) => step.id));
      const result = await undo((event) => lines.handle(event));
      if (command.json) {
        io.stdout.write(
          `${JSON.stringify({ ...header, undo: result, exitCode: result.exitCode }, null, 2)}\n`,
        );
      } else {
        print(['', ...closing(result), `Exit code ${result.exitCode}.`]);
      }
      return result.exitCode;
    } catch (error) {
      if (error instanceof RunLockedError || error instanceof UnknownRunError)
        throw new UsageError(error.message);
      throw error;
    }
  });
}

/**
 * The run `undo` with no id undoes: the latest. When a journal newer than it cannot be read, that
 * one may well be the run meant: refuse rather than undo an older run in its place.
 */
function latestRunId(runs: readonly RunSummary[], unreadable: readonly UnreadableRun[]): string | undefined {
  const latest = runs.at(-1)?.runId;
  // Run ids start with the UTC date and second of the start, so they compare in time order.
  const newer = unreadable.filter((entry) => latest === undefined || entry.runId > latest).at(-1);
  if (newer)
    throw new UsageError(
      `the newest journal (run ${newer.runId}, ${newer.path}) ${newer.problem}, so sc-doctor will not guess which run to undo.`,
      [
        latest
          ? `To undo the latest readable run instead: sc-doctor undo ${latest}`
          : 'No other run can be undone: sc-doctor undo --list shows them.',
        newer.fix,
      ],
    );
  return latest;
}
