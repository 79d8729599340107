/**
 * Runs the doctor in the chosen mode: builds the services, wires Ctrl-C to the run's
 * AbortController and hands everything to one front-end. Loaded only after argv is valid, so
 * `--help` and `--version` never pay for it; Ink is imported only for the interactive mode.
 */
import { EventBus } from '../core/events.ts';
import type { OutputMode } from '../core/mode.ts';
import type { Prompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import type { DoctorCheck, DoctorOptions } from '../doctor/check.ts';
import type { ChooseTarget } from '../doctor/target-question.ts';
import type { RunDocument } from '../engine/journal.ts';
import type { StepUndoer } from '../engine/step.ts';
import type { RunEvent } from '../run/events.ts';
import type { FrontEnd, FrontEndInput } from '../run/front-end.ts';
import type { RunLifecycle } from '../run/lifecycle.ts';
import { createSession, type Session, SLOW_AFTER_MS } from '../run/session.ts';
import { showEarlyHeader } from './early-header.ts';
import type { CliIo } from './io.ts';
import { outputModeFor } from './output-mode.ts';
import { runCommand } from './run-command.ts';

export interface DoctorRequest {
  command: string;
  /**
   * Bare `sc-doctor` in a terminal: the guided path, which asks for the target, offers an unfinished
   * run's undo and a setup. `sc-doctor doctor` never asks anything.
   */
  guided?: boolean;
  options: DoctorOptions;
  json: boolean;
  plain: boolean;
  strict: boolean;
}

/** What a run is built from; tests replace these with fakes. */
export interface DoctorDeps {
  createServices(options: DoctorOptions): Promise<Services>;
  loadChecks(): Promise<DoctorCheck[]>;
  loadFrontEnd(mode: OutputMode): Promise<FrontEnd>;
  /** Asks for a target in interactive mode when no target flag was given; without it nothing is asked. */
  chooseTarget?: ChooseTarget;
  /** The home that holds `.sc-doctor/runs`; HOME by default (no journal is read without either). */
  home?: string;
  /** The setup steps' undoers, for undoing an unfinished run offered on start. */
  undoers?: (services: Services) => StepUndoer[];
}

export const nodeDeps: DoctorDeps = {
  async createServices(options) {
    const { createNodeServices } = await import('../services/node.ts');
    return createNodeServices({
      cloud: options.cloud,
      subscription: options.subscription,
      credential: options.credential,
    });
  },
  async loadChecks() {
    const { doctorChecks } = await import('../doctor/index.ts');
    return doctorChecks();
  },
  async loadFrontEnd(mode) {
    if (mode === 'json') return (await import('../output/json.ts')).runJson;
    if (mode === 'plain') return (await import('../output/plain.ts')).runPlain;
    return (await import('../ui/interactive.tsx')).runInteractive;
  },
  // Loaded only when someone is asked: plain and JSON runs never pay for the pickers' code.
  async chooseTarget(prompter, services, signal) {
    const { chooseTarget } = await import('../doctor/choose-target.ts');
    return chooseTarget(prompter, services, signal);
  },
};

/** Runs the doctor and returns the front-end's exit code (130 when cancelled). */
export async function runDoctor(
  request: DoctorRequest,
  io: CliIo,
  deps: DoctorDeps = nodeDeps,
): Promise<number> {
  const mode = outputModeFor(request, io);
  // Only the guided screen asks, and it can go on to a setup (`s`): its interrupts become the
  // engine's once steps are being applied. Elsewhere a question is a usage error naming its flag
  // (and `sc-doctor doctor` never reaches one: without someone to ask, no target question is put).
  const asks = mode === 'interactive' && request.guided === true;
  return runCommand(io, { mode, engine: false }, async (run) => {
    const { lifecycle } = run;
    const header = { tool: TOOL_NAME, version: toolVersion(), command: request.command };
    // The screen's header now; the screen itself once Ink and the checks are loaded.
    const early =
      mode === 'interactive'
        ? showEarlyHeader(io.stdout, `${header.tool} ${header.version} · ${header.command}`, {
            bold: run.color,
            lifecycle,
          })
        : undefined;
    const [services, checks, frontEnd] = await Promise.all([
      // Its az processes stop at the end of the run and as soon as it is cancelled.
      run.services(() => deps.createServices(request.options), {
        cloud: request.options.cloud,
        disposeOnCancel: true,
      }),
      deps.loadChecks(),
      deps.loadFrontEnd(mode),
    ]);
    const { prompter, prompts } = run.prompter(asks);
    const session = createSession({
      bus: new EventBus<RunEvent>(),
      services,
      prompter,
      checks,
      options: request.options,
      signal: lifecycle.cancel.signal,
      chooseTarget: deps.chooseTarget,
      slowAfterMs: SLOW_AFTER_MS,
      ...(asks ? { setupFlow: await interactiveSetupFlow(lifecycle, io, deps) } : {}),
    });
    session.bus.on((event) => {
      if (event.type === 'plan:ready') lifecycle.engineStarted();
    });
    if (mode !== 'json')
      await announceUnfinishedRuns(asks ? mode : 'plain', { session, services, prompter }, io, deps);
    const input: FrontEndInput = {
      session,
      prompts,
      header,
      verbose: request.options.verbose,
      strict: request.strict,
      color: run.color,
      cancel: lifecycle.cancel,
      ...(asks ? { interrupt: () => void lifecycle.interrupts.interrupt() } : {}),
      // The code screen after a setup started with `s`.
      ...(asks ? { snippetsFor: (await import('../setup/connection-code.ts')).connectionCodeFor } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
    };
    // Each front-end turns the run's end into its exit code with `exitCodeFor`, cancelling included.
    early?.handOver();
    return frontEnd(input);
  });
}

/**
 * A setup run that was killed, or whose rollback did not finish, is offered for undo on start:
 * interactive asks (the question waits for the screen); plain prints the command on stderr. A journal
 * that cannot be read never stops the doctor.
 */
async function announceUnfinishedRuns(
  mode: OutputMode,
  { session, services, prompter }: { session: Session; services: Services; prompter: Prompter },
  io: CliIo,
  deps: DoctorDeps,
): Promise<void> {
  const home = deps.home ?? io.env.HOME;
  if (!home) return;
  try {
    const { Journal } = await import('../engine/journal.ts');
    const { offerUnfinished, unfinishedNotice } = await import('../setup/offer-unfinished.ts');
    const journal = new Journal({ home });
    if (mode === 'plain') {
      for (const run of await journal.unfinishedRuns()) io.stderr.write(`${unfinishedNotice(run)}\n`);
      return;
    }
    const undoersFor = deps.undoers
      ? () => deps.undoers!(services)
      : await import('../setup/undoers-for.ts')
          .then(
            ({ undoersForRun }) =>
              (run: RunDocument) =>
                undoersForRun(run, services),
          )
          .catch(() => () => []);
    void offerUnfinished({
      journal,
      bus: session.bus,
      prompter,
      undoers: undoersFor,
      // Loaded only when an undo meets a write left in flight.
      settleWrite: async (write, ctx) =>
        (await import('../azure/arm-write.ts')).settleArmWrite(services, write, ctx),
    }).catch(() => {});
  } catch {
    // The journal is advisory here: the doctor runs whatever state it is in.
  }
}

/**
 * The setup `s` starts from the interactive doctor: for the kind of server picked, everything else asked on the way
 * (auth type, client type), the plan confirmed on its screen.
 */
async function interactiveSetupFlow(
  lifecycle: RunLifecycle,
  io: CliIo,
  deps: DoctorDeps,
): Promise<NonNullable<Parameters<typeof createSession>[0]['setupFlow']>> {
  const [{ setupFlow }, { Journal }, { homedir }] = await Promise.all([
    import('../setup/flow.ts'),
    import('../engine/journal.ts'),
    import('node:os'),
  ]);
  return setupFlow({
    request: { yes: false, dryRun: false, linker: true, grants: 'least' },
    journal: new Journal({ home: deps.home ?? (io.env.HOME || homedir()) }),
    interrupts: lifecycle.interrupts,
    ...(deps.undoers ? { undoers: deps.undoers } : {}),
  });
}
