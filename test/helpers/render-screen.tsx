/**
 * Renders any screen or widget of the Ink UI inside the app's providers, with a state built from
 * defaults plus what the test sets, and actions that record their calls (and optionally do more).
 * Screens read state and call actions only through the providers, so this is all they need.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { type AppActions, AppProviders } from '../../source/ui/context.tsx';
import { type AppState, initialAppState } from '../../source/ui/state/app-state.ts';
import { settle, waitFor } from './wait-for.ts';

export interface RenderScreenOptions {
  state?: Partial<AppState>;
  actions?: Partial<AppActions>;
}

export interface RenderedScreen {
  lastFrame(): string;
  /** Every action call, as `[name, ...args]`, in order. */
  calls: unknown[][];
  press(key: string): Promise<void>;
  waitFor(predicate: (frame: string) => boolean, what?: string, timeoutMs?: number): Promise<string>;
  unmount(): void;
}

export function renderWithProviders(
  element: ReactElement,
  options: RenderScreenOptions = {},
): RenderedScreen {
  const calls: unknown[][] = [];
  const record =
    <K extends keyof AppActions>(name: K) =>
    (...args: Parameters<AppActions[K]>) => {
      calls.push([name, ...args]);
      (options.actions?.[name] as ((...a: unknown[]) => void) | undefined)?.(...args);
    };
  const actions: AppActions = {
    move: record('move'),
    toggleDetails: record('toggleDetails'),
    quit: record('quit'),
    cancel: record('cancel'),
    answer: record('answer'),
    toggleSetupDetails: record('toggleSetupDetails'),
    finishSetup: record('finishSetup'),
    startSetup: record('startSetup'),
  };
  const state: AppState = { ...initialAppState(), ...options.state };
  const instance = render(
    <AppProviders state={state} actions={actions}>
      {element}
    </AppProviders>,
  );
  let settled = false;
  const lastFrame = () => instance.lastFrame() ?? '';
  return {
    lastFrame,
    calls,
    async press(key) {
      // useInput subscribes in an effect after mount; a key written before that is lost.
      if (!settled) {
        // Mounted (a first frame), then its effects run (an inactive screen never listens: nothing to wait for).
        await waitFor(() => instance.frames.length > 0, 'the first frame');
        await settle();
        settled = true;
      }
      instance.stdin.write(key);
      await settle();
    },
    async waitFor(predicate, what = 'the expected frame', timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = lastFrame();
        if (predicate(frame)) return frame;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
        await delay(10);
      }
    },
    unmount: () => instance.unmount(),
  };
}
