/**
 * The doctor and the setup flow, run for one tool call the way `sc-doctor doctor --json` and
 * `sc-doctor setup` run them: fresh services, the doctor's checks, one session with one event bus,
 * and Ctrl-C's `Interrupts` (here: the client's cancellation) wired to the engine's rollback. Nothing
 * is printed: the caller listens to the bus and builds the tool's result.
 */
import { assertCloudRegistered } from '../cli/cloud-option.ts';
import { SLOW_AFTER_MS } from '../cli/run-doctor.ts';
import { type CoreEvent, EventBus } from '../core/events.ts';
import type { Services } from '../core/services.ts';
import { createSession } from '../core/session.ts';
import type { CheckOutcome, DoctorOptions } from '../core/types.ts';
import { setupFlow } from '../setup/flow.ts';
import type { SetupOutcome, SetupRequest } from '../setup/flow-types.ts';
import type { Interrupts } from '../setup/interrupts.ts';
import type { McpContext } from './context.ts';
import { mcpPrompter } from './prompter.ts';

/** Runs `use` with fresh services for `options`, and stops their az processes afterwards. */
export async function withServices<T>(
  context: McpContext,
  options: DoctorOptions,
  use: (services: Services) => Promise<T>,
): Promise<T> {
  const services = await context.deps.createServices(options);
  try {
    await assertCloudRegistered(services.azure, options.cloud);
    return await use(services);
  } finally {
    services.azure?.dispose();
  }
}

/** The doctor's outcomes for `options`, as `sc-doctor doctor --json` gets them. */
export async function runDoctorChecks(
  context: McpContext,
  options: DoctorOptions,
  signal: AbortSignal,
): Promise<CheckOutcome[]> {
  const checks = await context.deps.loadChecks();
  return withServices(context, options, async (services) => {
    const session = createSession({
      bus: new EventBus(),
      services,
      prompter: mcpPrompter(async () => false),
      checks,
      options,
      signal,
      slowAfterMs: SLOW_AFTER_MS,
    });
    return session.doctor();
  });
}

export interface SetupRun {
  request: SetupRequest;
  options: DoctorOptions;
  /** Answers "Apply this plan?" once the plan is on the bus (see `mcpPrompter`). */
  gate: () => Promise<boolean>;
  /** The client's cancellation: the first interrupt rolls back, the second stops waiting. */
  interrupts: Interrupts;
  onEvent?: (event: CoreEvent) => void;
}

/** Runs the setup flow (doctor, plan, gate, engine) and returns how it ended. */
export async function runSetupFlow(context: McpContext, run: SetupRun): Promise<SetupOutcome> {
  const checks = await context.deps.loadChecks();
  const cancel = new AbortController();
  // The first interrupt also stops the doctor's checks; the engine sees it through `interrupts`.
  run.interrupts.signal.addEventListener('abort', () => cancel.abort(new Error('cancelled')), { once: true });
  return withServices(context, run.options, async (services) => {
    const bus = new EventBus();
    if (run.onEvent) bus.on(run.onEvent);
    const { deps } = context;
    const session = createSession({
      bus,
      services,
      prompter: mcpPrompter(run.gate),
      checks,
      options: run.options,
      signal: cancel.signal,
      slowAfterMs: SLOW_AFTER_MS,
      setupFlow: setupFlow({
        request: run.request,
        journal: context.journal,
        interrupts: run.interrupts,
        ...(deps.buildSteps ? { buildSteps: deps.buildSteps } : {}),
        ...(deps.undoers ? { undoers: deps.undoers } : {}),
        ...(deps.cwd ? { cwd: deps.cwd } : {}),
      }),
    });
    return session.setup!();
  });
}
