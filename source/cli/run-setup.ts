/**
 * Runs `sc-doctor setup` in the chosen mode: the services, the journal, Ctrl-C and SIGTERM counted
 * by `Interrupts` (the first rolls back, the second stops waiting), and the setup front-end. Loaded
 * only after argv is valid.
 */
import { homedir } from 'node:os';
import { EventBus } from '../core/events.ts';
import type { OutputMode } from '../core/mode.ts';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import type { DoctorOptions } from '../doctor/check.ts';
import { Journal } from '../engine/journal.ts';
import type { RunEvent } from '../run/events.ts';
import type { FrontEnd, FrontEndInput } from '../run/front-end.ts';
import { createSession, SLOW_AFTER_MS } from '../run/session.ts';
import { connectionCodeFor } from '../setup/connection-code.ts';
import { type SetupFlowDeps, setupFlow } from '../setup/flow.ts';
import type { SetupRequest } from '../setup/flow-types.ts';
import { showEarlyHeader } from './early-header.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { runCommand } from './run-command.ts';
import { type DoctorDeps, nodeDeps } from './run-doctor.ts';
import { assertSetupFlagsGiven } from './setup-options.ts';

/** What setup and undo are built from, on top of the doctor's; tests replace these. */
export interface SetupDeps extends DoctorDeps {
  buildSteps?: SetupFlowDeps['buildSteps'];
  listUserIdentities?: SetupFlowDeps['listUserIdentities'];
  cwd?: string;
  loadSetupFrontEnd?(mode: OutputMode): Promise<FrontEnd>;
}

export interface SetupCommand {
  options: DoctorOptions;
  request: SetupRequest;
  json: boolean;
  plain: boolean;
  strict: boolean;
}

export async function loadSetupFrontEnd(mode: OutputMode): Promise<FrontEnd> {
  if (mode === 'json') return (await import('../output/setup-json.ts')).runSetupJson;
  if (mode === 'plain') return (await import('../output/setup-plain.ts')).runSetupPlain;
  return (await import('../ui/interactive.tsx')).runInteractive;
}

/** The journal in the user's home (HOME wins, so a test or a sandbox can point it elsewhere). */
export function journalFor(io: CliIo, deps: Pick<SetupDeps, 'home'>): Journal {
  return new Journal({ home: deps.home ?? (io.env.HOME || homedir()) });
}

/** Runs setup and returns its exit code. */
export async function runSetupCommand(
  command: SetupCommand,
  io: CliIo,
  deps: SetupDeps = nodeDeps,
): Promise<number> {
  const mode = outputModeFor(command, io);
  // Nobody can be asked: name every missing flag before a single Azure call.
  if (mode !== 'interactive') assertSetupFlagsGiven(mode, command.request, command.options.target, io.env);

  // The engine's interrupts from the start: the first rolls back (and stops the doctor's checks),
  // the second stops waiting.
  return runCommand(io, { mode, engine: true }, async (run) => {
    const { lifecycle } = run;
    const header = { tool: TOOL_NAME, version: toolVersion(), command: 'setup' };
    // The screen's header now; the screen itself once Ink and the checks are loaded.
    const early =
      mode === 'interactive'
        ? showEarlyHeader(io.stdout, `${header.tool} ${header.version} · ${header.command}`, {
            bold: run.color,
            lifecycle,
          })
        : undefined;
    const [services, checks, frontEnd] = await Promise.all([
      run.services(() => deps.createServices(command.options), { cloud: command.options.cloud }),
      deps.loadChecks(),
      (deps.loadSetupFrontEnd ?? loadSetupFrontEnd)(mode),
    ]);
    const { prompter, prompts } = run.prompter(mode === 'interactive');
    const session = createSession({
      bus: new EventBus<RunEvent>(),
      services,
      prompter,
      checks,
      options: command.options,
      signal: lifecycle.cancel.signal,
      chooseTarget: deps.chooseTarget,
      slowAfterMs: SLOW_AFTER_MS,
      setupFlow: setupFlow({
        request: command.request,
        journal: journalFor(io, deps),
        interrupts: lifecycle.interrupts,
        ...(deps.buildSteps ? { buildSteps: deps.buildSteps } : {}),
        ...(deps.undoers ? { undoers: deps.undoers } : {}),
        ...(deps.listUserIdentities ? { listUserIdentities: deps.listUserIdentities } : {}),
        ...(deps.cwd ? { cwd: deps.cwd } : {}),
      }),
    });
    const input: FrontEndInput = {
      session,
      prompts,
      header,
      verbose: command.options.verbose,
      strict: command.strict,
      color: run.color,
      cancel: lifecycle.cancel,
      interrupt: () => lifecycle.interrupt(),
      snippetsFor: connectionCodeFor,
      stdout: io.stdout,
      stderr: io.stderr,
    };
    early?.handOver();
    return frontEnd(input);
  });
}
