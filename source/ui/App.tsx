import { Box, Static, useApp, useStdin, useWindowSize } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { FrontEndInput } from '../core/front-end.ts';
import { AppProviders } from './context.tsx';
import { useAppActionsFor } from './hooks/use-app-actions.ts';
import { useCancelKey } from './hooks/use-cancel-key.ts';
import { useDoctorEvents } from './hooks/use-doctor-events.ts';
import { usePrompts } from './hooks/use-prompts.ts';
import { useRunOnce } from './hooks/use-run-once.ts';
import { useUiClock } from './hooks/use-ui-clock.ts';
import { DoctorScreen } from './screens/DoctorScreen.tsx';
import { Screen } from './screens/Screen.tsx';
import { SetupFinal } from './screens/SetupFinal.tsx';
import { appReducer, focusedScreen, initialAppState } from './state/app-state.ts';
import { runFailed } from './state/doctor-state.ts';
import { setupRunning } from './state/setup-state.ts';

export interface AppProps {
  input: FrontEndInput;
  /**
   * Called with the exit code right before the app unmounts (tests and `runInteractive`), and the
   * connection code to print after it: raw text, never laid out by Ink, so the scrollback keeps the
   * generator's bytes (Ink would wrap long lines at the terminal's width).
   */
  onExit?: (code: number, after: string | null) => void;
  /** UI clock; tests pass a fixed one. */
  now?: () => number;
  /** Overrides the terminal size (tests: ink-testing-library's stdout has no rows). */
  size?: { columns: number; rows: number };
}

/**
 * The lifecycle root: starts the session's flow once, owns the state and the only `exit()` call,
 * serves the flow's questions, and routes keys to the focused screen. It renders a final frame
 * without key hints before unmounting so the scrollback keeps a clean copy.
 */
export function App({ input, onExit, now = Date.now, size }: AppProps) {
  const [state, dispatch] = useReducer(appReducer, { verbose: input.verbose }, initialAppState);
  useDoctorEvents(input.session.bus, dispatch, now);
  const { isRawModeSupported } = useStdin();
  usePrompts(input.prompts, dispatch, isRawModeSupported);
  // A setup runs from the start (`sc-doctor setup`) or after the doctor, when `s` asked for one.
  const setupFromStart = input.header.command === 'setup' ? input.session.setup : undefined;
  const setupFlow = setupFromStart ?? (state.setupRequested ? input.session.setup : undefined);
  const run = useMemo(
    () =>
      setupFromStart
        ? async () => {
            const outcome = await setupFromStart();
            dispatch({ type: 'setup:finished', outcome });
            return outcome.doctor;
          }
        : input.session.doctor,
    [setupFromStart, input.session.doctor],
  );
  useRunOnce(run, dispatch);
  const laterSetup = useRef(false);
  useEffect(() => {
    if (setupFromStart || !setupFlow || laterSetup.current) return;
    laterSetup.current = true;
    setupFlow().then(
      (outcome) => dispatch({ type: 'setup:finished', outcome }),
      (error: unknown) => dispatch(runFailed(error)),
    );
  }, [setupFromStart, setupFlow]);
  const actions = useAppActionsFor(state.prompts, dispatch, input.strict, state.setup.outcome);

  const doctor = state.doctor;
  const exiting = doctor.exitCode !== null;
  // While steps are applied, Ctrl-C does not leave: it rolls back (the engine's first interrupt),
  // and a second one stops waiting. The run then ends by itself as cancelled.
  const applying = setupFlow !== undefined && state.setup.runId !== null && state.setup.outcome === null;
  const onCtrlC = useCallback(() => {
    input.interrupt?.();
    if (!applying) actions.cancel();
  }, [input.interrupt, applying, actions]);
  useCancelKey(onCtrlC, isRawModeSupported && !exiting);

  // Ctrl-C outside the screen's reach (SIGTERM, or a signal while raw mode is off) ends it the same way.
  // While applying, the screen notes it: what a further Ctrl-C does has changed.
  useEffect(() => {
    const signal = input.cancel.signal;
    const onAbort = () => {
      if (!applying) actions.cancel();
      else dispatch({ type: 'setup:interrupted' });
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }, [input.cancel, actions, applying]);

  // Without raw mode nobody can press q, so leave as soon as the results are in.
  useEffect(() => {
    if (isRawModeSupported) return;
    if (setupFlow ? state.setup.outcome !== null : doctor.finished) {
      if (setupFlow) actions.finishSetup();
      else actions.quit();
    }
  }, [isRawModeSupported, doctor.finished, actions, setupFlow, state.setup.outcome]);

  // A setup the user cancelled leaves as soon as its rollback has ended.
  useEffect(() => {
    const outcome = state.setup.outcome;
    if (outcome?.kind === 'ran' && outcome.result.cancelled) actions.finishSetup();
  }, [state.setup.outcome, actions]);

  const { exit } = useApp();
  useEffect(() => {
    if (doctor.exitCode === null) return;
    // Quitting early must not leave az processes running behind us.
    if (!doctor.finished) input.cancel.abort(new Error('cancelled'));
    // Nobody is left to answer: open questions resolve as backed out, so no flow waits forever.
    for (const prompt of state.prompts) prompt.answer(undefined as never);
    const code = doctor.exitCode;
    const outcome = state.setup.outcome;
    const connection = setupFlow && outcome && input.snippetsFor ? input.snippetsFor(outcome) : null;
    const after = connection ? `${connection.headline}\n\n${connection.text}` : null;
    // One macrotask later: <Static> empties itself in a re-render React runs after this effect, and
    // unmounting before that would print the report a second time.
    const timer = setTimeout(() => {
      onExit?.(code, after);
      exit(code);
    }, 0);
    return () => clearTimeout(timer);
  }, [
    doctor.exitCode,
    doctor.finished,
    state.prompts,
    state.setup.outcome,
    setupFlow,
    input.cancel,
    input.snippetsFor,
    onExit,
    exit,
  ]);

  const terminal = useWindowSize();
  const { columns, rows } = size ?? terminal;
  const running =
    (doctor.rows.some((row) => row.phase === 'running') || setupRunning(state.setup)) && !exiting;
  const clock = useUiClock(running, now);
  const focused = isRawModeSupported && !exiting ? focusedScreen(state) : null;

  return (
    <AppProviders state={state} actions={actions}>
      {/*
        The last frame goes out once as <Static> output above an empty live region, so Ink never
        redraws a frame taller than the terminal (which left a second copy in the scrollback). The
        <Static> is mounted from the start: swapping one in at exit makes Ink emit it twice.
      */}
      <Static items={exiting ? FINAL_REPORT : NOTHING}>
        {(key) => (
          <Box key={key} flexDirection="column">
            <DoctorScreen
              state={doctor}
              header={input.header}
              columns={columns}
              rows={rows}
              now={clock}
              color={input.color}
              final
            />
            {setupFlow ? (
              <SetupFinal state={state.setup} input={input} now={clock} columns={columns} />
            ) : null}
          </Box>
        )}
      </Static>
      {exiting
        ? null
        : state.screens.map((name) => (
            // Screens below the focused one stay mounted (their state survives) but hidden and deaf.
            <Box key={name} display={name === focusedScreen(state) ? 'flex' : 'none'} flexDirection="column">
              <Screen
                name={name}
                focused={focused === name}
                input={input}
                columns={columns}
                rows={rows}
                now={clock}
                final={exiting}
              />
            </Box>
          ))}
    </AppProviders>
  );
}

const FINAL_REPORT = ['report'];
const NOTHING: string[] = [];
