/**
 * Runs the doctor in the chosen mode: builds the services, wires Ctrl-C to the run's
 * AbortController and hands everything to one front-end. Loaded only after argv is valid, so
 * `--help` and `--version` never pay for it; Ink is imported only for the interactive mode.
 */
import { EventBus } from '../core/events.ts';
import { ExitCode } from '../core/exit-codes.ts';
import type { FrontEnd, FrontEndInput } from '../core/front-end.ts';
import { colorEnabled, type OutputMode, resolveMode } from '../core/mode.ts';
import { createPromptChannel, refusingPrompter } from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import { type ChooseTarget, createSession } from '../core/session.ts';
import type { Check, DoctorOptions } from '../core/types.ts';
import { assertCloudRegistered } from './cloud-option.ts';
import type { CliIo } from './io.ts';
import { TOOL_NAME, toolVersion } from './version.ts';

export interface DoctorRequest {
  command: string;
  options: DoctorOptions;
  json: boolean;
  plain: boolean;
  strict: boolean;
}

/** What a run is built from; tests replace these with fakes. */
export interface DoctorDeps {
  createServices(options: DoctorOptions): Promise<Services>;
  loadChecks(): Promise<Check[]>;
  loadFrontEnd(mode: OutputMode): Promise<FrontEnd>;
  /** Asks for a target in interactive mode when no target flag was given; without it nothing is asked. */
  chooseTarget?: ChooseTarget;
}

/** A "still running" notice appears after this long: long enough that a normal check never shows it. */
export const SLOW_AFTER_MS = 5_000;

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
  const mode = resolveMode({
    json: request.json,
    plain: request.plain,
    env: io.env,
    stdinIsTTY: io.stdinIsTTY,
    stdoutIsTTY: io.stdoutIsTTY,
  });
  // chalk (used by Ink) ignores NO_COLOR; FORCE_COLOR=0 must be set before Ink is imported.
  if (mode === 'interactive' && io.env.NO_COLOR && !io.env.FORCE_COLOR) io.env.FORCE_COLOR = '0';

  const cancel = new AbortController();
  let signals = 0;
  const unsubscribe = io.onSignal?.(() => {
    signals += 1;
    if (signals === 1) cancel.abort(new Error('cancelled'));
    // A second Ctrl-C means "now": nothing is left to clean up for the doctor.
    else process.exit(ExitCode.Cancelled);
  });
  const disposers: (() => void)[] = [];
  try {
    const [services, checks, frontEnd] = await Promise.all([
      deps.createServices(request.options),
      deps.loadChecks(),
      deps.loadFrontEnd(mode),
    ]);
    // Stops az processes still running, at the end of the run and as soon as it is cancelled.
    const dispose = () => services.azure.dispose();
    cancel.signal.addEventListener('abort', dispose, { once: true });
    disposers.push(dispose);
    await assertCloudRegistered(services.azure, request.options.cloud);
    // Only the interactive screen has someone to ask; elsewhere a question is a usage error naming its flag.
    const prompts = mode === 'interactive' ? createPromptChannel() : undefined;
    const session = createSession({
      bus: new EventBus(),
      services,
      prompter: prompts?.prompter ?? refusingPrompter(mode === 'json' ? 'json' : 'plain'),
      checks,
      options: request.options,
      signal: cancel.signal,
      chooseTarget: deps.chooseTarget,
      slowAfterMs: SLOW_AFTER_MS,
    });
    const input: FrontEndInput = {
      session,
      prompts,
      header: { tool: TOOL_NAME, version: toolVersion(), command: request.command },
      verbose: request.options.verbose,
      strict: request.strict,
      color: colorEnabled(mode, io.env, io.stdoutIsTTY),
      cancel,
      stdout: io.stdout,
      stderr: io.stderr,
    };
    // Each front-end turns the run's end into its exit code with `exitCodeFor`, cancelling included.
    return await frontEnd(input);
  } finally {
    for (const dispose of disposers) dispose();
    unsubscribe?.();
  }
}
