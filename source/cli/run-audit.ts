/**
 * `sc-doctor audit`: one command run like the others (run-command.ts: its lifecycle, services and
 * `--cloud` check, the cleanups), with the report file opened and the run handed to the front-end of
 * the chosen mode. Interrupts are the lifecycle's: the first Ctrl-C stops the audit (its reads end
 * with the run's signal, the report file is discarded), a second ends the process at once (exit 130).
 * Loaded only once argv is valid; Ink only in interactive mode.
 */
import type { AuditFrontEnd } from '../audit/front-end.ts';
import type { OutputMode } from '../core/mode.ts';
import type { Services } from '../core/services.ts';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import type { AuditCommand } from './audit-options.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { runCommand } from './run-command.ts';

export interface AuditDeps {
  createServices(options: DoctorOptions): Promise<Services>;
  loadFrontEnd(mode: OutputMode): Promise<AuditFrontEnd>;
}

export const auditNodeDeps: AuditDeps = {
  async createServices(options) {
    const { createNodeServices } = await import('../services/node.ts');
    return createNodeServices({ cloud: options.cloud, credential: options.credential });
  },
  async loadFrontEnd(mode) {
    if (mode === 'json') return (await import('../output/audit/json.ts')).runAuditJson;
    if (mode === 'plain') return (await import('../output/audit/plain.ts')).runAuditPlain;
    return (await import('../ui/audit/interactive.tsx')).runAuditInteractive;
  },
};

export function runAuditCommand(
  command: AuditCommand,
  flags: { json: boolean; plain: boolean; verbose: boolean },
  io: CliIo,
  deps: AuditDeps = auditNodeDeps,
): Promise<number> {
  const mode = outputModeFor(flags, io);
  return runCommand(io, { mode, engine: false }, async (run) => {
    const [services, frontEnd] = await Promise.all([
      // Nothing to roll back: a cancelled audit stops its az processes at once, as the doctor does.
      run.services(() => deps.createServices(command.options), {
        cloud: command.options.cloud,
        disposeOnCancel: true,
      }),
      deps.loadFrontEnd(mode),
    ]);
    const header = { tool: TOOL_NAME, version: toolVersion() };
    const report = command.out
      ? (await import('../output/audit/report-file.ts')).openReportFile(
          command.out.path,
          command.request,
          header,
          new Date(),
        )
      : undefined;
    return frontEnd({
      request: command.request,
      services,
      header,
      verbose: flags.verbose,
      color: run.color,
      cancel: run.lifecycle.cancel,
      ...(report ? { report, reportPath: command.out!.path } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
    });
  });
}
