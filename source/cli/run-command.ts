/**
 * What every command that runs flows starts with (doctor, setup, undo; `audit` and `mcp` join the
 * same way): one lifecycle for its interrupts and cleanups (source/run/lifecycle.ts), its services
 * (created once, disposed when the run ends, `--cloud` checked before anything else), the prompter
 * its mode allows, and colour. The command's body builds its flows on that and returns its exit code.
 */

import { assertCloudRegistered } from '../azure/cloud-option.ts';
import { colorEnabled, type OutputMode } from '../core/mode.ts';
import {
  createPromptChannel,
  type PromptChannel,
  type Prompter,
  refusingPrompter,
} from '../core/prompter.ts';
import type { Services } from '../core/services.ts';
import { type RunLifecycle, withRun } from '../run/lifecycle.ts';
import type { CliIo } from './io.ts';

export interface CommandRun {
  mode: OutputMode;
  lifecycle: RunLifecycle;
  /** Colour on for this mode and terminal (NO_COLOR, FORCE_COLOR). */
  color: boolean;
  /**
   * The run's services from `create`, disposed when the run ends (its az processes stopped), and
   * as soon as it is cancelled when `disposeOnCancel` (a doctor, which has nothing to roll back);
   * `--cloud` (`cloud`) is checked with az before they are handed out.
   */
  services(
    create: () => Promise<Services>,
    options: { cloud: string | undefined; disposeOnCancel?: boolean },
  ): Promise<Services>;
  /**
   * Who asks the run's questions: the screen, through a prompt channel, when `asks` (interactive);
   * otherwise a prompter that refuses, naming the flag that answers (exit 2).
   */
  prompter(asks: boolean): { prompter: Prompter; prompts?: PromptChannel };
}

/** Runs `body` as one command run: its lifecycle wired to the process's signals, cleaned up however it ends. */
export function runCommand(
  io: CliIo,
  options: { mode: OutputMode; engine: boolean },
  body: (run: CommandRun) => Promise<number>,
): Promise<number> {
  const { mode } = options;
  return withRun(io, { engine: options.engine }, (lifecycle) =>
    body({
      mode,
      lifecycle,
      color: colorEnabled(mode, io.env, io.stdoutIsTTY),
      async services(create, { cloud, disposeOnCancel }) {
        const services = await create();
        const dispose = () => services.azure?.dispose();
        lifecycle.onCleanup(dispose);
        if (disposeOnCancel) lifecycle.cancel.signal.addEventListener('abort', dispose, { once: true });
        await assertCloudRegistered(services.azure, cloud);
        return services;
      },
      prompter(asks) {
        if (asks) {
          const prompts = createPromptChannel();
          return { prompter: prompts.prompter, prompts };
        }
        return { prompter: refusingPrompter(mode === 'json' ? 'json' : 'plain') };
      },
    }),
  );
}
