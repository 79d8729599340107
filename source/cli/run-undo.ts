/**
 * `sc-doctor undo [RUN_ID]` and `sc-doctor undo --list`: reverse a finished or interrupted run from
 * its journal (the latest when no id is given), or list the runs. Prints lines, or one JSON document.
 */
import type { CoreEvent } from '../core/events.ts';
import { ExitCode } from '../core/exit-codes.ts';
import { colorEnabled } from '../core/mode.ts';
import type { DoctorOptions } from '../core/types.ts';
import { lastSegment } from '../doctor/facts-of.ts';
import { SetupLines } from '../output/setup-plain.ts';
import { unicodeSupported } from '../output/terminal.ts';
import { Interrupts } from '../setup/interrupts.ts';
import { type RunSummary, UnknownRunError } from '../setup/journal.ts';
import { RunLockedError } from '../setup/run-lock.ts';
import { type UndoRunResult, undoFromJournal } from '../setup/undo-from-journal.ts';
import { undoersForRun } from '../setup/undoers-for.ts';
import { leftLines } from '../setup/wording.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { nodeDeps } from './run-doctor.ts';
import { journalFor, type SetupDeps } from './run-setup.ts';
import type { UndoRequest } from './setup-options.ts';
import { UsageError } from './usage-error.ts';
import { TOOL_NAME, toolVersion } from './version.ts';

export interface UndoCommand {
  request: UndoRequest;
  options: DoctorOptions;
  json: boolean;
  /** Lines, never a live screen (as without a terminal). */
  plain?: boolean;
}

/** `undo --list` as lines: id, started, server, status; a note for unfinished runs. */
export function runListLines(runs: readonly RunSummary[]): string[] {
  if (runs.length === 0) return ['No setup runs yet: nothing to undo.'];
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

  // Newest last by when they started (run ids are unique, not ordered).
  const runs = (await journal.listRuns()).sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
  );
  if (command.request.list) {
    if (command.json) {
      io.stdout.write(`${JSON.stringify({ ...header, runs, exitCode: 0 }, null, 2)}\n`);
    } else print(runListLines(runs));
    return ExitCode.Success;
  }

  const runId = command.request.runId ?? runs.at(-1)?.runId;
  if (runId === undefined)
    throw new UsageError('there is no setup run to undo.', ['Run sc-doctor undo --list to see the runs.']);
  if (command.request.runId !== undefined && !runs.some((run) => run.runId === runId)) {
    throw new UsageError(new UnknownRunError(runId).message);
  }

  const mode = outputModeFor({ json: command.json, plain: command.plain ?? false }, io);
  const interrupts = new Interrupts();
  const unsubscribe = io.onSignal?.(() => void interrupts.interrupt());
  const disposers: (() => void)[] = [];
  try {
    const services = await deps.createServices(command.options);
    disposers.push(() => services.azure?.dispose());
    const plan = await journal.loadRun(runId);
    const undo = (emit: (event: CoreEvent) => void) =>
      undoFromJournal({
        journal,
        runId,
        steps: (run) =>
          deps.undoers ? deps.undoers(services) : undoersForRun(run, services, command.options.connectTo),
        emit,
        stopSignal: interrupts.stopSignal,
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
          interrupt: () => void interrupts.interrupt(),
          color: colorEnabled(mode, io.env, io.stdoutIsTTY),
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
      io.stdout.write(`${JSON.stringify({ ...header, undo: result, exitCode: result.exitCode }, null, 2)}\n`);
    } else {
      print(['', ...closing(result), `Exit code ${result.exitCode}.`]);
    }
    return result.exitCode;
  } catch (error) {
    if (error instanceof RunLockedError || error instanceof UnknownRunError)
      throw new UsageError(error.message);
    throw error;
  } finally {
    for (const dispose of disposers) dispose();
    unsubscribe?.();
  }
}
