/**
 * Renders the interactive App with ink-testing-library against a real EventBus the test drives.
 * Adds what the library lacks: named keys, a settle tick before the first key, a polling `waitFor`
 * that fails with the last frame, and the exit code as a promise.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { render } from 'ink-testing-library';
import { EventBus } from '../../source/core/events.ts';
import type { PromptChannel } from '../../source/core/prompter.ts';
import { summarize } from '../../source/core/run-checks.ts';
import type { CheckOutcome } from '../../source/core/types.ts';
import type { RunBus, RunEvent } from '../../source/run/events.ts';
import type { FrontEndInput } from '../../source/run/front-end.ts';
import { App } from '../../source/ui/App.tsx';
import { settle, waitFor } from './wait-for.ts';

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
  q: 'q',
} as const;

export interface RenderDoctorOptions {
  verbose?: boolean;
  strict?: boolean;
  color?: boolean;
  /** Terminal size the screen lays out for (ink-testing-library itself always wraps at 100 columns). */
  size?: { columns: number; rows: number };
  /** UI clock; defaults to a fixed 1000 so elapsed times are predictable. */
  now?: () => number;
  /** Questions the test asks through `prompts.prompter` reach the UI through this channel. */
  prompts?: PromptChannel;
}

export interface RenderedDoctor {
  bus: RunBus;
  cancel: AbortController;
  /** Resolves `run()` the way the core does after `doctor:end`. */
  finishRun(outcomes: CheckOutcome[]): void;
  failRun(error: Error): void;
  /** Emits the events of a whole run: start, every end, doctor:end; also resolves `run()`. */
  completeRun(outcomes: CheckOutcome[]): void;
  lastFrame(): string;
  /**
   * The last frame with content. After unmount Ink writes a lone "\n" (always under CI=true, and on
   * a non-TTY stdout) or "" that replaces `lastFrame()`; this skips those.
   */
  finalFrame(): string;
  press(key: string): Promise<void>;
  waitFor(
    predicate: (frame: string) => boolean,
    what?: string,
    timeoutMs?: number,
    read?: () => string,
  ): Promise<string>;
  /** Resolves with the code the App exits with. */
  exitCode: Promise<number>;
  runCalls(): number;
  unmount(): void;
}

export function renderDoctor(options: RenderDoctorOptions = {}): RenderedDoctor {
  const bus = new EventBus<RunEvent>();
  const cancel = new AbortController();
  let calls = 0;
  let settleRun: { resolve: (o: CheckOutcome[]) => void; reject: (e: Error) => void } | null = null;
  const runPromise = new Promise<CheckOutcome[]>((resolve, reject) => {
    settleRun = { resolve, reject };
  });
  const input: FrontEndInput = {
    session: {
      bus,
      doctor: () => {
        calls += 1;
        return runPromise;
      },
    },
    prompts: options.prompts,
    header: { tool: 'sc-doctor', version: '0.1.0', command: 'doctor' },
    verbose: options.verbose ?? false,
    strict: options.strict ?? false,
    color: options.color ?? false,
    cancel,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let resolveExit: (code: number) => void = () => {};
  const exitCode = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const instance = render(
    <App
      input={input}
      onExit={resolveExit}
      now={options.now ?? (() => 1000)}
      size={options.size ?? { columns: 100, rows: 40 }}
    />,
  );

  let settled = false;
  const lastFrame = () => instance.lastFrame() ?? '';
  return {
    bus,
    cancel,
    finishRun: (outcomes) => settleRun?.resolve(outcomes),
    failRun: (error) => settleRun?.reject(error),
    completeRun(outcomes) {
      bus.emit({ type: 'doctor:start', checks: outcomes.map(({ id, title }) => ({ id, title })) });
      for (const outcome of outcomes) bus.emit({ type: 'check:end', outcome });
      bus.emit({ type: 'doctor:end', outcomes, summary: summarize(outcomes) });
      settleRun?.resolve(outcomes);
    },
    lastFrame,
    finalFrame: () => [...instance.frames].reverse().find((frame) => frame.trim() !== '') ?? '',
    async press(key) {
      // useInput subscribes in an effect after mount; a key written before that is lost.
      if (!settled) {
        // Mounted (a first frame), then its effects run (an inactive screen never listens: nothing to wait for).
        await waitFor(() => instance.frames.length > 0, 'the first frame');
        await settle();
        settled = true;
      }
      instance.stdin.write(key);
      // React 19 flushes effects asynchronously: let it before the next key.
      await settle();
    },
    async waitFor(predicate, what = 'the expected frame', timeoutMs = 2000, read = lastFrame) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = read();
        if (predicate(frame)) return frame;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
        }
        await delay(10);
      }
    },
    exitCode,
    runCalls: () => calls,
    unmount: () => instance.unmount(),
  };
}

/** A finished check with defaults for everything a test does not care about. */
export function outcome(partial: Partial<CheckOutcome> & Pick<CheckOutcome, 'id' | 'status'>): CheckOutcome {
  return {
    title: partial.id,
    durationMs: 120,
    message: '',
    details: [],
    remediation: null,
    data: {},
    blocking: false,
    ...partial,
  };
}
