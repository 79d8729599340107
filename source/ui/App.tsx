import { useApp, useStdin, useWindowSize } from 'ink';
import { useEffect, useReducer } from 'react';
import type { FrontEndInput } from '../core/front-end.ts';
import { useDoctorEvents } from './hooks/use-doctor-events.ts';
import { useDoctorKeys } from './hooks/use-doctor-keys.ts';
import { useRunOnce } from './hooks/use-run-once.ts';
import { useUiClock } from './hooks/use-ui-clock.ts';
import { DoctorScreen } from './screens/DoctorScreen.tsx';
import { doctorReducer, initialDoctorState } from './state/doctor-state.ts';

export interface AppProps {
  input: FrontEndInput;
  /** Called with the exit code right before the app unmounts (tests and `runInteractive`). */
  onExit?: (code: number) => void;
  /** UI clock; tests pass a fixed one. */
  now?: () => number;
  /** Overrides the terminal size (tests: ink-testing-library's stdout has no rows). */
  size?: { columns: number; rows: number };
}

/**
 * The lifecycle root: runs the doctor once, owns the state and the only `exit()` call, and renders
 * a final frame without key hints before unmounting so the scrollback keeps a clean copy.
 */
export function App({ input, onExit, now = Date.now, size }: AppProps) {
  const [state, dispatch] = useReducer(doctorReducer, { verbose: input.verbose }, initialDoctorState);
  useDoctorEvents(input.bus, dispatch, now);
  useRunOnce(input.run, dispatch);

  const { isRawModeSupported } = useStdin();
  const exiting = state.exitCode !== null;
  useDoctorKeys(dispatch, { strict: input.strict, isActive: isRawModeSupported && !exiting });

  // Without raw mode nobody can press q, so leave as soon as the results are in.
  useEffect(() => {
    if (!isRawModeSupported && state.finished) dispatch({ type: 'quit', strict: input.strict });
  }, [isRawModeSupported, state.finished, input.strict]);

  const { exit } = useApp();
  useEffect(() => {
    if (state.exitCode === null) return;
    // Quitting early must not leave az processes running behind us.
    if (!state.finished) input.cancel.abort();
    onExit?.(state.exitCode);
    exit(state.exitCode);
  }, [state.exitCode, state.finished, input.cancel, onExit, exit]);

  const terminal = useWindowSize();
  const { columns, rows } = size ?? terminal;
  const running = state.rows.some((row) => row.phase === 'running');
  const clock = useUiClock(running && !exiting, now);

  return (
    <DoctorScreen
      state={state}
      header={input.header}
      columns={columns}
      rows={rows}
      now={clock}
      color={input.color}
      final={exiting}
    />
  );
}
