/**
 * `sc-doctor audit`: builds the services, wires Ctrl-C, opens the report file and hands the run to
 * the front-end of the chosen mode. Loaded only once argv is valid; Ink only in interactive mode.
 */
import type { AuditFrontEnd } from '../audit/front-ends/input.ts';
import { ExitCode } from '../core/exit-codes.ts';
import { colorEnabled, type OutputMode } from '../core/mode.ts';
import type { Services } from '../core/services.ts';
import type { DoctorOptions } from '../core/types.ts';
import type { AuditCommand } from './audit-options.ts';
import { assertCloudRegistered } from './cloud-option.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { TOOL_NAME, toolVersion } from './version.ts';

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
    if (mode === 'json') return (await import('../audit/front-ends/json.ts')).runAuditJson;
    if (mode === 'plain') return (await import('../audit/front-ends/plain.ts')).runAuditPlain;
    return (await import('../audit/front-ends/interactive.tsx')).runAuditInteractive;
  },
};

export async function runAuditCommand(
  command: AuditCommand,
  flags: { json: boolean; plain: boolean; verbose: boolean },
  io: CliIo,
  deps: AuditDeps = auditNodeDeps,
): Promise<number> {
  const mode = outputModeFor(flags, io);
  const cancel = new AbortController();
  let signals = 0;
  const unsubscribe = io.onSignal?.(() => {
    signals += 1;
    if (signals === 1) cancel.abort(new Error('cancelled'));
    else process.exit(ExitCode.Cancelled);
  });
  let services: Services | undefined;
  try {
    const [created, frontEnd] = await Promise.all([
      deps.createServices(command.options),
      deps.loadFrontEnd(mode),
    ]);
    services = created;
    cancel.signal.addEventListener('abort', () => created.azure.dispose(), { once: true });
    await assertCloudRegistered(created.azure, command.options.cloud);
    const header = { tool: TOOL_NAME, version: toolVersion() };
    const report = command.out
      ? (await import('../audit/reports/report-file.ts')).openReportFile(
          command.out.path,
          command.request,
          header,
          new Date(),
        )
      : undefined;
    return await frontEnd({
      request: command.request,
      services: created,
      header,
      verbose: flags.verbose,
      color: colorEnabled(mode, io.env, io.stdoutIsTTY),
      cancel,
      ...(report ? { report, reportPath: command.out!.path } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
    });
  } finally {
    services?.azure.dispose();
    unsubscribe?.();
  }
}
