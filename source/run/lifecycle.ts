/**
 * One run's life, the same for every command: its Ctrl-C and SIGTERM counted, what it must clean up
 * (az processes, sessions), and how it ends. The doctor's first interrupt cancels the checks and its
 * second ends the process at once (nothing is left to clean up); once a setup's steps are being
 * applied (and for `undo`), interrupts are the engine's: the first rolls back, the second stops
 * waiting for the rollback (Interrupts).
 */
import { Interrupts } from '../engine/interrupts.ts';
import { exitNow } from './exit.ts';

/** Where a run hears Ctrl-C and SIGTERM: the process's signals, or nothing (tests). */
export interface SignalSource {
  onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export class RunLifecycle {
  /** Aborted by the first interrupt while no engine runs: the doctor's checks and questions stop. */
  readonly cancel = new AbortController();
  /** The engine's interrupts: the first rolls back, the second stops waiting. */
  readonly interrupts = new Interrupts();
  readonly #cleanups: (() => void | Promise<void>)[] = [];
  #engine: boolean;
  #interrupted = 0;

  constructor(options: { engine: boolean }) {
    this.#engine = options.engine;
    // With the engine running from the start (setup, undo), its first interrupt stops the doctor too.
    if (options.engine)
      this.interrupts.signal.addEventListener('abort', () => this.cancel.abort(new Error('cancelled')), {
        once: true,
      });
  }

  /** From now on interrupts are the engine's: a setup started from the doctor is applying its steps. */
  engineStarted(): void {
    this.#engine = true;
  }

  /** One Ctrl-C or SIGTERM (from the process, or a key on the screen). */
  interrupt(): void {
    if (this.#engine) {
      this.interrupts.interrupt();
      return;
    }
    this.#interrupted += 1;
    if (this.#interrupted === 1) this.cancel.abort(new Error('cancelled'));
    // A second Ctrl-C means "now": nothing is left to clean up for the doctor.
    else exitNow({ cancelled: true });
  }

  /** Runs `cleanup` when the run ends (success, failure or cancel), newest first. */
  onCleanup(cleanup: () => void | Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /** Runs every cleanup once; one that fails does not stop the others. */
  async cleanUp(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // A cleanup that fails (a process already gone) must not hide the run's own result.
      }
    }
  }
}

/**
 * Runs `body` as one run: interrupts wired from `signals` for its whole life, its cleanups run when
 * it ends however it ends. Resolves with the body's exit code.
 */
export async function withRun(
  signals: SignalSource,
  options: { engine: boolean },
  body: (run: RunLifecycle) => Promise<number>,
): Promise<number> {
  const run = new RunLifecycle(options);
  const unsubscribe = signals.onSignal?.(() => run.interrupt());
  try {
    return await body(run);
  } finally {
    await run.cleanUp();
    unsubscribe?.();
  }
}
