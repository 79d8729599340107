/**
 * `sc-doctor undo` in a terminal: the same live list as a setup's rollback (a row per step, newest
 * first, each with its status and time), then the closing lines; it leaves by itself when done.
 */
import { Box, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import type { RunEvent } from '../run/events.ts';
import { useUiClock } from './hooks/use-ui-clock.ts';
import { ApplyScreen } from './screens/ApplyScreen.tsx';
import { initialSetupState, type SetupState, setupReducer } from './state/setup-state.ts';

/** What the undo screen is given: the run's steps in plan order, and the undo to start. */
export interface UndoScreenInput {
  runId: string;
  /** The steps as the run planned them (their numbers on screen are their places in this list). */
  steps: { id: string; title: string }[];
  /** Starts the undo; events go to `emit`; resolves with the exit code and the closing lines. */
  run(emit: (event: RunEvent) => void): Promise<{ exitCode: number; closing: string[] }>;
  /** Ctrl-C (raw mode swallows the signal): counted like the setup's. */
  interrupt(): void;
  color: boolean;
}

export interface UndoAppProps {
  input: UndoScreenInput;
  onExit?: (code: number) => void;
  now?: () => number;
  size?: { columns: number; rows: number };
}

type UndoAction = { type: 'event'; event: RunEvent; at: number } | { type: 'ended' };

interface UndoState {
  setup: SetupState;
  ended: boolean;
}

function undoReducer(state: UndoState, action: UndoAction): UndoState {
  if (action.type === 'ended') return { ...state, ended: true };
  return { ...state, setup: setupReducer(state.setup, action) };
}

function initialUndoState(input: UndoScreenInput): UndoState {
  const setup = initialSetupState();
  return {
    ended: false,
    setup: {
      ...setup,
      runId: input.runId,
      steps: input.steps.map((step) => ({
        id: step.id,
        title: step.title,
        lines: [],
        consent: null,
        alreadyDone: null,
        phase: 'waiting',
        outcome: null,
        detail: null,
        startedAt: null,
        elapsedMs: null,
      })),
    },
  };
}

export function UndoApp({ input, onExit, now = Date.now, size }: UndoAppProps) {
  const [state, dispatch] = useReducer(undoReducer, input, initialUndoState);
  const [closing, setClosing] = useState<string[]>([]);
  const [code, setCode] = useState<number | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    input
      .run((event) => dispatch({ type: 'event', event, at: now() }))
      .then(
        (result) => {
          setClosing(result.closing);
          setCode(result.exitCode);
        },
        // The CLI says why (a lock another run holds is a usage error): the screen just leaves.
        (error: unknown) => setFailure(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => dispatch({ type: 'ended' }));
  }, [input, now]);

  const { isRawModeSupported } = useStdin();
  useInput(
    (text, key) => {
      if (key.ctrl && text === 'c') input.interrupt();
    },
    { isActive: isRawModeSupported && !state.ended },
  );

  const { exit } = useApp();
  useEffect(() => {
    if (failure) exit(failure);
  }, [failure, exit]);
  useEffect(() => {
    if (!state.ended || code === null) return;
    // One macrotask later, so the last frame (every closing line) is drawn before Ink unmounts.
    const timer = setTimeout(() => {
      onExit?.(code);
      exit(code);
    }, 0);
    return () => clearTimeout(timer);
  }, [state.ended, code, onExit, exit]);

  const terminal = useWindowSize();
  const { columns, rows } = size ?? terminal;
  const running = !state.ended && (state.setup.rollback?.steps.some((s) => s.phase === 'running') ?? false);
  const clock = useUiClock(running, now);
  return (
    <Box flexDirection="column">
      <ApplyScreen
        state={state.setup}
        now={clock}
        color={input.color}
        closing={closing}
        columns={columns}
        // The last frame shows every closing line once; while it runs, the list stays on screen.
        {...(state.ended ? {} : { rows })}
        ended={state.ended}
        undoTitle={`Undoing run ${input.runId}, newest first`}
        ctrlC="twice stops waiting and lists what is left"
      />
    </Box>
  );
}
